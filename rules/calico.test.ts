import { describe, expect, it } from 'vitest';
import type { CalicoConfig, CalicoEncapsulationMode, CalicoPool } from '../src/model/cni.js';
import type { ClusterNode } from '../src/model/cluster.js';
import { calico } from './calico.js';
import { requirementsForCni } from './catalog.js';
import { ruleNode, summary } from './testing/summary.js';

function pool(name: string, cidr: string, ipipMode: CalicoEncapsulationMode, vxlanMode: CalicoEncapsulationMode = 'Never', disabled = false): CalicoPool {
  return { name, cidr, ipipMode, vxlanMode, disabled, source: { document: 'ippools.json', pointer: `/items/${name}` } };
}

/** The manifest default: BGP on, one IPv4 pool with IP-in-IP Always, no Typha, no WireGuard. */
function config(over: Partial<CalicoConfig> = {}): CalicoConfig {
  return {
    bgp: { enabled: true, port: 179 },
    pools: [pool('default-ipv4-ippool', '192.168.0.0/16', 'Always')],
    vxlan: { port: 4789, vni: 4096 },
    typha: { enabled: false },
    wireguard: { ipv4: false, ipv6: false, port: 51820, portV6: 51821 },
    enableIPv4: true,
    enableIPv6: false,
    ...over,
  };
}

const nodes = [ruleNode('a', { roles: ['typha'] }), ruleNode('b')];
const run = (c: CalicoConfig, n: ClusterNode[] = nodes) => requirementsForCni({ name: 'calico', calico: c }, n, { controlPlane: false });
const v6pool = (ipip: CalicoEncapsulationMode, vxlan: CalicoEncapsulationMode) => pool('default-ipv6-ippool', 'fd00:10:244::/48', ipip, vxlan);

const BGP = 'calico-bgp tcp(6)/179 node-vtep->node-vtep v4 all-pairs';
const BGP6 = 'calico-bgp-v6 tcp(6)/179 node-vtep-v6->node-vtep-v6 v6 all-pairs';
const FOREIGN = 'calico-native-foreign-address foreign-address-forwarding';

