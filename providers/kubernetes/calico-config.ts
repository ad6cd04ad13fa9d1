import type { ClusterNode } from '../../src/model/cluster.js';
import type { CalicoConfig, CalicoEncapsulationMode, CalicoPool } from '../../src/model/cni.js';
import { describeType, isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import { ipFamily, isPlainCidr, canonicalCidr } from '../../src/model/cidr.js';
import { pointerJoin, type SourceRef } from '../../src/model/source.js';
import { containerEnv, describeObject, specOf, stringData, type CniObject } from './cni-documents.js';

/** Calico's own defaults (FelixConfiguration, BGPConfiguration, Typha; docs.tigera.io reference/resources). */
export const CALICO_DEFAULTS = { bgpPort: 179, vxlanPort: 4789, vxlanVni: 4096, typhaPort: 5473, wireguardPort: 51820, wireguardPortV6: 51821 } as const;
/** calico-node creates this pool at start when none exists (CALICO_IPV4POOL_CIDR, CALICO_IPV4POOL_IPIP default Always). */
const DEFAULT_POOL = { name: 'default-ipv4-ippool', cidr: '192.168.0.0/16' };

const MODES: readonly CalicoEncapsulationMode[] = ['Always', 'CrossSubnet', 'Never'];
/** tigera/operator `calicoNetwork.ipPools[].encapsulation` → IPPool modes. */
const OPERATOR_ENCAPSULATION: Record<string, { ipipMode: CalicoEncapsulationMode; vxlanMode: CalicoEncapsulationMode }> = {
  IPIP: { ipipMode: 'Always', vxlanMode: 'Never' },
  IPIPCrossSubnet: { ipipMode: 'CrossSubnet', vxlanMode: 'Never' },
  VXLAN: { ipipMode: 'Never', vxlanMode: 'Always' },
  VXLANCrossSubnet: { ipipMode: 'Never', vxlanMode: 'CrossSubnet' },
  None: { ipipMode: 'Never', vxlanMode: 'Never' },
};

export interface CalicoParse {
  calico: CalicoConfig;
  /** Node names that run Typha, from calico-typha pods (also returned in calico.typha.nodes). */
  typhaNodes?: string[];
}

/**
 * Reads Calico's effective configuration from calico-config, the operator's Installation,
 * IPPools, FelixConfiguration, BGPConfiguration, the calico-node DaemonSet's env and
 * calico-typha pods. What no document says is Calico's default, and a warning says so.
 */
export function parseCalico(objects: CniObject[], nodes: ClusterNode[], issues: IssueCollector): CalicoParse {
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.name === 'calico-config');
  const installation = objects.find((o) => o.kind === 'Installation');
  const calicoNode = objects.find((o) => o.kind === 'DaemonSet' && (o.name === 'calico-node' || o.name === 'rke2-calico'));
  const felix = objects.find((o) => o.kind === 'FelixConfiguration' && (o.name === 'default' || o.name === undefined));
  const bgpConfig = objects.find((o) => o.kind === 'BGPConfiguration' && (o.name === 'default' || o.name === undefined));
  const typhaDeployment = objects.find((o) => o.kind === 'Deployment' && o.name === 'calico-typha');
  const typhaPods = objects.filter((o) => o.kind === 'Pod' && isTyphaPod(o));

  const data = config ? stringData(config, issues) : new Map<string, { value: string; pointer: string }>();
  const env = calicoNode ? containerEnv(calicoNode) : new Map<string, { value: string; pointer: string }>();
  const installSpec = installation ? specOf(installation, issues) : undefined;
  const network = installSpec ? objectField(installSpec, 'calicoNetwork', installation!, ['spec'], issues) : undefined;

  // BGP
  let bgpEnabled: boolean | undefined;
  const backend = data.get('calico_backend') ?? env.get('CALICO_NETWORKING_BACKEND');
  if (backend) {
    const at = backend === data.get('calico_backend') ? config! : calicoNode!;
    if (!['bird', 'vxlan', 'none'].includes(backend.value)) issues.problem(at.source.document, backend.pointer, 'calico_backend must be bird, vxlan or none', backend.value);
    else bgpEnabled = backend.value === 'bird';
  }
  if (installation) {
    const bgp = network?.bgp;
    if (bgp !== undefined && bgp !== 'Enabled' && bgp !== 'Disabled') {
      issues.problem(installation.source.document, pointerJoin(installation.source.pointer, 'spec', 'calicoNetwork', 'bgp'), 'calicoNetwork.bgp must be Enabled or Disabled', bgp);
    } else {
      // The operator's default is Enabled, except on EKS, where it disables BGP.
      bgpEnabled = bgp === undefined ? installSpec?.kubernetesProvider !== 'EKS' : bgp === 'Enabled';
    }
  }
  if (bgpEnabled === undefined) {
    bgpEnabled = true;
    issues.warn('calico-default-assumed', 'no calico-config calico_backend, Installation or calico-node CALICO_NETWORKING_BACKEND given; Calico\'s manifest default bird (BGP on) is assumed');
  }
  let bgpPort: number = CALICO_DEFAULTS.bgpPort;
  if (bgpConfig) {
    const spec = specOf(bgpConfig, issues);
    bgpPort = port(spec, 'listenPort', bgpConfig, issues) ?? bgpPort;
    if (spec.nodeToNodeMeshEnabled === false && bgpEnabled) {
      issues.warn('calico-bgp-mesh-off', `${describeObject(bgpConfig)} has nodeToNodeMeshEnabled: false; BGP runs only between the configured peers (route reflectors), but sgaudit audits TCP ${bgpPort} between every pair`, bgpConfig.source);
    }
  }

  // Pools: the IPPool resources are the cluster's state; Installation pools and calico-node env only say what was created at install.
  const pools = readPools(objects, installation, network, env, calicoNode, config, installation ? bgpEnabled : backend?.value !== 'vxlan', backend?.value, issues);

  // Felix
  let vxlan: { port: number; vni: number } = { port: CALICO_DEFAULTS.vxlanPort, vni: CALICO_DEFAULTS.vxlanVni };
  const wireguard = { ipv4: false, ipv6: false, port: CALICO_DEFAULTS.wireguardPort as number, portV6: CALICO_DEFAULTS.wireguardPortV6 as number };
  if (felix) {
    const spec = specOf(felix, issues);
    vxlan = { port: port(spec, 'vxlanPort', felix, issues) ?? vxlan.port, vni: int(spec, 'vxlanVNI', felix, 1, 16_777_215, issues) ?? vxlan.vni };
    wireguard.ipv4 = bool(spec, 'wireguardEnabled', felix, issues) ?? false;
    wireguard.ipv6 = bool(spec, 'wireguardEnabledV6', felix, issues) ?? false;
    wireguard.port = port(spec, 'wireguardListeningPort', felix, issues) ?? wireguard.port;
    wireguard.portV6 = port(spec, 'wireguardListeningPortV6', felix, issues) ?? wireguard.portV6;
  }

  // Typha: the operator always runs it; manifests when typha_service_name names a service.
  const typhaService = data.get('typha_service_name');
  const typhaOn = installation !== undefined || typhaDeployment !== undefined || typhaPods.length > 0 || (typhaService !== undefined && typhaService.value !== 'none');
  let typha: CalicoConfig['typha'] = { enabled: false };
  let typhaNodes: string[] | undefined;
  if (typhaOn) {
    const typhaPort = typhaDeployment ? containerPort(typhaDeployment, 'calico-typha') : undefined;
    typha = { enabled: true, port: typhaPort ?? CALICO_DEFAULTS.typhaPort };
    const placed = typhaPods.map((p) => (isPlainObject(p.body.spec) ? p.body.spec.nodeName : undefined)).filter((n): n is string => typeof n === 'string' && n !== '');
    if (placed.length > 0) {
      typhaNodes = [...new Set(placed)].sort();
      typha.nodes = typhaNodes;
      const known = new Set(nodes.map((n) => n.name));
      const unknown = typhaNodes.filter((n) => !known.has(n));
      if (unknown.length > 0) issues.warn('calico-typha-node-unknown', `calico-typha pods run on ${unknown.join(', ')}, which are not among the audited nodes`);
    } else {
      issues.warn('calico-typha-placement-unknown', 'Typha is enabled but no calico-typha pods were given; every node may run it, so TCP 5473 is required to every node (pass `kubectl -n calico-system get pods -l k8s-app=calico-typha -o json` to narrow it)');
    }
  }

  const enableIPv6 = pools.some((p) => !p.disabled && ipFamily(p.cidr.slice(0, p.cidr.indexOf('/'))) === 6) || nodes.some((n) => n.calicoIpv6Address !== undefined);
  const enableIPv4 = pools.some((p) => ipFamily(p.cidr.slice(0, p.cidr.indexOf('/'))) === 4) || !enableIPv6;
  const calico: CalicoConfig = { bgp: { enabled: bgpEnabled, port: bgpPort }, pools, vxlan, typha, wireguard, enableIPv4, enableIPv6 };
  return typhaNodes ? { calico, typhaNodes } : { calico };
}

