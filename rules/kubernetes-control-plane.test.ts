import { describe, expect, it } from 'vitest';
import type { FlannelConfig } from '../src/model/cluster.js';
import type { CniConfig } from '../src/model/cni.js';
import { requirementsForCni } from './catalog.js';
import { ruleNode, summary } from './testing/summary.js';

const flannel: FlannelConfig = {
  network: '10.244.0.0/16', enableIPv4: true, enableIPv6: false,
  backend: { type: 'vxlan', port: undefined, vni: 1, directRouting: false, gbp: false },
  origin: { kind: 'node-annotations', note: 'test' },
};
const VXLAN = 'flannel-vxlan udp(17)/8472 node-vtep->node-vtep v4 all-pairs';
const API = 'kubernetes-api-server tcp(6)/6443 node-vtep->node-vtep v4 all-pairs *=>control-plane';
const KUBELET = 'kubernetes-kubelet tcp(6)/10250 node-vtep->node-vtep v4 all-pairs control-plane=>*';

const stacked = [ruleNode('cp', { roles: ['control-plane'] }), ruleNode('w')];
const external = [ruleNode('cp', { roles: ['control-plane'] }), ruleNode('e1', { roles: ['etcd'] }), ruleNode('w')];

describe('control-plane requirements', () => {
  it('are off unless asked for', () => {
    expect(requirementsForCni({ name: 'flannel', flannel }, stacked, { controlPlane: false }).requirements.map(summary)).toEqual([VXLAN]);
  });

  it.each<[string, CniConfig, Parameters<typeof requirementsForCni>[1], string[]]>([
    ['flannel, stacked etcd on the control-plane nodes', { name: 'flannel', flannel }, stacked, [
      VXLAN, API, KUBELET, 'kubernetes-etcd tcp(6)/2379-2380 node-vtep->node-vtep v4 all-pairs control-plane=>control-plane',
    ]],
    ['nodes labelled etcd are the members', { name: 'flannel', flannel }, external, [
      VXLAN, API, KUBELET, 'kubernetes-etcd tcp(6)/2379-2380 node-vtep->node-vtep v4 all-pairs etcd=>etcd',
    ]],
    ['RKE2 (canal): supervisor 9345 to the servers too', { name: 'rke2', flannel }, stacked, [
      VXLAN, API, KUBELET, 'kubernetes-etcd tcp(6)/2379-2380 node-vtep->node-vtep v4 all-pairs control-plane=>control-plane',
      'kubernetes-rke2-supervisor tcp(6)/9345 node-vtep->node-vtep v4 all-pairs *=>control-plane',
    ]],
    ['IPv6-only cluster talks over IPv6', { name: 'k3s', flannel: { ...flannel, enableIPv4: false, enableIPv6: true } }, stacked, [
      'flannel-vxlan-v6 udp(17)/8472 node-vtep-v6->node-vtep-v6 v6 all-pairs',
      'kubernetes-api-server-v6 tcp(6)/6443 node-vtep-v6->node-vtep-v6 v6 all-pairs *=>control-plane',
      'kubernetes-kubelet-v6 tcp(6)/10250 node-vtep-v6->node-vtep-v6 v6 all-pairs control-plane=>*',
      'kubernetes-etcd-v6 tcp(6)/2379-2380 node-vtep-v6->node-vtep-v6 v6 all-pairs control-plane=>control-plane',
    ]],
  ])('%s', (_name, cni, nodes, expected) => {
    const { requirements } = requirementsForCni(cni, nodes, { controlPlane: true });
    expect(requirements.map(summary)).toEqual(expected);
    for (const r of requirements.filter((x) => x.id.startsWith('kubernetes-'))) expect(r.cni).toBe('kubernetes');
  });

  it('RKE2 with its bundled Calico also gets the supervisor port', () => {
    const calico: CniConfig = {
      name: 'calico', distribution: 'rke2',
      calico: { bgp: { enabled: false, port: 179 }, pools: [], vxlan: { port: 4789, vni: 4096 }, typha: { enabled: false }, wireguard: { ipv4: false, ipv6: false, port: 51820, portV6: 51821 }, enableIPv4: true, enableIPv6: false },
    };
    expect(requirementsForCni(calico, stacked, { controlPlane: true }).requirements.map((r) => r.id)).toContain('kubernetes-rke2-supervisor');
  });

  it('warns when no node is a control-plane node, and when the InternalIP is not the audited address', () => {
    const workers = [ruleNode('w1', { internalIp: '10.0.0.1' }), ruleNode('w2', { vtepIp: '203.0.113.7', internalIp: '10.0.0.2' })];
    const { warnings } = requirementsForCni({ name: 'flannel', flannel }, workers, { controlPlane: true });
    expect(warnings.map((w) => w.code)).toEqual(['control-plane-nodes-missing', 'control-plane-address']);
    expect(warnings[1]!.message).toContain('w2 (10.0.0.2 vs 203.0.113.7)');
    expect(warnings[1]!.message).not.toContain('w1');
    expect(requirementsForCni({ name: 'flannel', flannel }, stacked, { controlPlane: true }).warnings).toEqual([]);
  });
});
