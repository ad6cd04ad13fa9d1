import { describe, expect, it } from 'vitest';
import type { CiliumConfig } from '../src/model/cni.js';
import { cilium } from './cilium.js';
import { requirementsForCni } from './catalog.js';
import { ruleNode, summary } from './testing/summary.js';

/** Helm defaults: VXLAN tunnel on 8472, health checks on, no encryption, IPv4 only. */
function config(over: Partial<CiliumConfig> = {}): CiliumConfig {
  return {
    routing: { mode: 'tunnel', protocol: 'vxlan', port: 8472 },
    health: { enabled: true, port: 4240 },
    wireguard: { enabled: false, port: 51871 },
    ipsec: { enabled: false },
    enableIPv4: true,
    enableIPv6: false,
    ...over,
  };
}

const run = (c: CiliumConfig) => requirementsForCni({ name: 'cilium', cilium: c }, [ruleNode('a'), ruleNode('b')], { controlPlane: false });
const HEALTH = ['cilium-health tcp(6)/4240 node-vtep->node-vtep v4 all-pairs', 'cilium-health-icmp icmp(1) node-vtep->node-vtep v4 all-pairs'];
const HEALTH6 = ['cilium-health-v6 tcp(6)/4240 node-vtep-v6->node-vtep-v6 v6 all-pairs', 'cilium-health-icmp-v6 icmpv6(58) node-vtep-v6->node-vtep-v6 v6 all-pairs'];
const off = { health: { enabled: false, port: 4240 } };

describe('cilium requirements', () => {
  it.each<[string, CiliumConfig, string[]]>([
    ['VXLAN tunnel (default) with health checks', config(), ['cilium-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs', ...HEALTH]],
    ['VXLAN on a custom tunnel-port', config({ ...off, routing: { mode: 'tunnel', protocol: 'vxlan', port: 8473 } }), ['cilium-vxlan udp(17)/8473 node-vtep->node-vtep v4 all-pairs']],
    ['Geneve', config({ ...off, routing: { mode: 'tunnel', protocol: 'geneve', port: 6081 } }), ['cilium-geneve udp(17)/6081 node-vtep->node-vtep v4 all-pairs']],
    ['dual-stack tunnel: IPv4 underlay, health on both families', config({ enableIPv6: true }), ['cilium-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs', ...HEALTH, ...HEALTH6]],
    ['IPv6-only tunnel rides the IPv6 underlay', config({ ...off, enableIPv4: false, enableIPv6: true }), ['cilium-vxlan-v6 udp(17)/8472 node-vtep-v6->node-vtep-v6 v6 all-pairs']],
    ['native routing: pod traffic like host-gw, plus foreign addresses', config({ ...off, routing: { mode: 'native', nativeRoutingCidr: '10.0.0.0/8' } }), [
      'cilium-native-pod-traffic any pod-cidr->pod-cidr v4 all-pairs', 'cilium-native-foreign-address foreign-address-forwarding',
    ]],
    ['native routing dual-stack', config({ ...off, enableIPv6: true, routing: { mode: 'native' } }), [
      'cilium-native-pod-traffic any pod-cidr->pod-cidr v4 all-pairs', 'cilium-native-pod-traffic-v6 any pod-cidr->pod-cidr v6 all-pairs', 'cilium-native-foreign-address foreign-address-forwarding',
    ]],
    ['health on a custom cluster-health-port', config({ health: { enabled: true, port: 4241 } }), [
      'cilium-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs', 'cilium-health tcp(6)/4241 node-vtep->node-vtep v4 all-pairs', 'cilium-health-icmp icmp(1) node-vtep->node-vtep v4 all-pairs',
    ]],
    ['WireGuard, dual-stack: one port on both families', config({ ...off, enableIPv6: true, wireguard: { enabled: true, port: 51871 } }), [
      'cilium-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs',
      'cilium-wireguard udp(17)/51871 node-vtep->node-vtep v4 all-pairs', 'cilium-wireguard-v6 udp(17)/51871 node-vtep-v6->node-vtep-v6 v6 all-pairs',
    ]],
    ['IPsec: ESP', config({ ...off, ipsec: { enabled: true } }), ['cilium-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs', 'cilium-ipsec esp(50) node-vtep->node-vtep v4 all-pairs']],
  ])('%s', (_name, c, expected) => {
    expect(run(c).requirements.map(summary)).toEqual(expected);
  });

  it('every requirement is declared, of cni cilium, citing the Cilium docs', () => {
    const { requirements } = run(config({ enableIPv6: true, wireguard: { enabled: true, port: 51871 }, ipsec: { enabled: true } }));
    for (const r of requirements) {
      expect(cilium.ids).toContain(r.id);
      expect(r.cni).toBe('cilium');
      expect(r.docUrl).toMatch(/^https:\/\/docs\.cilium\.io\//);
    }
  });

  it('the ICMP health flow needs protocol 1 with no ports, which only an ICMP or all-traffic rule meets', () => {
    const icmp = run(config()).requirements.find((r) => r.id === 'cilium-health-icmp');
    expect(icmp).toMatchObject({ kind: 'flow', protocol: { name: 'icmp', number: 1 }, icmp: { type: 8, code: 0 } });
    expect(icmp).not.toHaveProperty('fromPort');
  });

  it('needs ICMPv6 echo request (type 128) over IPv6', () => {
    const dual = run(config({ enableIPv6: true })).requirements.find((r) => r.id === 'cilium-health-icmp-v6');
    expect(dual).toMatchObject({ kind: 'flow', family: 6, protocol: { name: 'icmpv6', number: 58 }, icmp: { type: 128, code: 0 } });
  });

  it('no longer warns that ICMP types are not checked: the evaluator checks them', () => {
    expect(run(config()).warnings).toEqual([]);
    expect(run(config(off)).warnings).toEqual([]);
  });
});
