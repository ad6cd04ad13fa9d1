/**
 * What changed between two audit runs of one cluster. Produced by report/compare-runs,
 * stored by the watch change tracker and delivered by webhooks; kept in model so every
 * layer can name it without importing the producer.
 */

export type PairState = 'allowed' | 'blocked' | 'unknown' | 'absent';

export interface PairChange {
  sourceNode: string;
  destinationNode: string;
  requirement: string;
  before: PairState;
  after: PairState;
}

export interface FindingRef {
  id: string;
  verdict: 'blocked' | 'unknown';
  requirement: string;
  layer: string;
  target?: { kind: string; id: string; name?: string };
  reason: string;
  pairCount: number;
}

export interface RunChanges {
  /** after === 'blocked', before !== 'blocked' */
  newlyBlocked: PairChange[];
  /** before === 'blocked' | 'unknown', after === 'allowed' */
  resolved: PairChange[];
  newlyUnknown: PairChange[];
  newFindings: FindingRef[];
  goneFindings: FindingRef[];
  newContradictions: FindingRef[];
  /** Remediations (the exact rules) of the current run that the previous run did not have, with their CLI commands. */
  newRemediations: { id: string; target: string; direction: string; flow: string; cidr: string; cli: string; terraform: string }[];
  /** True when a finding listed fewer pairs than its pairCount, so pair lists are incomplete (counts stay exact). */
  pairsTruncated: boolean;
}

export type ChangeKind = 'blocked' | 'resolved' | 'changed';

export interface ChangeEvent {
  cluster: string;
  kind: ChangeKind;
  at: string;
  auditId: string;
  previousAuditId: string | null;
  summary: { blocked: number; unknown: number; allowed: number; directedPairs: number };
  changes: RunChanges;
}