function isTyphaPod(o: CniObject): boolean {
  const labels = isPlainObject(o.body.metadata) && isPlainObject(o.body.metadata.labels) ? o.body.metadata.labels : {};
  return labels['k8s-app'] === 'calico-typha' || (o.name?.startsWith('calico-typha-') ?? false);
}

function readPools(
  objects: CniObject[],
  installation: CniObject | undefined,
  network: Record<string, unknown> | undefined,
  env: Map<string, { value: string; pointer: string }>,
  calicoNode: CniObject | undefined,
  config: CniObject | undefined,
  bgpOn: boolean,
  backend: string | undefined,
  issues: IssueCollector,
): CalicoPool[] {
  const resources = objects.filter((o) => o.kind === 'IPPool');
  if (resources.length > 0) return resources.flatMap((o) => readPoolResource(o, issues) ?? []);
  if (installation && network && Array.isArray(network.ipPools)) {
    return network.ipPools.flatMap((p: unknown, i) => {
      const at = pointerJoin(installation.source.pointer, 'spec', 'calicoNetwork', 'ipPools', i);
      if (!isPlainObject(p)) {
        issues.problem(installation.source.document, at, `expected an IP pool object, got ${describeType(p)}`, p);
        return [];
      }
      const source = { document: installation.source.document, pointer: at };
      const cidr = cidrField(p.cidr, source, 'cidr', issues);
      // The operator defaults encapsulation to IPIP with BGP, VXLAN without (pkg/controller/ippool/defaults.go).
      const encapsulation = p.encapsulation ?? (bgpOn ? 'IPIP' : 'VXLAN');
      const modes = typeof encapsulation === 'string' ? OPERATOR_ENCAPSULATION[encapsulation] : undefined;
      if (!modes || !Object.hasOwn(OPERATOR_ENCAPSULATION, encapsulation as string)) {
        issues.problem(source.document, pointerJoin(at, 'encapsulation'), `encapsulation must be one of ${Object.keys(OPERATOR_ENCAPSULATION).join(', ')}`, encapsulation);
        return [];
      }
      if (!cidr) return [];
      return [{ name: typeof p.name === 'string' ? p.name : `default-ipv${ipFamily(cidr.slice(0, cidr.indexOf('/')))}-ippool`, cidr, ...modes, disabled: p.disableNewAllocations === true, source }];
    });
  }
  // No pool documents: the pool calico-node (or the operator) creates at start.
  const origin = installation ?? calicoNode ?? config;
  const source: SourceRef = origin ? origin.source : { document: '(calico defaults)', pointer: '' };
  const ipipEnv = env.get('CALICO_IPV4POOL_IPIP');
  const vxlanEnv = env.get('CALICO_IPV4POOL_VXLAN');
  const cidrEnv = env.get('CALICO_IPV4POOL_CIDR');
  const modeFrom = (e: { value: string; pointer: string } | undefined, fallback: CalicoEncapsulationMode): CalicoEncapsulationMode => {
    if (!e) return fallback;
    const m = MODES.find((x) => x.toLowerCase() === e.value.toLowerCase()) ?? (e.value.toLowerCase() === 'off' ? 'Never' : undefined);
    if (!m) issues.problem(calicoNode!.source.document, e.pointer, 'must be Always, CrossSubnet or Never', e.value);
    return m ?? fallback;
  };
  // Without BGP (calico_backend vxlan, or the operator with BGP off) IPIP has no routes, so the start-up pool is VXLAN.
  const vxlanMode = modeFrom(vxlanEnv, !bgpOn && backend !== 'none' && !ipipEnv ? 'Always' : 'Never');
  const ipipMode = modeFrom(ipipEnv, vxlanMode === 'Never' && backend !== 'none' ? 'Always' : 'Never');
  const cidr = cidrEnv ? cidrField(cidrEnv.value, { document: calicoNode!.source.document, pointer: cidrEnv.pointer }, 'CALICO_IPV4POOL_CIDR', issues) : DEFAULT_POOL.cidr;
  issues.warn(
    'calico-pool-assumed',
    `no IPPool documents given; the start-up pool ${DEFAULT_POOL.name} ${cidr ?? DEFAULT_POOL.cidr} with ipipMode ${ipipMode}, vxlanMode ${vxlanMode} is assumed${ipipEnv || vxlanEnv || cidrEnv ? ' (from the calico-node env)' : " (calico-node's defaults)"}; pass \`kubectl get ippools.crd.projectcalico.org -o json\` for the real pools`,
    source,
  );
  return [{ name: DEFAULT_POOL.name, cidr: cidr ?? DEFAULT_POOL.cidr, ipipMode, vxlanMode, disabled: false, source }];
}

