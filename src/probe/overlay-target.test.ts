import { describe, expect, it } from 'vitest';
import type { ClusterNode } from '../model/cluster.js';
import type { CalicoConfig, CalicoEncapsulationMode, CniConfig } from '../model/cni.js';
import { probeNodesFromCluster, Inventory } from './inventory.js';
import { pairSkipReason } from './overlay-target.js';

const src = { document: 'nodes.json', pointer: '' };
const node = (name: string, ip: string, extra: Partial<ClusterNode> = {}): ClusterNode => ({
  name, os: 'linux', vtepIp: ip, vtepSource: 'calico-ipv4-address-annotation', internalIp: ip, podCidrs: [`10.244.${ip.split('.')[3]}.0/24`], source: src, ...extra,
});
const calico = (vxlanMode: CalicoEncapsulationMode, ipipMode: CalicoEncapsulationMode = 'Never', port = 4789): CniConfig => ({
  name: 'calico',
  calico: {
    bgp: { enabled: false, port: 179 },
    pools: [{ name: 'p', cidr: '10.200.0.0/16', ipipMode, vxlanMode, disabled: false, source: src }],
    vxlan: { port, vni: 4096 },
    typha: { enabled: false },
    wireguard: { ipv4: false, ipv6: false, port: 51820, portV6: 51821 },
    enableIPv4: true,
    enableIPv6: false,
  } satisfies CalicoConfig,
});
const a = node('a', '10.0.1.5', { calicoIpv4Address: '10.0.1.5/24', calicoVxlanTunnelAddress: '10.200.1.1' });
const b = node('b', '10.0.1.6', { calicoIpv4Address: '10.0.1.6/24', calicoVxlanTunnelAddress: '10.200.2.1' });
const c = node('c', '10.0.2.7', { calicoIpv4Address: '10.0.2.7/24', calicoVxlanTunnelAddress: '10.200.3.1' });
const skips = (cni: CniConfig | undefined, nodes: ClusterNode[]) => {
  const probe = probeNodesFromCluster(nodes, cni);
  const out: Record<string, string | undefined> = {};
  for (const s of probe) for (const d of probe) if (s !== d) out[`${s.name}->${d.name}`] = pairSkipReason(s, d);
  return { probe, out };
};

