import { describe, expect, it } from 'vitest';
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import { ipPool, node } from '../../providers/kubernetes/testdata/cni.js';
import type { RawDocument } from '../model/documents.js';
import { InputError } from '../model/source.js';
import { probeCniOf } from './probe-cni.js';

const doc = (name: string, body: unknown): RawDocument => ({ name, body }) as RawDocument;
const nodes = translateNodes([doc('nodes.json', { kind: 'List', items: [
  node('c-0', '10.0.1.20', { annotations: { 'projectcalico.org/IPv4Address': '10.0.1.20/24', 'projectcalico.org/IPv4VXLANTunnelAddr': '192.168.10.1' } }),
  node('c-1', '10.0.2.21', { annotations: { 'projectcalico.org/IPv4Address': '10.0.2.21/24', 'projectcalico.org/IPv4VXLANTunnelAddr': '192.168.20.1' } }),
] })]).nodes;
const pool = (spec: Record<string, unknown>) => [doc('pools.json', ipPool('p', { cidr: '192.168.0.0/16', ...spec }))];

describe('probeCniOf', () => {
  it('accepts Calico with an IPv4 VXLAN pool, Always or CrossSubnet', () => {
    for (const vxlanMode of ['Always', 'CrossSubnet']) {
      const checked = probeCniOf(pool({ ipipMode: 'Never', vxlanMode }), nodes, 'calico');
      expect(checked.ok, vxlanMode).toBe(true);
    }
    expect(nodes.map((n) => n.calicoVxlanTunnelAddress)).toEqual(['192.168.10.1', '192.168.20.1']);
  });

  it('refuses Calico IP-in-IP, native Calico and Cilium with the reason', () => {
    const ipip = probeCniOf(pool({ ipipMode: 'Always', vxlanMode: 'Never' }), nodes, 'calico');
    expect(ipip).toMatchObject({ ok: false, reason: expect.stringMatching(/Calico IP-in-IP \(tunl0, IP protocol 4\) and no IPv4 VXLAN pool/) });
    const native = probeCniOf(pool({ ipipMode: 'Never', vxlanMode: 'Never' }), nodes, 'calico');
    expect(native).toMatchObject({ ok: false, reason: expect.stringMatching(/without encapsulation/) });
    const cilium = probeCniOf([], nodes, 'cilium');
    expect(cilium).toMatchObject({ ok: false, reason: expect.stringMatching(/Cilium encapsulates in eBPF/) });
  });

  it('a malformed IPv4VXLANTunnelAddr annotation is bad input naming the annotation', () => {
    const bad = () => translateNodes([doc('nodes.json', node('c-0', '10.0.1.20', { annotations: { 'projectcalico.org/IPv4VXLANTunnelAddr': '192.168.10.1/26' } }))]);
    expect(bad).toThrow(InputError);
    try {
      bad();
    } catch (e) {
      expect((e as InputError).problems[0]).toMatchObject({ value: '192.168.10.1/26', reason: 'not a plain IPv4 address such as 10.244.3.0' });
      expect((e as InputError).problems[0]!.pointer).toContain('IPv4VXLANTunnelAddr');
    }
  });
});
