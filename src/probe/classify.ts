import type { KindEvidence, ProbeVerdict } from '../model/probe.js';

/** What the orchestrator learned about one directed pair before judging it. */
export type PairObservation =
  | { kind: 'agent-missing'; reason: string }
  | { kind: 'error'; reason: string }
  | { kind: 'observed'; overlay: KindEvidence | null; underlay: KindEvidence | null };

/**
 * One-way verdict for a pair. Only the overlay decides `ok`; the underlay control decides
 * whether a silent overlay is a VXLAN block (`blocked`) or the node is not reachable at all.
 */
export function classifyPair(obs: PairObservation): { verdict: ProbeVerdict; reason: string } {
  if (obs.kind !== 'observed') return { verdict: obs.kind, reason: obs.reason };
  const { overlay, underlay } = obs;
  if (!overlay) return { verdict: 'error', reason: 'the destination has no overlay address (no IPv4 pod CIDR), so nothing can be sent over VXLAN' };
  if (overlay.sent === 0) {
    return {
      verdict: 'error',
      reason: `the source kernel refused every overlay datagram to ${overlay.destinationIp} (${overlay.sendErrors.join(', ') || 'no datagrams sent'}); is flannel's route to the peer installed?`,
    };
  }
  const lost = overlay.sent - overlay.received;
  if (overlay.received > 0) {
    const parts = [`${overlay.received}/${overlay.sent} overlay datagrams arrived`];
    if (lost > 0) parts.push(`${lost} lost`);
    if (underlay && underlay.sent > 0 && underlay.received === 0) parts.push('the underlay control did not arrive (agent port filtered?)');
    return { verdict: 'ok', reason: parts.join('; ') };
  }
  const underlayTested = underlay !== null && underlay.sent > 0;
  if (underlayTested && underlay.received > 0) {
    return {
      verdict: 'blocked',
      reason: `${overlay.sent} overlay datagrams to ${overlay.destinationIp} left the source and none arrived, while ${underlay.received}/${underlay.sent} underlay datagrams to ${underlay.destinationIp} did: the VXLAN traffic is dropped in this direction`,
    };
  }
  if (underlayTested) {
    return {
      verdict: 'underlay-unreachable',
      reason: `neither the ${overlay.sent} overlay nor the ${underlay.sent} underlay datagrams to ${underlay.destinationIp} arrived: the destination node is not reachable from the source (or the agent port is filtered too)`,
    };
  }
  return {
    verdict: 'blocked',
    reason: `${overlay.sent} overlay datagrams to ${overlay.destinationIp} left the source and none arrived (underlay control not tested)`,
  };
}
