import type { CalicoConfig, CalicoEncapsulationMode, CalicoPool } from '../src/model/cni.js';
import type { PairScope, Requirement } from '../src/model/requirement.js';
import type { Warning } from '../src/model/source.js';
import { tryParseCidr } from '../src/model/cidr.js';
import { IPIP, TCP, UDP, cniFlow, familyId, families, nativePodTraffic, nodeAddress, type CniRuleContext, type CniRuleSet, type Origin } from './rule-set.js';

const DOCS = 'https://docs.tigera.io/calico/latest';
/** The "Network requirements" table: BGP 179, IP-in-IP (protocol 4), VXLAN 4789, Typha 5473, WireGuard 51820/51821. */
const REQUIREMENTS_DOC = `${DOCS}/getting-started/kubernetes/requirements#network-requirements`;
/** ipipMode / vxlanMode: Always, CrossSubnet, Never; CrossSubnet encapsulates only towards peers in another subnet. */
const ENCAPSULATION_DOC = `${DOCS}/networking/configuring/vxlan-ipip`;
/** WireGuard: wireguardEnabled(V6), wireguardListeningPort(V6) in FelixConfiguration. */
const WIREGUARD_DOC = `${DOCS}/network-policy/encrypt-cluster-pod-traffic`;

export const CALICO_BGP_PORT = 179;
export const CALICO_VXLAN_PORT = 4789;
export const CALICO_TYPHA_PORT = 5473;
export const CALICO_WIREGUARD_PORT = 51820;
export const CALICO_WIREGUARD_PORT_V6 = 51821;

const origin = (backend: string, docUrl: string): Origin => ({ cni: 'calico', backend, docUrl });

/** What the enabled pools of one family ask of one mechanism, and which pools ask it. */
interface Need {
  scope: PairScope;
  pools: string[];
}

/** Widens a need by one pool: all pairs beat one side of the subnet split, and the two sides together are all pairs. */
function widen(need: Need | undefined, scope: PairScope, pool: CalicoPool): Need {
  if (!need) return { scope, pools: [`${pool.name} (${pool.cidr})`] };
  const merged: PairScope = need.scope === scope ? scope : 'all-pairs';
  return { scope: merged, pools: [...need.pools, `${pool.name} (${pool.cidr})`] };
}

/** The pair scope a pool mode encapsulates, or undefined for Never. */
function encapsulated(mode: CalicoEncapsulationMode): PairScope | undefined {
  return mode === 'Always' ? 'all-pairs' : mode === 'CrossSubnet' ? 'cross-subnet-pairs' : undefined;
}

interface PoolNeeds {
  ipip?: Need;
  vxlan: Partial<Record<4 | 6, Need>>;
  native: Partial<Record<4 | 6, Need>>;
}

/** Folds the enabled pools into what each mechanism needs, per family. Unusable pools are left to warnings(). */
function poolNeeds(config: CalicoConfig): PoolNeeds {
  const out: PoolNeeds = { vxlan: {}, native: {} };
  for (const pool of config.pools) {
    const family = usableFamily(pool, config);
    if (family === undefined) continue;
    const ipip = family === 4 ? encapsulated(pool.ipipMode) : undefined;
    const vxlan = encapsulated(pool.vxlanMode);
    if (ipip) out.ipip = widen(out.ipip, ipip, pool);
    if (vxlan) out.vxlan[family] = widen(out.vxlan[family], vxlan, pool);
    // Pod packets go out unencapsulated where neither mechanism encapsulates: every pair under
    // Never/Never, the same-subnet side under CrossSubnet, no pair when either mode is Always.
    const covered = [ipip, vxlan];
    if (covered.includes('all-pairs')) continue;
    const native: PairScope = covered.includes('cross-subnet-pairs') ? 'same-subnet-pairs' : 'all-pairs';
    out.native[family] = widen(out.native[family], native, pool);
  }
  return out;
}

/** The family of an enabled pool whose family Calico runs; undefined otherwise. */
function usableFamily(pool: CalicoPool, config: CalicoConfig): 4 | 6 | undefined {
  if (pool.disabled) return undefined;
  const family = tryParseCidr(pool.cidr)?.family;
  if (family === 4 && config.enableIPv4) return 4;
  if (family === 6 && config.enableIPv6) return 6;
  return undefined;
}

const scopeWords = (scope: PairScope): string =>
  scope === 'all-pairs' ? 'between every pair of nodes' : scope === 'cross-subnet-pairs' ? 'between nodes in different subnets (CrossSubnet)' : 'between nodes in the same subnet (CrossSubnet)';

