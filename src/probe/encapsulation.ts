import type { ReportRequirement } from '../model/report.js';

/** A tunnel a CNI runs between nodes, by the UDP port it listens on. */
export interface Encapsulation {
  kind: 'vxlan' | 'geneve';
  port: number;
  vni?: number;
}

/**
 * The UDP ports the CNIs' tunnels use (../shared/DOMAIN.md §1.6 and §8): 8472 (flannel's and
 * Cilium's VXLAN, the Linux default), 4789 (the IANA VXLAN port, Calico's), 6081 (Geneve,
 * RFC 8926, Cilium's).
 */
const TUNNEL_PORTS: ReadonlyMap<number, Encapsulation['kind']> = new Map([
  [8472, 'vxlan'],
  [4789, 'vxlan'],
  [6081, 'geneve'],
]);

/** CNIs whose pod network is flannel's (the report's `cni.name`; absent in reports from before detection). Calico's vxlan.calico is probed too. */
const FLANNEL_NETWORKING: ReadonlySet<string> = new Set(['flannel', 'canal', 'k3s', 'rke2']);

export type ProbePlan = { kind: 'probe'; encapsulation: Encapsulation } | { kind: 'not-probed'; reason: string };

/**
 * Whether the probes can carry a requirement. A tunnel flow is recognised by its shape (UDP,
 * IPv4, VTEP to VTEP) and its port (or VXLAN backend), not by its id. The probes send to the
 * peer's tunnel address and let the source node's own device encapsulate; the inventory knows
 * that address for flannel's VXLAN device (first address of the pod CIDR) and Calico's
 * vxlan.calico (projectcalico.org/IPv4VXLANTunnelAddr). Pairs without one are not probed
 * (overlay-target.ts); every other tunnel is named in the reason instead of being guessed.
 */
export function probePlan(r: ReportRequirement | undefined, cni: string | undefined): ProbePlan {
  if (r === undefined) return { kind: 'not-probed', reason: 'the requirement is not in the report' };
  if (r.kind !== 'flow') return { kind: 'not-probed', reason: `requirement ${r.id} is a ${r.kind} check, not a flow the probes can send` };
  if (r.protocol !== 'udp' || r.source !== 'node-vtep' || r.destination !== 'node-vtep') {
    const what = r.protocolNumber === 4 ? 'IP-in-IP (IP protocol 4)' : `${r.protocol ?? 'this traffic'}${r.fromPort !== undefined ? ` ${r.fromPort}` : ''}`;
    return { kind: 'not-probed', reason: `requirement ${r.id} is ${what}, which the agents cannot send: only UDP tunnels between VTEPs are probed` };
  }
  const port = r.fromPort !== undefined && r.fromPort === (r.toPort ?? r.fromPort) ? r.fromPort : undefined;
  // A VXLAN backend on a custom port (flannel Port, Calico vxlanPort) is still its kernel device.
  const kind = port === undefined ? undefined : TUNNEL_PORTS.get(port) ?? (r.backend === 'vxlan' ? 'vxlan' : undefined);
  if (kind === undefined || port === undefined) return { kind: 'not-probed', reason: `requirement ${r.id} is UDP ${r.fromPort ?? '?'} between VTEPs, not a VXLAN backend nor a known tunnel port (8472, 4789, 6081)` };
  if (r.family !== 4) return { kind: 'not-probed', reason: `requirement ${r.id} is IPv${r.family ?? '?'}; the probes send IPv4 only` };
  const encapsulation: Encapsulation = { kind, port };
  if (cni === 'cilium') {
    return { kind: 'not-probed', reason: `requirement ${r.id} is ${kind} on UDP ${port} (cilium); Cilium encapsulates in eBPF, with no kernel route to a per-node tunnel address the agents could send to` };
  }
  if (cni !== undefined && !FLANNEL_NETWORKING.has(cni) && cni !== 'calico') {
    return { kind: 'not-probed', reason: `requirement ${r.id} is ${kind} on UDP ${port} (${cni}); the agents know the tunnel addresses of flannel's and Calico's VXLAN devices only` };
  }
  if (kind !== 'vxlan') return { kind: 'not-probed', reason: `requirement ${r.id} is ${kind} on UDP ${port}; the agents probe through a VXLAN device only (Geneve could not be verified here: no geneve kernel module)` };
  return { kind: 'probe', encapsulation };
}
