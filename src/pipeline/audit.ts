/**
 * The audit, start to finish, in one place:
 *
 *   raw documents ─buildSnapshot→ snapshot + requirements ─evaluate→ verdict cells per class pair
 *     ─findFindings→ findings ─planRemediations→ missing rules ─assembleReport→ report
 *
 * buildSnapshot runs the providers' translators and the rules catalog; every later step is a
 * pure function of the snapshot and the requirements. The edges read the documents before
 * (src/cli/file-inputs.ts, src/http/request-inputs.ts, src/inputs/live.ts) and render after
 * (src/cli/render-audit.ts; the REST API returns the report as JSON).
 */
import type { AuditInputs } from '../model/documents.js';
import { DEFAULT_MAX_PAIRS, type AuditReport } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Evaluation } from '../evaluate/types.js';
import { buildSnapshot } from '../inputs/build-snapshot.js';
import { evaluate } from '../evaluate/evaluate.js';
import { findFindings } from '../findings/find-findings.js';
import { planRemediations } from '../remediate/plan-remediations.js';
import { assembleReport } from '../report/build-report.js';
import { collectionIncomplete } from '../report/collection-warnings.js';

export interface AuditOptions {
  /** How many pairs each finding lists; pairCount is always exact. */
  maxPairs: number;
}

export interface AuditResult {
  report: AuditReport;
  snapshot: Snapshot;
  evaluation: Evaluation;
}

/** Native documents in, report out. Throws InputError for unusable input. */
export function runAudit(inputs: AuditInputs, options: Partial<AuditOptions> = {}): AuditResult {
  const { snapshot, requirements } = buildSnapshot(inputs);
  const evaluation = evaluate(snapshot, requirements);
  const found = findFindings(snapshot, evaluation, { maxPairs: options.maxPairs ?? DEFAULT_MAX_PAIRS });
  const remediations = planRemediations(found);
  const report = assembleReport(snapshot, evaluation, found, remediations);
  return { report, snapshot, evaluation };
}

/** Exit status shared by the CLI commands: 0 clean, 1 something blocked or unknown. */
export function auditExitCode(report: AuditReport): 0 | 1 {
  // With --probe, a contradiction (config allows but the data plane drops, or an MTU black hole)
  // is a finding too, though the config-only summary does not count it.
  const contradictions = report.findings.some((f) => f.contradiction !== undefined);
  // A failed collection call is exit 1 even when inline rules still proved every pair allowed:
  // a gate must not pass on a read that was cut short.
  return report.summary.blocked > 0 || report.summary.unknown > 0 || contradictions || collectionIncomplete(report) ? 1 : 0;
}
