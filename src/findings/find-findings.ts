import type { BoundNode, Evaluation } from '../evaluate/types.js';
import type { Finding, PairRef } from '../model/report.js';
import type { Requirement } from '../model/requirement.js';
import type { Snapshot } from '../model/snapshot.js';
import { scanCells, type CellScan } from './cell-scan.js';
import { lookupCloud, type CloudLookup } from './cloud-lookup.js';
import { groupScannedCells, type FindingGroup } from './finding-groups.js';
import { findingReason } from './finding-reason.js';
import { firstPairsAs, sortedMembers, type SortedMembers } from './first-pairs.js';
import { endpointAddress } from './remote-cover.js';

export interface FindingsOptions {
  /** How many pairs each finding lists; pairCount is exact regardless. */
  maxPairs: number;
}

/** The findings of one evaluation, with what the later steps (remediation, summary) build on. */
export interface AuditFindings {
  findings: Finding[];
  /** One group per finding, same order and ids: the cells behind each finding. */
  groups: FindingGroup[];
  scan: CellScan;
  lookup: CloudLookup;
}

/**
 * Every blocked or unknown (pair, requirement) grouped into findings, each with its reason
 * and first pairs. Works on node classes, so the cost grows with classes, not node pairs.
 */
export function findFindings(snapshot: Snapshot, evaluation: Evaluation, options: FindingsOptions): AuditFindings {
  if (!Number.isInteger(options.maxPairs) || options.maxPairs < 0) {
    throw new RangeError(`maxPairs must be a non-negative integer, got ${options.maxPairs}`);
  }
  const lookup = lookupCloud(snapshot);
  const scan = scanCells(evaluation);
  const groups = groupScannedCells(lookup, evaluation, scan);
  const members = sortedMembers();
  const findings = groups.map((g) => toFinding(lookup, g, options.maxPairs, members));
  return { findings, groups, scan, lookup };
}

function toFinding(lookup: CloudLookup, group: FindingGroup, maxPairs: number, members: SortedMembers): Finding {
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
    reason: findingReason(lookup, group),
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