function readPoolResource(o: CniObject, issues: IssueCollector): CalicoPool | undefined {
  const spec = specOf(o, issues);
  const at = pointerJoin(o.source.pointer, 'spec');
  const source = o.source;
  const cidr = cidrField(spec.cidr, { document: source.document, pointer: pointerJoin(at, 'cidr') }, 'spec.cidr', issues);
  const ipipMode = mode(spec, 'ipipMode', o, issues);
  const vxlanMode = mode(spec, 'vxlanMode', o, issues);
  const disabled = bool(spec, 'disabled', o, issues) ?? false;
  if (ipipMode && vxlanMode && ipipMode !== 'Never' && vxlanMode !== 'Never') {
    issues.problem(source.document, at, `IPPool ${o.name ?? ''} sets both ipipMode ${ipipMode} and vxlanMode ${vxlanMode}; Calico allows at most one encapsulation per pool`.replace('  ', ' '), { ipipMode, vxlanMode });
    return undefined;
  }
  if (!cidr || !ipipMode || !vxlanMode) return undefined;
  return { name: o.name ?? '(unnamed)', cidr, ipipMode, vxlanMode, disabled, source };
}

function mode(spec: Record<string, unknown>, key: string, o: CniObject, issues: IssueCollector): CalicoEncapsulationMode | undefined {
  const v = spec[key];
  if (v === undefined || v === null || v === '') return 'Never';
  if (typeof v === 'string' && (MODES as readonly string[]).includes(v)) return v as CalicoEncapsulationMode;
  issues.problem(o.source.document, pointerJoin(o.source.pointer, 'spec', key), `${key} must be Always, CrossSubnet or Never`, v);
  return undefined;
}

