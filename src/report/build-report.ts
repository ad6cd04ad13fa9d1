import type { Evaluation } from '../evaluate/types.js';
import type { Snapshot } from '../model/snapshot.js';
import { planRemediationsFor } from '../remediate/plan-remediations.js';
import type { AuditReport, Finding, PairRef } from '../model/report.js';
import { flannelSection, indexNodeClasses, reportNodes, reportRequirement } from './describe.js';
import { scanCells } from './cell-scan.js';
import { groupScannedCells, type FindingGroup } from './finding-groups.js';
import { findingReason } from './finding-reason.js';
import { firstPairsAs, sortedMembers, type SortedMembers } from './first-pairs.js';
import { endpointAddress } from '../remediate/remote-cover.js';
import { indexSnapshot, type SnapshotIndex } from './snapshot-index.js';
import { summarizeScan } from './summary.js';
import type { BoundNode } from '../evaluate/types.js';
import type { Requirement } from '../model/requirement.js';

export interface BuildReportOptions {
  /** How many pairs each finding lists; pairCount is exact regardless. */
  maxPairs: number;
}

/**
 * The audit report for one evaluation. Works on node classes throughout, so its cost
 * grows with the number of classes and nodes, not with the N² node pairs. The output
 * is deterministic (no timestamps, every list sorted) so golden files can pin it.
 */
export function buildReport(snapshot: Snapshot, evaluation: Evaluation, options: BuildReportOptions): AuditReport {
  if (!Number.isInteger(options.maxPairs) || options.maxPairs < 0) {
    throw new RangeError(`maxPairs must be a non-negative integer, got ${options.maxPairs}`);
  }
  const index = indexSnapshot(snapshot);
  const scan = scanCells(evaluation);
  const groups = groupScannedCells(index, evaluation, scan);
  const members = sortedMembers();
  const findings = groups.map((g) => toFinding(index, g, options.maxPairs, members));
  const nodeClasses = indexNodeClasses(evaluation.classes);
  return {
    schemaVersion: 1,
    summary: summarizeScan(evaluation, scan),
    flannel: flannelSection(snapshot.cluster.flannel, evaluation.requirements),
    requirements: evaluation.requirements.map(reportRequirement),
    findings,
    remediations: planRemediationsFor(index, groups, findings, { memberNamesDistinct: nodeClasses.namesDistinct }),
    nodes: reportNodes(evaluation, nodeClasses),
    warnings: [...snapshot.warnings],
  };
}

function toFinding(index: SnapshotIndex, group: FindingGroup, maxPairs: number, members: SortedMembers): Finding {
  const r = group.requirement;
  const pairs = firstPairsAs(group.cells, maxPairs, (s, d) => pairRef(r, s, d), members);
  const representative = group.cells[0];
  return {
    id: group.id,
    verdict: group.verdict,
    requirement: r.id,
    ...(r.kind === 'flow' ? flowFields(r.protocol.name, r.fromPort, r.toPort) : {}),
    layer: group.layer,
    ...(group.direction ? { direction: group.direction } : {}),
    target: group.target,
    reason: findingReason(index, group),
    pairCount: group.pairCount,
    pairs,
    pairsTruncated: group.pairCount > pairs.length,
    evidence: representative ? [representative.evidence] : [],
  };
}

function flowFields(protocol: string, fromPort?: number, toPort?: number): Pick<Finding, 'protocol' | 'port' | 'fromPort' | 'toPort'> {
  return {
    protocol,
    ...(fromPort !== undefined && (toPort === undefined || toPort === fromPort) ? { port: fromPort } : {}),
    ...(fromPort !== undefined ? { fromPort } : {}),
    ...(toPort !== undefined ? { toPort } : fromPort !== undefined ? { toPort: fromPort } : {}),
  };
}

/** Pair addresses are the ones the flow uses (VTEP), falling back to the node's VTEP for pod flows. */
function pairRef(r: Requirement, source: BoundNode, destination: BoundNode): PairRef {
  return {
    sourceNode: source.node.name,
    sourceIp: nodeIp(r, source, 'source'),
    destinationNode: destination.node.name,
    destinationIp: nodeIp(r, destination, 'destination'),
  };
}

function nodeIp(r: Requirement, n: BoundNode, side: 'source' | 'destination'): string | null {
  if (r.kind === 'flow') {
    const endpoint = r[side];
    if (endpoint !== 'pod-cidr') return endpointAddress(n, endpoint, r.family) ?? null;
  }
  return n.node.vtepIp ?? null;
}