describe('calico requirements', () => {
  it.each<[string, CalicoConfig, string[]]>([
    ['IP-in-IP Always with BGP (manifest default)', config(), ['calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs', BGP]],
    ['IP-in-IP CrossSubnet: encapsulated across subnets, native within', config({ pools: [pool('p', '192.168.0.0/16', 'CrossSubnet')] }), [
      'calico-ipip ipip(4) node-vtep->node-vtep v4 cross-subnet-pairs',
      'calico-native-pod-traffic any pod-cidr->pod-cidr v4 same-subnet-pairs',
      FOREIGN, BGP,
    ]],
    ['VXLAN Always without BGP (calico-vxlan.yaml without CrossSubnet)', config({ bgp: { enabled: false, port: 179 }, pools: [pool('p', '192.168.0.0/16', 'Never', 'Always')] }), [
      'calico-vxlan udp(17)/4789 node-vtep->node-vtep v4 all-pairs',
    ]],
    ['VXLAN CrossSubnet on a custom vxlanPort', config({ bgp: { enabled: false, port: 179 }, vxlan: { port: 4790, vni: 4096 }, pools: [pool('p', '192.168.0.0/16', 'Never', 'CrossSubnet')] }), [
      'calico-vxlan udp(17)/4790 node-vtep->node-vtep v4 cross-subnet-pairs',
      'calico-native-pod-traffic any pod-cidr->pod-cidr v4 same-subnet-pairs',
      FOREIGN,
    ]],
    ['Never for both: native routing for every pair', config({ pools: [pool('p', '192.168.0.0/16', 'Never')] }), [
      'calico-native-pod-traffic any pod-cidr->pod-cidr v4 all-pairs', FOREIGN, BGP,
    ]],
    ['custom BGP listenPort', config({ bgp: { enabled: true, port: 1179 } }), ['calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs', 'calico-bgp tcp(6)/1179 node-vtep->node-vtep v4 all-pairs']],
    ['pools CrossSubnet + Always: IP-in-IP for every pair, native only for the CrossSubnet pool', config({ pools: [pool('a', '10.1.0.0/16', 'CrossSubnet'), pool('b', '10.2.0.0/16', 'Always')] }), [
      'calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs',
      'calico-native-pod-traffic any pod-cidr->pod-cidr v4 same-subnet-pairs',
      FOREIGN, BGP,
    ]],
    ['pools CrossSubnet + Never: native for every pair', config({ pools: [pool('a', '10.1.0.0/16', 'CrossSubnet'), pool('b', '10.2.0.0/16', 'Never')] }), [
      'calico-ipip ipip(4) node-vtep->node-vtep v4 cross-subnet-pairs',
      'calico-native-pod-traffic any pod-cidr->pod-cidr v4 all-pairs',
      FOREIGN, BGP,
    ]],
    ['pools IP-in-IP Always + VXLAN CrossSubnet: one flow each', config({ pools: [pool('a', '10.1.0.0/16', 'Always'), pool('b', '10.2.0.0/16', 'Never', 'CrossSubnet')] }), [
      'calico-vxlan udp(17)/4789 node-vtep->node-vtep v4 cross-subnet-pairs',
      'calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs',
      'calico-native-pod-traffic any pod-cidr->pod-cidr v4 same-subnet-pairs',
      FOREIGN, BGP,
    ]],
    ['a disabled pool asks for nothing', config({ pools: [pool('a', '10.1.0.0/16', 'Never', 'Always'), pool('old', '10.2.0.0/16', 'Always', 'Never', true)], bgp: { enabled: false, port: 179 } }), [
      'calico-vxlan udp(17)/4789 node-vtep->node-vtep v4 all-pairs',
    ]],
    ['dual-stack: IPv4 IP-in-IP, IPv6 VXLAN, BGP on both families', config({ enableIPv6: true, pools: [pool('v4', '10.1.0.0/16', 'Always'), v6pool('Never', 'Always')] }), [
      'calico-vxlan-v6 udp(17)/4789 node-vtep-v6->node-vtep-v6 v6 all-pairs',
      'calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs',
      BGP, BGP6,
    ]],
    ['dual-stack, IPv6 pool Never: native IPv6 pod traffic', config({ enableIPv6: true, pools: [pool('v4', '10.1.0.0/16', 'Always'), v6pool('Never', 'Never')] }), [
      'calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs',
      'calico-native-pod-traffic-v6 any pod-cidr->pod-cidr v6 all-pairs',
      FOREIGN, BGP, BGP6,
    ]],
    ['an IPv6 pool while IPv6 is off asks for nothing', config({ pools: [v6pool('Never', 'Always')], bgp: { enabled: false, port: 179 } }), []],
    ['Typha on known nodes: every node to the Typha nodes', config({ typha: { enabled: true, port: 5473, nodes: ['a'] } }), [
      'calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs', BGP,
      'calico-typha tcp(6)/5473 node-vtep->node-vtep v4 all-pairs *=>typha',
    ]],
    ['Typha placement unknown: no flow (a warning instead)', config({ typha: { enabled: true, port: 5473 } }), ['calico-ipip ipip(4) node-vtep->node-vtep v4 all-pairs', BGP]],
    ['WireGuard IPv4 and IPv6', config({ enableIPv6: true, pools: [], bgp: { enabled: false, port: 179 }, wireguard: { ipv4: true, ipv6: true, port: 51820, portV6: 51821 } }), [
      'calico-wireguard udp(17)/51820 node-vtep->node-vtep v4 all-pairs',
      'calico-wireguard-v6 udp(17)/51821 node-vtep-v6->node-vtep-v6 v6 all-pairs',
    ]],
    ['WireGuard IPv6 only, custom port', config({ enableIPv4: false, enableIPv6: true, pools: [], bgp: { enabled: false, port: 179 }, wireguard: { ipv4: false, ipv6: true, port: 51820, portV6: 51999 } }), [
      'calico-wireguard-v6 udp(17)/51999 node-vtep-v6->node-vtep-v6 v6 all-pairs',
    ]],
  ])('%s', (_name, c, expected) => {
    expect(run(c).requirements.map(summary)).toEqual(expected);
  });

  it('says which pools produced each requirement', () => {
    const { requirements } = run(config({ pools: [pool('a', '10.1.0.0/16', 'CrossSubnet'), pool('b', '10.2.0.0/16', 'Always')] }));
    const byId = new Map(requirements.map((r) => [r.id, r.description]));
    expect(byId.get('calico-ipip')).toContain('a (10.1.0.0/16), b (10.2.0.0/16)');
    expect(byId.get('calico-native-pod-traffic')).toContain('a (10.1.0.0/16)');
    expect(byId.get('calico-native-pod-traffic')).not.toContain('b (10.2.0.0/16)');
  });

  it('the IP-in-IP requirement says a Neutron rule named ipip does not prove it', () => {
    const ipip = run(config()).requirements.find((r) => r.id === 'calico-ipip')!;
    expect(ipip.description).toContain('`ipip`');
    expect(ipip.description).toContain('protocol 94');
    expect(ipip).toMatchObject({ cni: 'calico', backend: 'ipip', docUrl: 'https://docs.tigera.io/calico/latest/networking/configuring/vxlan-ipip' });
  });

  it('every requirement is declared, of cni calico, with an https source', () => {
    const { requirements } = run(config({ enableIPv6: true, typha: { enabled: true, port: 5473, nodes: ['a'] }, wireguard: { ipv4: true, ipv6: true, port: 51820, portV6: 51821 }, pools: [pool('a', '10.1.0.0/16', 'CrossSubnet'), v6pool('Never', 'CrossSubnet')] }));
    expect(requirements).toHaveLength(10);
    for (const r of requirements) {
      expect(calico.ids).toContain(r.id);
      expect(r.cni).toBe('calico');
      expect(r.docUrl).toMatch(/^https:\/\/docs\.tigera\.io\//);
    }
  });
});

describe('calico warnings', () => {
  const codes = (c: CalicoConfig, n: ClusterNode[] = nodes) => run(c, n).warnings.map((w) => w.code);

  it('none for the manifest default', () => {
    expect(codes(config())).toEqual([]);
  });

  it('Typha placement unknown is said, with the port that is not audited', () => {
    const { warnings } = run(config({ typha: { enabled: true, port: 5473 } }));
    expect(warnings).toEqual([expect.objectContaining({ code: 'calico-typha-placement-unknown' })]);
    expect(warnings[0]!.message).toContain('TCP 5473');
  });

  it('Typha on a node without the typha role, or on none', () => {
    expect(codes(config({ typha: { enabled: true, port: 5473, nodes: ['b'] } }))).toEqual(['calico-typha-role-missing']);
    expect(codes(config({ typha: { enabled: true, port: 5473, nodes: [] } }))).toEqual(['calico-typha-no-nodes']);
    expect(run(config({ typha: { enabled: true, port: 5473, nodes: [] } })).requirements.some((r) => r.id.startsWith('calico-typha'))).toBe(false);
  });

  it('IP-in-IP or native routing without BGP', () => {
    expect(codes(config({ bgp: { enabled: false, port: 179 } }))).toEqual(['calico-ipip-without-bgp']);
    expect(codes(config({ bgp: { enabled: false, port: 179 }, pools: [pool('p', '10.1.0.0/16', 'Never')] }))).toEqual(['calico-native-without-bgp']);
  });

  it('pools Calico would not use, or would refuse', () => {
    expect(codes(config({ pools: [v6pool('Never', 'Always')] }))).toEqual(['calico-pool-family-off']);
    expect(codes(config({ enableIPv6: true, pools: [v6pool('Always', 'Never')] }))).toEqual(['calico-pool-ipip-v6']);
    expect(codes(config({ pools: [pool('x', 'not-a-cidr', 'Always')] }))).toEqual(['calico-pool-cidr']);
    expect(codes(config({ pools: [pool('x', '10.1.0.0/16', 'Always', 'Always')] }))).toEqual(['calico-pool-both-encapsulations']);
  });

  it('CrossSubnet with mixed IPv4Address prefixes: the sender decides, so directions may differ', () => {
    const mixed = [ruleNode('a', { calicoIpv4Address: '10.0.1.5/24' }), ruleNode('b', { calicoIpv4Address: '10.0.1.6/16' })];
    const same = [ruleNode('a', { calicoIpv4Address: '10.0.1.5/24' }), ruleNode('b', { calicoIpv4Address: '10.0.1.6/24' })];
    const crossSubnet = config({ pools: [pool('p', '10.1.0.0/16', 'CrossSubnet')] });
    expect(codes(crossSubnet, mixed)).toEqual(['calico-cross-subnet-prefixes']);
    expect(codes(crossSubnet, same)).toEqual([]);
    expect(codes(config(), mixed)).toEqual([]);
  });
});
