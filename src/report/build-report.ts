import type { Evaluation } from '../evaluate/types.js';
import type { AuditReport, Remediation } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { findFindings, type AuditFindings, type FindingsOptions } from '../findings/find-findings.js';
import { planRemediations } from '../remediate/plan-remediations.js';
import { collectionWarnings } from './collection-warnings.js';
import { flannelSection, reportNodes, reportRequirement } from './describe.js';
import { summarizeScan } from './summary.js';

/**
 * The audit report of one evaluation, its findings and their remediations. Deterministic
 * (no timestamps, every list sorted) so golden files can pin it.
 */
export function assembleReport(snapshot: Snapshot, evaluation: Evaluation, found: AuditFindings, remediations: Remediation[]): AuditReport {
  return {
    schemaVersion: 1,
    summary: summarizeScan(evaluation, found.scan),
    flannel: flannelSection(snapshot.cluster.flannel, evaluation.requirements),
    requirements: evaluation.requirements.map(reportRequirement),
    findings: found.findings,
    remediations,
    nodes: reportNodes(evaluation),
    // Failed collection calls are warnings too, so that none is invisible, even one that changed no verdict.
    warnings: [...snapshot.warnings, ...collectionWarnings(snapshot.cloud.unavailable, evaluation)],
  };
}

/** findFindings, planRemediations and assembleReport in a row, for callers that want only the report. */
export function buildReport(snapshot: Snapshot, evaluation: Evaluation, options: FindingsOptions): AuditReport {
  const found = findFindings(snapshot, evaluation, options);
  return assembleReport(snapshot, evaluation, found, planRemediations(found));
}