describe('overlay targets per CNI', () => {
  it('Calico VXLAN Always: every pair, to the peer\'s IPv4VXLANTunnelAddr, not its podCIDR', () => {
    const { probe, out } = skips(calico('Always', 'Never', 4790), [a, b, c]);
    expect(probe.map((p) => p.overlayIp)).toEqual(['10.200.1.1', '10.200.2.1', '10.200.3.1']);
    expect(probe[0]!.overlay).toEqual({ kind: 'tunnel', ip: '10.200.1.1', path: { kind: 'vxlan', port: 4790, device: 'vxlan.calico' } });
    expect(Object.values(out).every((r) => r === undefined)).toBe(true);
  });

  it('Calico CrossSubnet: only pairs the sender sees in another subnet are probed', () => {
    const { out } = skips(calico('CrossSubnet'), [a, b, c]);
    expect(out['a->b']).toBe("b (10.0.1.6) is in a's subnet 10.0.1.5/24: Calico's CrossSubnet mode routes this pair natively, without VXLAN");
    expect(out['b->a']).toMatch(/routes this pair natively/);
    expect(out['a->c']).toBeUndefined();
    expect(out['c->a']).toBeUndefined();
    // The sender's own prefix decides (as Felix does): a /16 sender sees c as local, c's /24 does not see a.
    const wide = { ...a, calicoIpv4Address: '10.0.1.5/16' };
    const mixed = skips(calico('CrossSubnet'), [wide, c]).out;
    expect(mixed['a->c']).toMatch(/routes this pair natively/);
    expect(mixed['c->a']).toBeUndefined();
    const { calicoIpv4Address: _, ...bare } = a;
    expect(skips(calico('CrossSubnet'), [bare, c]).out['a->c']).toBe('a has no projectcalico.org/IPv4Address annotation, so whether it encapsulates to c (CrossSubnet) is unknown');
  });

  it('a node without the tunnel annotation is not probed, with the reason; it still probes others', () => {
    const { calicoVxlanTunnelAddress: _, ...bare } = b;
    const { probe, out } = skips(calico('Always'), [a, bare]);
    expect(probe[1]!.overlayIp).toBeUndefined();
    expect(out['a->b']).toMatch(/^b has no projectcalico.org\/IPv4VXLANTunnelAddr annotation/);
    expect(out['b->a']).toBeUndefined();
  });

  it('a tunnel address outside every pool, or in a vxlanMode Never pool, is not probed', () => {
    const outside = { ...b, calicoVxlanTunnelAddress: '172.31.0.1' };
    expect(skips(calico('Always'), [a, outside]).out['a->b']).toMatch(/172\.31\.0\.1 is in no known IPv4 IPPool/);
    expect(skips(calico('Never', 'Always'), [a, b]).out['a->b']).toMatch(/IPPool p \(10\.200\.0\.0\/16\) with vxlanMode Never/);
  });

  it('Calico IP-in-IP and native routing are not probed, with the reason', () => {
    const plain = [a, b].map(({ calicoVxlanTunnelAddress: _, ...n }) => n);
    expect(skips(calico('Never', 'Always'), plain).out['a->b']).toMatch(/^Calico IP-in-IP \(tunl0, IP protocol 4\) is not probed/);
    expect(skips(calico('Never', 'Never'), plain).out['a->b']).toMatch(/without encapsulation/);
  });

  it('Cilium VXLAN and Geneve are not probed: eBPF has no kernel route to a tunnel address', () => {
    for (const protocol of ['vxlan', 'geneve'] as const) {
      const cilium: CniConfig = { name: 'cilium', cilium: { routing: { mode: 'tunnel', protocol, port: protocol === 'vxlan' ? 8472 : 6081 }, health: { enabled: true, port: 4240 }, wireguard: { enabled: false, port: 51871 }, ipsec: { enabled: false }, enableIPv4: true, enableIPv6: false } };
      const { probe, out } = skips(cilium, [a, b]);
      expect(probe[0]!.overlayIp).toBeUndefined();
      expect(out['a->b']).toMatch(new RegExp(`^Cilium \\(${protocol === 'vxlan' ? 'VXLAN on UDP 8472' : 'Geneve on UDP 6081'}\\) encapsulates in eBPF`));
    }
  });

  it('flannel: the first address of the pod CIDR, on the backend\'s port and device; unknown CNI keeps flannel\'s address', () => {
    const flannel: CniConfig = { name: 'k3s', flannel: { network: '10.244.0.0/16', backend: { type: 'vxlan', port: 4789, vni: 2, directRouting: false, gbp: false }, origin: { kind: 'default' } } as never };
    const { probe, out } = skips(flannel, [a, b]);
    expect(probe[0]!.overlay).toEqual({ kind: 'tunnel', ip: '10.244.5.0', path: { kind: 'vxlan', port: 4789, device: 'flannel.2' } });
    expect(out['a->b']).toBeUndefined();
    const legacy = probeNodesFromCluster([a]);
    expect(legacy[0]).toMatchObject({ overlayIp: '10.244.5.0' });
    expect(legacy[0]!.overlay).toBeUndefined();
  });

  it('the agent allow-list accepts a node\'s flannel and Calico tunnel addresses, nothing else', () => {
    const inventory = new Inventory(probeNodesFromCluster([a, b]));
    expect(inventory.checkTarget({ node: 'b', overlayIp: '10.200.2.1' })).toEqual({ ok: true });
    expect(inventory.checkTarget({ node: 'b', overlayIp: '10.244.6.0' })).toEqual({ ok: true });
    expect(inventory.checkTarget({ node: 'b', overlayIp: '10.200.1.1' })).toEqual({ ok: false, reason: '10.200.1.1 is not an overlay address of b (inventory: 10.244.6.0, 10.200.2.1)' });
  });
});

describe('not-probed before agent-missing', () => {
  it('a pair the CNI routes outside the tunnel is not-probed even when no agent answers', async () => {
    const { runProbes } = await import('./orchestrator.js');
    const { calicoVxlanTunnelAddress: _, ...bare } = b;
    // Agents on 127.0.0.x port 9 (discard): nothing listens, so both agents are missing.
    const nodes = probeNodesFromCluster([{ ...a, vtepIp: '127.0.0.71', internalIp: '127.0.0.71' }, { ...bare, vtepIp: '127.0.0.72', internalIp: '127.0.0.72' }], calico('Always'));
    const report = await runProbes({ nodes, agentPort: 9, secret: Buffer.alloc(32, 1), timeoutMs: 200, requestTimeoutMs: 500 });
    const verdicts = Object.fromEntries(report.results.map((r) => [`${r.sourceNode}->${r.destinationNode}`, r.verdict]));
    expect(verdicts).toEqual({ 'a->b': 'not-probed', 'b->a': 'agent-missing' });
  });
});