function cidrField(v: unknown, source: SourceRef, what: string, issues: IssueCollector): string | undefined {
  if (typeof v === 'string' && isPlainCidr(v)) return canonicalCidr(v);
  issues.problem(source.document, source.pointer, `${what} must be a CIDR such as 192.168.0.0/16`, v);
  return undefined;
}

function objectField(obj: Record<string, unknown>, key: string, o: CniObject, path: string[], issues: IssueCollector): Record<string, unknown> | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isPlainObject(v)) {
    issues.problem(o.source.document, pointerJoin(o.source.pointer, ...path, key), `${key} must be an object, got ${describeType(v)}`, v);
    return undefined;
  }
  return v;
}

function int(spec: Record<string, unknown>, key: string, o: CniObject, min: number, max: number, issues: IssueCollector): number | undefined {
  const v = spec[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    issues.problem(o.source.document, pointerJoin(o.source.pointer, 'spec', key), `${key} must be an integer between ${min} and ${max}`, v);
    return undefined;
  }
  return v;
}

function port(spec: Record<string, unknown>, key: string, o: CniObject, issues: IssueCollector): number | undefined {
  return int(spec, key, o, 1, 65535, issues);
}

function bool(spec: Record<string, unknown>, key: string, o: CniObject, issues: IssueCollector): boolean | undefined {
  const v = spec[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    issues.problem(o.source.document, pointerJoin(o.source.pointer, 'spec', key), `${key} must be true or false, got ${describeType(v)}`, v);
    return undefined;
  }
  return v;
}

/** The containerPort named `name` in a workload's pod template. */
function containerPort(o: CniObject, name: string): number | undefined {
  const containers = (o.body.spec as { template?: { spec?: { containers?: unknown } } } | undefined)?.template?.spec?.containers;
  if (!Array.isArray(containers)) return undefined;
  for (const c of containers) {
    if (!isPlainObject(c) || !Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (isPlainObject(p) && p.name === name && typeof p.containerPort === 'number') return p.containerPort;
    }
  }
  return undefined;
}
