import type { AuditInputs } from './inputs/types.js';
import type { AuditReport } from './report/contract.js';
import type { Evaluation } from './evaluate/types.js';
import type { Snapshot } from './model/snapshot.js';
import { buildSnapshot } from './inputs/build-snapshot.js';
import { evaluate } from './evaluate/evaluate.js';
import { buildReport } from './report/build-report.js';

export interface AuditOptions {
  /** How many pairs each finding lists; pairCount is always exact. */
  maxPairs: number;
}

export const DEFAULT_MAX_PAIRS = 1000;

export interface AuditResult {
  report: AuditReport;
  snapshot: Snapshot;
  evaluation: Evaluation;
}

/**
 * The whole audit as a library call: native documents in, report out.
 * The CLI, the REST API and the live collectors are thin shells around this.
 * Throws InputError for unusable input.
 */
export function runAudit(inputs: AuditInputs, options: Partial<AuditOptions> = {}): AuditResult {
  const { snapshot, requirements } = buildSnapshot(inputs);
  const evaluation = evaluate(snapshot, requirements);
  const report = buildReport(snapshot, evaluation, { maxPairs: options.maxPairs ?? DEFAULT_MAX_PAIRS });
  return { report, snapshot, evaluation };
}

/** Exit status shared by the CLI commands: 0 clean, 1 something blocked or unknown. */
export function auditExitCode(report: AuditReport): 0 | 1 {
  // With --probe, a contradiction (config allows but the data plane drops, or an MTU black hole)
  // is a finding too, though the config-only summary does not count it.
  const contradictions = report.findings.some((f) => f.contradiction !== undefined);
  return report.summary.blocked > 0 || report.summary.unknown > 0 || contradictions ? 1 : 0;
}
