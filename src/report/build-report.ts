import type { Evaluation } from '../evaluate/types.js';
import type { AuditReport, Remediation } from '../model/report.js';
import type { Snapshot } from '../model/snapshot.js';
import { findFindings, type AuditFindings, type FindingsOptions } from '../findings/find-findings.js';
import { planRemediations } from '../remediate/plan-remediations.js';
import { collectionWarnings } from './collection-warnings.js';
import { flannelSection, mainFlowPort, reportNodes, reportRequirement } from './describe.js';
import { cniSection } from './cni-section.js';
import { summarizeScan } from './summary.js';
import { buildMatrix, type MatrixOptions } from './matrix.js';

/**
 * The audit report of one evaluation, its findings and their remediations. Deterministic
 * (no timestamps, every list sorted) so golden files can pin it.
 */
export function assembleReport(
  snapshot: Snapshot,
  evaluation: Evaluation,
  found: AuditFindings,
  remediations: Remediation[],
  matrix: MatrixOptions = {},
): AuditReport {
  return {
    schemaVersion: 1,
    summary: summarizeScan(evaluation, found.scan),
    cni: cniSection(snapshot.cluster.cni, snapshot.cluster.detection, mainFlowPort(evaluation.requirements)),
    // Only when flannel carries pod traffic: a Calico or Cilium cluster has no flannel configuration to describe.
    ...(snapshot.cluster.flannel && { flannel: flannelSection(snapshot.cluster.flannel, evaluation.requirements) }),
    requirements: evaluation.requirements.map(reportRequirement),
    findings: found.findings,
    remediations,
    nodes: reportNodes(evaluation),
    // Failed collection calls are warnings too, so that none is invisible, even one that changed no verdict.
    warnings: [...snapshot.warnings, ...collectionWarnings(snapshot.cloud.unavailable, evaluation)],
    matrix: buildMatrix(evaluation, found, matrix),
  };
}

/** findFindings, planRemediations and assembleReport in a row, for callers that want only the report. */
export function buildReport(snapshot: Snapshot, evaluation: Evaluation, options: FindingsOptions, matrix: MatrixOptions = {}): AuditReport {
  const found = findFindings(snapshot, evaluation, options);
  return assembleReport(snapshot, evaluation, found, planRemediations(found), matrix);
}
