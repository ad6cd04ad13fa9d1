import { describe, expect, it } from 'vitest';
import type { ClusterNode, FlannelBackend, FlannelConfig } from '../src/model/cluster.js';
import type { FlowRequirement, Requirement } from '../src/model/requirement.js';
import { requirementsFor } from './catalog.js';

function node(name: string, os: 'linux' | 'windows' = 'linux'): ClusterNode {
  return { name, os, vtepIp: '10.0.0.1', vtepSource: 'public-ip-annotation', podCidrs: ['10.244.1.0/24'], source: { document: 'nodes.json', pointer: '/items/0' } };
}
const linux = [node('a'), node('b')];
const mixed = [node('a'), node('win-1', 'windows')];

function config(backend: FlannelBackend, over: Partial<FlannelConfig> = {}): FlannelConfig {
  return { network: '10.244.0.0/16', enableIPv4: true, enableIPv6: false, backend, origin: { kind: 'net-conf', source: { document: 'f', pointer: '' } }, ...over };
}

/** Compact view of a requirement: id, kind, protocol/ports, endpoints, family, scope. */
function summary(r: Requirement): string {
  if (r.kind !== 'flow') return `${r.id} ${r.kind}`;
  const f: FlowRequirement = r;
  const ports = f.fromPort === undefined ? '' : f.fromPort === f.toPort ? `/${f.fromPort}` : `/${f.fromPort}-${f.toPort}`;
  return `${f.id} ${f.protocol.name}${f.protocol.number === undefined ? '' : `(${f.protocol.number})`}${ports} ${f.source}->${f.destination} v${f.family} ${f.pairScope ?? 'all-pairs'}`;
}

const vxlan = (over: Partial<Extract<FlannelBackend, { type: 'vxlan' }>> = {}): FlannelBackend => ({ type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false, ...over });