export const calico: CniRuleSet<CalicoConfig> = {
  name: 'calico',
  docUrl: REQUIREMENTS_DOC,
  ids: [
    'calico-ipip', 'calico-vxlan', 'calico-vxlan-v6', 'calico-native-pod-traffic', 'calico-native-pod-traffic-v6', 'calico-native-foreign-address',
    'calico-bgp', 'calico-bgp-v6', 'calico-typha', 'calico-typha-v6', 'calico-wireguard', 'calico-wireguard-v6',
  ],
  ports: [CALICO_BGP_PORT, CALICO_VXLAN_PORT, CALICO_TYPHA_PORT, CALICO_WIREGUARD_PORT, CALICO_WIREGUARD_PORT_V6],

  requirements(config) {
    const needs = poolNeeds(config);
    const out: Requirement[] = [];
    // Encapsulation first: the report calls the first VTEP flow with a port the overlay.
    for (const family of [4, 6] as const) {
      const need = needs.vxlan[family];
      if (!need) continue;
      const port = config.vxlan.port;
      out.push(cniFlow(origin('vxlan', ENCAPSULATION_DOC), {
        id: familyId('calico-vxlan', family),
        title: `VXLAN UDP ${port} between nodes${family === 6 ? ' over IPv6' : ''}`,
        description: `Calico's vxlan.calico${family === 6 ? '-v6' : ''} device (VNI ${config.vxlan.vni}) sends encapsulated pod traffic to each peer's ${family === 6 ? 'IPv6 ' : ''}node address on UDP ${port} (FelixConfiguration vxlanPort${port === CALICO_VXLAN_PORT ? ', default' : ''}) ${scopeWords(need.scope)}. IPPools: ${need.pools.join(', ')}.`,
        protocol: UDP, fromPort: port, toPort: port, family,
        source: nodeAddress(family), destination: nodeAddress(family), pairScope: need.scope,
      }));
    }
    if (needs.ipip) {
      out.push(cniFlow(origin('ipip', ENCAPSULATION_DOC), {
        id: 'calico-ipip',
        title: 'IP-in-IP (IP protocol 4) between nodes',
        description: `Calico's tunl0 encapsulates pod traffic in IPv4 protocol 4 to each peer's node address ${scopeWords(needs.ipip.scope)}; it has no ports. IPPools: ${needs.ipip.pools.join(', ')}. A Neutron rule written with the protocol name \`ipip\` does not prove this flow: the iptables firewall drivers read the name as protocol 94, so allow protocol number 4.`,
        protocol: IPIP, family: 4,
        source: 'node-vtep', destination: 'node-vtep', pairScope: needs.ipip.scope,
      }));
    }
    const native = ([4, 6] as const).flatMap((family) => {
      const need = needs.native[family];
      if (!need) return [];
      const pairScope = need.scope === 'same-subnet-pairs' ? 'same-subnet-pairs' : 'all-pairs';
      const why = need.scope === 'same-subnet-pairs'
        ? `Calico routes pod traffic of CrossSubnet IPPools ${need.pools.join(', ')} to peers in the same subnet without encapsulation.`
        : `Calico routes pod traffic of IPPools ${need.pools.join(', ')} (ipipMode and vxlanMode Never, or CrossSubnet together with a Never pool) to every peer without encapsulation.`;
      return [{ family, pairScope, why } as const];
    });
    out.push(...nativePodTraffic(origin('native', ENCAPSULATION_DOC), 'calico-native-pod-traffic', native));

    if (config.bgp.enabled) {
      for (const family of families(config.enableIPv4, config.enableIPv6)) {
        out.push(cniFlow(origin('bgp', REQUIREMENTS_DOC), {
          id: familyId('calico-bgp', family),
          title: `BGP TCP ${config.bgp.port} between nodes${family === 6 ? ' over IPv6' : ''}`,
          description: `BIRD peers with every other node (node-to-node mesh) on TCP ${config.bgp.port} of its ${family === 6 ? 'IPv6 ' : ''}node address to exchange pod routes; without it no route to another node's pods is learned.`,
          protocol: TCP, fromPort: config.bgp.port, toPort: config.bgp.port, family,
          source: nodeAddress(family), destination: nodeAddress(family),
        }));
      }
    }
    const typha = config.typha;
    if (typha.enabled && typha.nodes !== undefined && typha.nodes.length > 0) {
      // Felix reaches Typha through its Service, whose endpoints are the host-network pods' node addresses.
      const family = config.enableIPv4 ? 4 : 6;
      out.push(cniFlow(origin('typha', REQUIREMENTS_DOC), {
        id: familyId('calico-typha', family),
        title: `Typha TCP ${typha.port} to the nodes running Typha`,
        description: `Felix on every node connects to Typha on TCP ${typha.port} of the nodes that run it (${typha.nodes.join(', ')}) to receive the datastore's updates.`,
        protocol: TCP, fromPort: typha.port, toPort: typha.port, family,
        source: nodeAddress(family), destination: nodeAddress(family), destinationRole: 'typha',
      }));
    }
    const wg = config.wireguard;
    for (const family of [4, 6] as const) {
      if (!(family === 4 ? wg.ipv4 : wg.ipv6)) continue;
      const port = family === 4 ? wg.port : wg.portV6;
      out.push(cniFlow(origin('wireguard', WIREGUARD_DOC), {
        id: familyId('calico-wireguard', family),
        title: `WireGuard UDP ${port} between nodes${family === 6 ? ' over IPv6' : ''}`,
        description: `Felix's ${family === 4 ? 'wireguard.cali' : 'wg-v6.cali'} listens on UDP ${port} (FelixConfiguration wireguardListeningPort${family === 6 ? 'V6' : ''}); each node sends encrypted pod traffic to its peers' ${family === 6 ? 'IPv6 ' : ''}node address on that port.`,
        protocol: UDP, fromPort: port, toPort: port, family,
        source: nodeAddress(family), destination: nodeAddress(family),
      }));
    }
    return out;
  },

  warnings(config, ctx): Warning[] {
    const out: Warning[] = [];
    for (const pool of config.pools) {
      const family = tryParseCidr(pool.cidr)?.family;
      if (pool.disabled) continue;
      if (family === undefined) out.push({ code: 'calico-pool-cidr', message: `IPPool ${pool.name} has CIDR ${JSON.stringify(pool.cidr)}, which is not a CIDR; its traffic is not audited`, source: pool.source });
      else if (usableFamily(pool, config) === undefined) out.push({ code: 'calico-pool-family-off', message: `IPPool ${pool.name} (${pool.cidr}) is IPv${family}, but Calico runs without IPv${family}; its traffic is not audited`, source: pool.source });
      else if (family === 6 && pool.ipipMode !== 'Never') out.push({ code: 'calico-pool-ipip-v6', message: `IPPool ${pool.name} (${pool.cidr}) sets ipipMode ${pool.ipipMode}, but IP-in-IP carries IPv4 only; audited as if ipipMode were Never`, source: pool.source });
      if (pool.ipipMode !== 'Never' && pool.vxlanMode !== 'Never') out.push({ code: 'calico-pool-both-encapsulations', message: `IPPool ${pool.name} sets both ipipMode ${pool.ipipMode} and vxlanMode ${pool.vxlanMode}, which Calico refuses; both are audited`, source: pool.source });
    }
    const needs = poolNeeds(config);
    if (needs.ipip && !config.bgp.enabled) {
      out.push({ code: 'calico-ipip-without-bgp', message: `IPPools ${needs.ipip.pools.join(', ')} use IP-in-IP, but BGP is off; Calico up to v3.32 learns IP-in-IP routes only through BIRD, so check the Calico version` });
    }
    const native = [needs.native[4], needs.native[6]].filter((n) => n !== undefined);
    if (native.length > 0 && !config.bgp.enabled) {
      out.push({ code: 'calico-native-without-bgp', message: `IPPools ${native.flatMap((n) => n.pools).join(', ')} send pod traffic unencapsulated, but BGP is off, so no node learns routes to other nodes' pods unless the network provides them` });
    }
    if (needs.ipip?.scope !== 'all-pairs' || Object.values(needs.vxlan).some((n) => n.scope !== 'all-pairs')) {
      const prefixes = new Set(ctx.nodes.map((n) => n.calicoIpv4Address?.split('/')[1]).filter((p) => p !== undefined));
      if (prefixes.size > 1 && (needs.ipip || Object.keys(needs.vxlan).length > 0)) {
        out.push({ code: 'calico-cross-subnet-prefixes', message: `nodes' projectcalico.org/IPv4Address prefixes differ (/${[...prefixes].sort().join(', /')}); Felix decides CrossSubnet by the sender's own prefix, so one direction of a pair may be encapsulated and the other not. sgaudit splits pairs by the cloud subnets of their interfaces` });
      }
    }
    if (config.typha.enabled) out.push(...typhaWarnings(config.typha, ctx));
    return out;
  },
};

function typhaWarnings(typha: Extract<CalicoConfig['typha'], { enabled: true }>, ctx: CniRuleContext): Warning[] {
  if (typha.nodes === undefined) {
    return [{ code: 'calico-typha-placement-unknown', message: `Typha is enabled, but it is not known which nodes run it, so TCP ${typha.port} from every node to the Typha nodes is not audited; give the calico-typha pods or endpoints to audit it` }];
  }
  if (typha.nodes.length === 0) {
    return [{ code: 'calico-typha-no-nodes', message: `Typha is enabled, but no node runs a Typha pod, so TCP ${typha.port} to Typha is not audited` }];
  }
  const unmarked = typha.nodes.filter((name) => !ctx.nodes.some((n) => n.name === name && (n.roles?.includes('typha') ?? false)));
  if (unmarked.length === 0) return [];
  return [{ code: 'calico-typha-role-missing', message: `Typha runs on ${unmarked.join(', ')}, but ${unmarked.length === 1 ? 'that node is' : 'those nodes are'} not among the audited nodes with role typha, so TCP ${typha.port} to ${unmarked.length === 1 ? 'it' : 'them'} is not audited` }];
}
