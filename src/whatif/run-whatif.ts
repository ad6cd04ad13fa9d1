import type { AuditInputs, RawDocument } from '../inputs/types.js';
import { buildSnapshot } from '../inputs/build-snapshot.js';
import { IssueCollector } from '../inputs/issues.js';
import { evaluate } from '../evaluate/evaluate.js';
import { buildReport } from '../report/build-report.js';
import type { Unavailable } from '../model/cloud.js';
import type { Snapshot } from '../model/snapshot.js';
import { InputError } from '../model/source.js';
import { translateTerraformPlan } from '../../providers/terraform/translate-plan.js';
import { DEFAULT_MAX_PAIRS } from '../audit.js';
import { applyChanges } from './apply-changes.js';
import type { ProposalTranslation } from './changes.js';
import { diffEvaluations } from './diff.js';
import { translateProposed, type ProposedDocuments } from './proposed.js';
import { whatifVerdict, type ProposalSource, type WhatifReport } from './report.js';

/** Exactly one of the two: a `terraform show -json` plan, or after-state exports. */
export interface WhatifProposal {
  terraformPlan?: RawDocument;
  proposed?: ProposedDocuments;
}

export interface WhatifOptions {
  /** How many pairs each list shows; counts stay exact. */
  maxPairs: number;
}

interface TranslatedProposal {
  translation: ProposalTranslation;
  source: ProposalSource;
  unavailable: Unavailable[];
}

function translate(proposal: WhatifProposal): TranslatedProposal {
  const hasPlan = proposal.terraformPlan !== undefined;
  const hasProposed = proposal.proposed !== undefined && proposal.proposed.aws.length + proposal.proposed.openstack.length > 0;
  if (hasPlan === hasProposed) {
    throw new InputError([{ document: 'proposal', pointer: '', reason: hasPlan ? 'give either a Terraform plan or proposed exports, not both' : 'nothing to evaluate: give a Terraform plan (--terraform-plan) or proposed after-state exports (--proposed)' }]);
  }
  if (hasPlan) {
    const t = translateTerraformPlan(proposal.terraformPlan!);
    const source: ProposalSource = { kind: 'terraform-plan', document: proposal.terraformPlan!.name, formatVersion: t.formatVersion, unchangedResources: t.unchangedCount };
    if (t.terraformVersion) source.terraformVersion = t.terraformVersion;
    return { translation: t, source, unavailable: [] };
  }
  const docs = proposal.proposed!;
  const t = translateProposed(docs);
  return { translation: t, source: { kind: 'proposed-exports', documents: [...docs.aws, ...docs.openstack].map((d) => d.name) }, unavailable: t.unavailable };
}

/**
 * Pre-deploy what-if as a library call: audit the inputs as they are, apply the proposal to
 * the model, audit again, and report which (directed node pair, requirement) verdicts move.
 * The CLI and the REST API are thin shells around this. Throws InputError for unusable input.
 */
export function runWhatif(inputs: AuditInputs, proposal: WhatifProposal, options: Partial<WhatifOptions> = {}): WhatifReport {
  const maxPairs = options.maxPairs ?? DEFAULT_MAX_PAIRS;
  if (!Number.isInteger(maxPairs) || maxPairs < 0) throw new RangeError(`maxPairs must be a non-negative integer, got ${maxPairs}`);
  // Both halves run before either error is thrown, so one run reports every input problem.
  const issues = new IssueCollector();
  const built = issues.absorb(() => buildSnapshot(inputs));
  const proposed = issues.absorb(() => translate(proposal));
  issues.throwIfProblems();
  const { snapshot: before, requirements } = built!;
  const { translation, source, unavailable } = proposed!;
  const { cloud, applied } = applyChanges(before.cloud, translation.resources);
  cloud.unavailable.push(...unavailable);
  const after: Snapshot = { cluster: before.cluster, cloud, warnings: [...before.warnings, ...translation.warnings] };

  const beforeEvaluation = evaluate(before, requirements);
  const afterEvaluation = evaluate(after, requirements);
  const diff = diffEvaluations(beforeEvaluation, afterEvaluation, maxPairs);
  const beforeReport = buildReport(before, beforeEvaluation, { maxPairs });
  const afterReport = buildReport(after, afterEvaluation, { maxPairs });

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
  };
}
