import type { Evaluation } from '../evaluate/types.js';
import type { AuditReport, Remediation } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { findFindings, type AuditFindings, type FindingsOptions } from '../findings/find-findings.js';
import { planRemediations } from '../remediate/plan-remediations.js';
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
    warnings: [...snapshot.warnings],
  };
}

/** findFindings, planRemediations and assembleReport in a row, for callers that want only the report. */
export function buildReport(snapshot: Snapshot, evaluation: Evaluation, options: FindingsOptions): AuditReport {
  const found = findFindings(snapshot, evaluation, options);
  return assembleReport(snapshot, evaluation, found, planRemediations(found));
}
