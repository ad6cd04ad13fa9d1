import { describe, expect, it } from 'vitest';
import type { ReportRequirement } from '../model/report.js';
import { probePlan } from './encapsulation.js';

const tunnel = (id: string, port: number, extra: Partial<ReportRequirement> = {}): ReportRequirement => ({
  id, kind: 'flow', backend: 'vxlan', title: id, description: '', docUrl: '', protocol: 'udp', fromPort: port, toPort: port, family: 4, source: 'node-vtep', destination: 'node-vtep', ...extra,
});

describe('probePlan', () => {
  it('probes flannel VXLAN on any known VXLAN port, recognised by shape and port rather than id', () => {
    expect(probePlan(tunnel('anything', 8472), 'flannel')).toEqual({ kind: 'probe', encapsulation: { kind: 'vxlan', port: 8472 } });
    expect(probePlan(tunnel('k3s-overlay', 4789), 'k3s')).toEqual({ kind: 'probe', encapsulation: { kind: 'vxlan', port: 4789 } });
    expect(probePlan(tunnel('flannel-vxlan', 8472), undefined).kind).toBe('probe');
  });

  it('probes Calico VXLAN (vxlan.calico), also on a custom vxlanPort', () => {
    expect(probePlan(tunnel('calico-vxlan', 4789), 'calico')).toEqual({ kind: 'probe', encapsulation: { kind: 'vxlan', port: 4789 } });
    expect(probePlan(tunnel('calico-vxlan', 4790), 'calico')).toEqual({ kind: 'probe', encapsulation: { kind: 'vxlan', port: 4790 } });
    expect(probePlan(tunnel('flannel-vxlan', 9999), 'flannel')).toEqual({ kind: 'probe', encapsulation: { kind: 'vxlan', port: 9999 } });
  });

  it('names why it does not probe, never guessing a verdict', () => {
    const reason = (r: ReportRequirement, cni?: string) => {
      const p = probePlan(r, cni);
      expect(p.kind).toBe('not-probed');
      return p.kind === 'not-probed' ? p.reason : '';
    };
    expect(reason(tunnel('cilium-geneve', 6081), 'cilium')).toMatch(/geneve on UDP 6081 \(cilium\)/);
    expect(reason(tunnel('cilium-vxlan', 8472), 'cilium')).toMatch(/vxlan on UDP 8472 \(cilium\); Cilium encapsulates in eBPF/);
    expect(reason(tunnel('calico-ipip', 0, { protocol: '4', protocolNumber: 4, fromPort: undefined, toPort: undefined }), 'calico')).toMatch(/IP-in-IP \(IP protocol 4\)/);
    expect(reason(tunnel('native', 0, { protocol: 'any', source: 'node-internal' as ReportRequirement['source'], fromPort: undefined, toPort: undefined }), 'cilium')).toMatch(/only UDP tunnels between VTEPs/);
    expect(reason(tunnel('flannel-udp', 8285, { backend: 'udp' }), 'flannel')).toMatch(/not a VXLAN backend nor a known tunnel port/);
    expect(reason(tunnel('flannel-vxlan', 8472, { family: 6 }), 'flannel')).toMatch(/IPv6/);
  });
});