describe('requirementsFor: each backend', () => {
  it.each<[string, FlannelConfig, ClusterNode[], string[]]>([
    ['vxlan, port unset, Linux only -> 8472', config(vxlan()), linux, ['flannel-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs']],
    ['vxlan, custom port', config(vxlan({ port: 4790 })), linux, ['flannel-vxlan udp(17)/4790 node-vtep->node-vtep v4 all-pairs']],
    ['vxlan, port unset, Windows node -> 4789', config(vxlan()), mixed, ['flannel-vxlan udp(17)/4789 node-vtep->node-vtep v4 all-pairs']],
    ['vxlan dual-stack', config(vxlan(), { enableIPv6: true }), linux, [
      'flannel-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs',
      'flannel-vxlan-v6 udp(17)/8472 node-vtep-v6->node-vtep-v6 v6 all-pairs',
    ]],
    ['vxlan IPv6 only', config(vxlan(), { enableIPv4: false, enableIPv6: true }), linux, ['flannel-vxlan-v6 udp(17)/8472 node-vtep-v6->node-vtep-v6 v6 all-pairs']],
    ['vxlan DirectRouting', config(vxlan({ directRouting: true })), linux, [
      'flannel-vxlan udp(17)/8472 node-vtep->node-vtep v4 cross-subnet-pairs',
      'flannel-vxlan-direct-routing any pod-cidr->pod-cidr v4 same-subnet-pairs',
      'flannel-vxlan-foreign-address foreign-address-forwarding',
    ]],
    ['udp default', config({ type: 'udp', port: 8285 }), linux, ['flannel-udp udp(17)/8285 node-vtep->node-vtep v4 all-pairs']],
    ['udp custom port', config({ type: 'udp', port: 9000 }), linux, ['flannel-udp udp(17)/9000 node-vtep->node-vtep v4 all-pairs']],
    ['wireguard v4', config({ type: 'wireguard', listenPort: 51820, listenPortV6: 51821, mode: 'separate' }), linux, ['flannel-wireguard udp(17)/51820 node-vtep->node-vtep v4 all-pairs']],
    ['wireguard separate dual-stack', config({ type: 'wireguard', listenPort: 51820, listenPortV6: 51821, mode: 'separate' }, { enableIPv6: true }), linux, [
      'flannel-wireguard udp(17)/51820 node-vtep->node-vtep v4 all-pairs',
      'flannel-wireguard-v6 udp(17)/51821 node-vtep-v6->node-vtep-v6 v6 all-pairs',
    ]],
    ['wireguard ipv6 mode: one tunnel on ListenPort over IPv6', config({ type: 'wireguard', listenPort: 51820, listenPortV6: 51821, mode: 'ipv6' }, { enableIPv6: true }), linux, [
      'flannel-wireguard-v6 udp(17)/51820 node-vtep-v6->node-vtep-v6 v6 all-pairs',
    ]],
    ['wireguard ipv4 mode: one tunnel over IPv4', config({ type: 'wireguard', listenPort: 51820, listenPortV6: 51821, mode: 'ipv4' }, { enableIPv6: true }), linux, [
      'flannel-wireguard udp(17)/51820 node-vtep->node-vtep v4 all-pairs',
    ]],
    ['host-gw', config({ type: 'host-gw' }), linux, [
      'flannel-host-gw-l2-adjacency l2-adjacency',
      'flannel-host-gw-pod-traffic any pod-cidr->pod-cidr v4 all-pairs',
      'flannel-host-gw-foreign-address foreign-address-forwarding',
    ]],
    ['ipsec', config({ type: 'ipsec', udpEncap: false }), linux, [
      'flannel-ipsec-esp esp(50) node-vtep->node-vtep v4 all-pairs',
      'flannel-ipsec-ike udp(17)/500 node-vtep->node-vtep v4 all-pairs',
      'flannel-ipsec-nat-t udp(17)/4500 node-vtep->node-vtep v4 all-pairs',
    ]],
    ['ipip', config({ type: 'ipip', directRouting: false }), linux, ['flannel-ipip ipip(4) node-vtep->node-vtep v4 all-pairs']],
    ['ipip DirectRouting (IPv4 only even with EnableIPv6)', config({ type: 'ipip', directRouting: true }, { enableIPv6: true }), linux, [
      'flannel-ipip ipip(4) node-vtep->node-vtep v4 cross-subnet-pairs',
      'flannel-ipip-direct-routing any pod-cidr->pod-cidr v4 same-subnet-pairs',
      'flannel-ipip-foreign-address foreign-address-forwarding',
    ]],
  ])('%s', (_name, flannel, nodes, expected) => {
    expect(requirementsFor(flannel, nodes).requirements.map(summary)).toEqual(expected);
  });

  it('every requirement links to flannel backends.md for its backend', () => {
    const { requirements } = requirementsFor(config(vxlan({ directRouting: true })), linux);
    for (const r of requirements) expect(r.docUrl).toBe('https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md#vxlan');
  });
});

describe('requirementsFor: warnings', () => {
  it.each<[string, FlannelConfig, ClusterNode[], string[]]>([
    ['Linux-only vxlan', config(vxlan()), linux, []],
    ['Windows with the port unset must set 4789 cluster-wide', config(vxlan({ vni: 4096 })), mixed, ['vxlan-windows-port']],
    ['Windows with port 8472', config(vxlan({ port: 8472, vni: 4096 })), mixed, ['vxlan-windows-port']],
    ['Windows with port 4789 and VNI 1', config(vxlan({ port: 4789 })), mixed, ['vxlan-windows-vni']],
    ['Windows with everything right', config(vxlan({ port: 4789, vni: 4096 })), mixed, []],
    ['wireguard auto dual-stack', config({ type: 'wireguard', listenPort: 51820, listenPortV6: 51821, mode: 'auto' }, { enableIPv6: true }), linux, ['wireguard-auto-mode']],
  ])('%s', (_name, flannel, nodes, codes) => {
    expect(requirementsFor(flannel, nodes).warnings.map((w) => w.code)).toEqual(codes);
  });

  it('the Windows port warning says the port must be set cluster-wide', () => {
    const [w] = requirementsFor(config(vxlan({ vni: 4096 })), mixed).warnings;
    expect(w!.message).toContain('win-1');
    expect(w!.message).toContain('set Port 4789 cluster-wide');
  });
});
