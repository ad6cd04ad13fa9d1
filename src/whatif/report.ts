/**
 * The what-if report: sgaudit's stable JSON contract for `sgaudit whatif` and the REST
 * what-if endpoint. Fields are only ever added, never renamed or removed.
 */
import type { Warning } from '../model/source.js';
import type { Finding, Remediation, ReportRequirement, ReportSummary } from '../model/report.js';
import type { AppliedChange } from './apply-changes.js';
import type { IgnoredResource, ProposalSource, UnknownUntilApply, UnsupportedResource } from '../model/changes.js';
import type { PairChange } from './diff.js';
import type { MatrixSection } from '../model/matrix.js';

/**
 * breaks: something newly blocked, nothing newly allowed. fixes: newly allowed only.
 * mixed: both. safe: neither, and nothing unknown. unknown: neither, but some pair became
 * unknown or the plan holds values known only after apply or unsupported resources, so
 * "safe" cannot be claimed.
 */
export type WhatifVerdict = 'breaks' | 'safe' | 'fixes' | 'mixed' | 'unknown';

export interface WhatifReport {
  schemaVersion: 1;
  verdict: WhatifVerdict;
  /** Up to maxPairs (directed pair, requirement) combinations that were allowed (or unknown) and are blocked after the change. */
  newlyBlocked: PairChange[];
  /** Exact number of newly blocked (directed pair, requirement) combinations. */
  newlyBlockedCount: number;
  newlyAllowed: PairChange[];
  newlyAllowedCount: number;
  /** Combinations that had a definite verdict and are unknown after the change. */
  newlyUnknown: number;
  newlyUnknownPairs: PairChange[];
  /** Combinations blocked before and after. */
  stillBlocked: number;
  stillUnknown: number;
  /** True when a pair list stopped at maxPairs. */
  pairsTruncated: boolean;
  /** What was applied to the model, by resource address, in plan order. */
  changes: AppliedChange[];
  ignored: IgnoredResource[];
  unknownUntilApply: UnknownUntilApply[];
  unsupported: UnsupportedResource[];
  /** After-audit findings that hold newly blocked pairs, and the rules that would fix them. */
  newlyBlockedFindings: Finding[];
  remediations: Remediation[];
  before: ReportSummary;
  after: ReportSummary;
  requirements: ReportRequirement[];
  proposal: ProposalSource;
  warnings: Warning[];
  /** The verdict matrix before and after the change; the after one keeps the before grouping where it can. */
  matrix?: { before: MatrixSection; after: MatrixSection };
}

export function whatifVerdict(newlyBlocked: number, newlyAllowed: number, notSafe: boolean): WhatifVerdict {
  if (newlyBlocked > 0) return newlyAllowed > 0 ? 'mixed' : 'breaks';
  if (newlyAllowed > 0) return 'fixes';
  return notSafe ? 'unknown' : 'safe';
}

/** 1 when anything is newly blocked, newly unknown, unknown until apply or unsupported; else 0. */
export function whatifExitCode(report: WhatifReport): 0 | 1 {
  const risky =
    report.newlyBlockedCount > 0 || report.newlyUnknown > 0 || report.unknownUntilApply.length > 0 || report.unsupported.length > 0;
  return risky ? 1 : 0;
}
