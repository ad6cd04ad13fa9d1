import type { KindEvidence, ProbeVerdict, RoundEvidence } from '../model/probe.js';

/** What the orchestrator learned about one directed pair before judging it. */
export type PairObservation =
  | { kind: 'agent-missing'; reason: string }
  | { kind: 'error'; reason: string }
  | { kind: 'not-probed'; reason: string }
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
      reason: `the source kernel refused every overlay datagram to ${overlay.destinationIp} (${overlay.sendErrors.join(', ') || 'no datagrams sent'}); is the CNI's route to the peer's tunnel address installed?`,
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

/** What decides whether a verdict of silence can be trusted. */
export interface SilenceContext {
  /** Send rounds of the pair, each with what arrived. */
  rounds: readonly RoundEvidence[];
  /** Rounds a silent pair is given before it is judged. */
  roundsRequired: number;
  /** Datagrams the destination's kernel dropped for a full receive buffer during the sweep; null when unknown. */
  receiveDrops: number | null;
}

/**
 * Whether a verdict is certain, and why not when it is not. An arrival proves delivery, so
 * `ok` is always certain; silence proves nothing by itself: only silence in every one of the
 * required rounds, at a receiver that reports no drops of its own, is taken as a block.
 */
export function certainty(verdict: ProbeVerdict, ctx: SilenceContext): { certain: boolean; note?: string } {
  if (verdict === 'ok') return { certain: true };
  if (verdict !== 'blocked' && verdict !== 'underlay-unreachable') return { certain: false, note: 'the probe did not run, so it says nothing about the data plane' };
  const silent = ctx.rounds.filter((r) => (r.overlay?.sent ?? 0) > 0 && r.overlay!.received === 0).length;
  if (silent < Math.max(2, ctx.roundsRequired)) {
    return { certain: false, note: `uncertain: silent in ${silent} round(s), fewer than the ${Math.max(2, ctx.roundsRequired)} a silent verdict needs` };
  }
  if (ctx.receiveDrops === null) {
    return { certain: false, note: `uncertain: silent in all ${silent} rounds, but the destination could not report its receive-buffer drops, so loss at the receiver is not ruled out` };
  }
  if (ctx.receiveDrops > 0) {
    return { certain: false, note: `uncertain: silent in all ${silent} rounds, but the destination's kernel dropped ${ctx.receiveDrops} UDP datagram(s) for a full receive buffer during the sweep` };
  }
  return { certain: true, note: `silent in all ${silent} rounds; the destination's kernel dropped no UDP datagram for a full receive buffer during the sweep` };
}
