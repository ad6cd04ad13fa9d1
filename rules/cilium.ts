import type { CiliumConfig } from '../src/model/cni.js';
import type { Requirement } from '../src/model/requirement.js';
import type { Warning } from '../src/model/source.js';
import { ESP, TCP, UDP, cniFlow, familyId, families, nativePodTraffic, nodeAddress, type CniRuleSet, type Origin } from './rule-set.js';

const DOCS = 'https://docs.cilium.io/en/stable';
/** "Firewall Rules": VXLAN 8472, Geneve 6081, health 4240 and ICMP 8/0, WireGuard 51871, ESP for IPsec. */
const FIREWALL_DOC = `${DOCS}/operations/system_requirements/#firewall-rules`;
/** Native routing: pod packets are routed by the network, so it must know and pass pod addresses. */
const ROUTING_DOC = `${DOCS}/network/concepts/routing/#native-routing`;

export const CILIUM_VXLAN_PORT = 8472;
export const CILIUM_GENEVE_PORT = 6081;
export const CILIUM_HEALTH_PORT = 4240;
export const CILIUM_WIREGUARD_PORT = 51871;

const origin = (backend: string, docUrl: string = FIREWALL_DOC): Origin => ({ cni: 'cilium', backend, docUrl });
const ICMP = { 4: { name: 'icmp', number: 1 }, 6: { name: 'icmpv6', number: 58 } } as const;
/** Echo request: ICMP type 8 (RFC 792), ICMPv6 type 128 (RFC 4443), code 0 in both. */
const ECHO_REQUEST = { 4: { type: 8, code: 0 }, 6: { type: 128, code: 0 } } as const;

export const cilium: CniRuleSet<CiliumConfig> = {
  name: 'cilium',
  docUrl: FIREWALL_DOC,
  ids: [
    'cilium-vxlan', 'cilium-vxlan-v6', 'cilium-geneve', 'cilium-geneve-v6',
    'cilium-native-pod-traffic', 'cilium-native-pod-traffic-v6', 'cilium-native-foreign-address',
    'cilium-health', 'cilium-health-v6', 'cilium-health-icmp', 'cilium-health-icmp-v6',
    'cilium-wireguard', 'cilium-wireguard-v6', 'cilium-ipsec', 'cilium-ipsec-v6',
  ],
  ports: [CILIUM_VXLAN_PORT, CILIUM_GENEVE_PORT, CILIUM_HEALTH_PORT, CILIUM_WIREGUARD_PORT],

  requirements(config) {
    const all = families(config.enableIPv4, config.enableIPv6);
    const out: Requirement[] = [];
    const routing = config.routing;
    if (routing.mode === 'tunnel') {
      // The tunnel runs over the IPv4 underlay whenever IPv4 is on, also for IPv6 pods; an
      // IPv6-only cluster can only tunnel over IPv6.
      const family = config.enableIPv4 ? 4 : 6;
      const name = routing.protocol === 'vxlan' ? 'VXLAN' : 'Geneve';
      const standard = routing.protocol === 'vxlan' ? CILIUM_VXLAN_PORT : CILIUM_GENEVE_PORT;
      out.push(cniFlow(origin(routing.protocol), {
        id: familyId(`cilium-${routing.protocol}`, family),
        title: `${name} UDP ${routing.port} between nodes${family === 6 ? ' over IPv6' : ''}`,
        description: `Cilium in tunnel mode (tunnel-protocol ${routing.protocol}) encapsulates pod traffic to each peer's ${family === 6 ? 'IPv6 ' : ''}node address on UDP ${routing.port}${routing.port === standard ? ' (its default)' : ' (tunnel-port)'}.`,
        protocol: UDP, fromPort: routing.port, toPort: routing.port, family,
        source: nodeAddress(family), destination: nodeAddress(family),
      }));
    } else {
      const within = routing.nativeRoutingCidr ? ` Traffic to ipv4-native-routing-cidr ${routing.nativeRoutingCidr} keeps its pod source address.` : '';
      out.push(...nativePodTraffic(origin('native', ROUTING_DOC), 'cilium-native-pod-traffic',
        all.map((family) => ({ family, pairScope: 'all-pairs', why: `Cilium in native routing mode sends pod traffic to every peer unencapsulated, with pod addresses on the wire.${within}` }))));
    }
    if (config.health.enabled) {
      const port = config.health.port;
      for (const family of all) {
        out.push(cniFlow(origin('health'), {
          id: familyId('cilium-health', family),
          title: `Cilium health checks TCP ${port} between nodes${family === 6 ? ' over IPv6' : ''}`,
          description: `cilium-health on every node probes each peer's ${family === 6 ? 'IPv6 ' : ''}node address over HTTP on TCP ${port} (cluster-health-port).`,
          protocol: TCP, fromPort: port, toPort: port, family,
          source: nodeAddress(family), destination: nodeAddress(family),
        }));
        out.push(cniFlow(origin('health'), {
          id: familyId('cilium-health-icmp', family),
          title: `Cilium health checks ${family === 4 ? 'ICMP' : 'ICMPv6'} echo between nodes`,
          description: `cilium-health pings each peer's ${family === 6 ? 'IPv6 ' : ''}node address (echo request ${family === 4 ? 'ICMP type 8, reply type 0' : 'ICMPv6 type 128, reply type 129'}); agents have failed to start without it. Only a rule admitting the echo request counts: one for another ICMP type (e.g. 3, fragmentation needed) does not carry it. Stateful security groups pass the reply as return traffic.`,
          protocol: ICMP[family], icmp: ECHO_REQUEST[family], family,
          source: nodeAddress(family), destination: nodeAddress(family),
        }));
      }
    }
    if (config.wireguard.enabled) {
      const port = config.wireguard.port;
      for (const family of all) {
        out.push(cniFlow(origin('wireguard'), {
          id: familyId('cilium-wireguard', family),
          title: `WireGuard UDP ${port} between nodes${family === 6 ? ' over IPv6' : ''}`,
          description: `cilium_wg0 listens on UDP ${port}; each node sends encrypted pod traffic to its peers' ${family === 6 ? 'IPv6 ' : ''}node address on that port.`,
          protocol: UDP, fromPort: port, toPort: port, family,
          source: nodeAddress(family), destination: nodeAddress(family),
        }));
      }
    }
    if (config.ipsec.enabled) {
      for (const family of all) {
        out.push(cniFlow(origin('ipsec'), {
          id: familyId('cilium-ipsec', family),
          title: `IPsec ESP (IP protocol 50) between nodes${family === 6 ? ' over IPv6' : ''}`,
          description: `With enable-ipsec, pod traffic between nodes travels as ESP between their ${family === 6 ? 'IPv6 ' : ''}node addresses; AWS security groups drop ESP unless a rule names protocol 50 or all traffic.`,
          protocol: ESP, family,
          source: nodeAddress(family), destination: nodeAddress(family),
        }));
      }
    }
    return out;
  },

  warnings(): Warning[] {
    return [];
  },
};
