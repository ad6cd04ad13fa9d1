import type { Requirement } from '../model/requirement.js';
import type { Proposal } from '../model/changes.js';
import { DEFAULT_MAX_PAIRS } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { evaluate } from '../evaluate/evaluate.js';
import { buildReport } from '../report/build-report.js';
import { applyChanges } from './apply-changes.js';
import { diffEvaluations } from './diff.js';
import { whatifVerdict, type WhatifReport } from './report.js';

export interface WhatifOptions {
  /** How many pairs each list shows; counts stay exact. */
  maxPairs: number;
}

/**
 * Pre-deploy what-if: apply the proposal's model edits to the snapshot, evaluate both
 * snapshots, and report which (directed node pair, requirement) verdicts move.
 */
export function runWhatif(before: Snapshot, requirements: Requirement[], proposal: Proposal, options: Partial<WhatifOptions> = {}): WhatifReport {
  const maxPairs = options.maxPairs ?? DEFAULT_MAX_PAIRS;
  if (!Number.isInteger(maxPairs) || maxPairs < 0) throw new RangeError(`maxPairs must be a non-negative integer, got ${maxPairs}`);
  const { translation, source, unavailable } = proposal;
  const { cloud, applied } = applyChanges(before.cloud, translation.resources);
  cloud.unavailable.push(...unavailable);
  const after: Snapshot = { cluster: before.cluster, cloud, warnings: [...before.warnings, ...translation.warnings] };

  const beforeEvaluation = evaluate(before, requirements);
  const afterEvaluation = evaluate(after, requirements);
  const diff = diffEvaluations(beforeEvaluation, afterEvaluation, maxPairs);
  const beforeReport = buildReport(before, beforeEvaluation, { maxPairs });
  // The after matrix keeps the before rows where it can, so the two read side by side.
  const afterReport = buildReport(after, afterEvaluation, { maxPairs }, beforeReport.matrix ? { grouping: beforeReport.matrix.grouping } : {});

  const newlyBlockedFindings = afterReport.findings.filter(
    (f) => f.verdict === 'blocked' && f.pairs.some((p) => diff.transition(p.sourceNode, p.destinationNode, f.requirement) === 'newly-blocked'),
  );
  const findingIds = new Set(newlyBlockedFindings.map((f) => f.id));
  const remediations = afterReport.remediations.filter((r) => r.findingIds.some((id) => findingIds.has(id)));

  const notSafe = diff.counts['newly-unknown'] > 0 || translation.unknownUntilApply.length > 0 || translation.unsupported.length > 0;
  const truncated =
    diff.newlyBlocked.length < diff.counts['newly-blocked'] ||
    diff.newlyAllowed.length < diff.counts['newly-allowed'] ||
    diff.newlyUnknown.length < diff.counts['newly-unknown'];
  return {
    schemaVersion: 1,
    verdict: whatifVerdict(diff.counts['newly-blocked'], diff.counts['newly-allowed'], notSafe),
    newlyBlocked: diff.newlyBlocked,
    newlyBlockedCount: diff.counts['newly-blocked'],
    newlyAllowed: diff.newlyAllowed,
    newlyAllowedCount: diff.counts['newly-allowed'],
    newlyUnknown: diff.counts['newly-unknown'],
    newlyUnknownPairs: diff.newlyUnknown,
    stillBlocked: diff.counts['still-blocked'],
    stillUnknown: diff.counts['still-unknown'],
    pairsTruncated: truncated,
    changes: applied,
    ignored: translation.ignored,
    unknownUntilApply: translation.unknownUntilApply,
    unsupported: translation.unsupported,
    newlyBlockedFindings,
    remediations,
    before: beforeReport.summary,
    after: afterReport.summary,
    requirements: afterReport.requirements,
    proposal: source,
    warnings: [...afterReport.warnings],
    ...(beforeReport.matrix && afterReport.matrix ? { matrix: { before: beforeReport.matrix, after: afterReport.matrix } } : {}),
  };
}
