import type { BoundNode, CellResult, Evaluation, Evidence, Layer, NodeClass, Verdict } from '../evaluate/types.js';
import type { Direction } from '../model/cloud.js';
import type { Requirement } from '../../rules/requirement.js';
import { classPairCount } from './pair-count.js';
import { compareKeys } from './order.js';
import { groupLabel, type SnapshotIndex } from './snapshot-index.js';

export interface FindingTarget {
  kind: string;
  id: string;
  name?: string;
}

/** One non-allowed cell, attached to a finding through one of its deciding evidence entries. */
export interface GroupedCell {
  cell: CellResult;
  evidence: Evidence;
  source: NodeClass;
  destination: NodeClass;
  pairCount: number;
}

/** The cells that make up one finding, before rendering. */
export interface FindingGroup {
  id: string;
  requirement: Requirement;
  verdict: Exclude<Verdict, 'allowed'>;
  layer: Layer;
  direction?: Direction;
  check: Evidence['check'];
  target: FindingTarget;
  /** The evaluator's reason shared by every cell of the group. */
  evidenceReason: string;
  /** Sorted by source class id, then destination class id. */
  cells: GroupedCell[];
  pairCount: number;
}

/**
 * Groups the non-allowed cells into findings by requirement, verdict, layer, direction,
 * the object that must change, and the evaluator's reason. A cell blocked at more than
 * one check (say egress at the source and ingress at the destination) joins one finding
 * per check, so every fix that is needed shows up in the first report, not one per re-run.
 */
export function groupFindingCells(index: SnapshotIndex, evaluation: Evaluation): FindingGroup[] {
  const classes = new Map(evaluation.classes.map((c) => [c.id, c]));
  const requirements = new Map(evaluation.requirements.map((r) => [r.id, r]));
  const groups = new Map<string, Omit<FindingGroup, 'id'>>();
  // Cells share evidence objects, so the group key of (evidence, requirement, verdict, direction)
  // is worked out once unless the target depends on the cell's classes.
  const keys = new Map<Evidence, Map<string, { key: string; target: FindingTarget }>>();

  for (const cell of evaluation.cells) {
    if (cell.verdict === 'allowed') continue;
    const source = classes.get(cell.sourceClass);
    const destination = classes.get(cell.destinationClass);
    const requirement = requirements.get(cell.requirementId);
    if (!source || !destination || !requirement) {
      throw new Error(
        `evaluation cell ${cell.requirementId} ${cell.sourceClass}->${cell.destinationClass} refers to an unknown class or requirement`,
      );
    }
    const pairCount = classPairCount(source, destination);
    if (pairCount === 0) continue;
    const seen: string[] = [];
    for (const evidence of decidingEvidence(cell)) {
      const direction = evidenceDirection(cell, evidence);
      let key: string;
      let target: FindingTarget;
      if (targetNeedsClasses(evidence)) {
        target = findingTarget(index, evidence, source, destination, direction);
        key = groupKey(requirement, cell.verdict, evidence, direction, target);
      } else {
        let byCell = keys.get(evidence);
        if (!byCell) {
          byCell = new Map();
          keys.set(evidence, byCell);
        }
        const inner = `${requirement.id}\0${cell.verdict}\0${direction ?? ''}`;
        let known = byCell.get(inner);
        if (!known) {
          const t = findingTarget(index, evidence, source, destination, direction);
          known = { key: groupKey(requirement, cell.verdict, evidence, direction, t), target: t };
          byCell.set(inner, known);
        }
        key = known.key;
        target = known.target;
      }
      if (seen.includes(key)) continue;
      seen.push(key);
      let group = groups.get(key);
      if (!group) {
        group = {
          requirement,
          verdict: cell.verdict,
          layer: evidence.layer,
          ...(direction ? { direction } : {}),
          check: evidence.check,
          target,
          evidenceReason: evidence.reason,
          cells: [],
          pairCount: 0,
        };
        groups.set(key, group);
      }
      group.cells.push({ cell, evidence, source, destination, pairCount });
      group.pairCount += pairCount;
    }
  }

  const sorted = [...groups.values()].sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
  return sorted.map((g, i) => {
    g.cells.sort((x, y) => x.source.id - y.source.id || x.destination.id - y.destination.id);
    return { id: `F${i + 1}`, ...g };
  });
}

function groupKey(requirement: Requirement, verdict: Verdict, evidence: Evidence, direction: Direction | undefined, target: FindingTarget): string {
  return JSON.stringify([requirement.id, verdict, evidence.layer, direction ?? '', evidence.check, target.kind, target.id, evidence.reason]);
}

/** Whether findingTarget reads the cell's classes for this evidence, rather than only the evidence. */
function targetNeedsClasses(evidence: Evidence): boolean {
  if (evidence.check === 'node-mapping') return true;
  switch (evidence.layer) {
    case 'network-acl':
    case 'l2-adjacency':
    case 'collection':
      return false;
    case 'node-mapping':
      return true;
    case 'security-group':
    case 'source-dest-check':
    case 'allowed-address-pairs':
    case 'port-security':
      return evidence.objectIds.length === 0;
  }
}

function sortKey(g: Omit<FindingGroup, 'id'>): (string | number)[] {
  return [
    g.requirement.id, g.layer, g.target.id, g.target.kind, g.direction ?? '', g.verdict === 'blocked' ? 0 : 1, g.check, g.evidenceReason,
  ];
}

/** The evidence entries that carry the cell's verdict; a cell without one still gets a finding. */
function decidingEvidence(cell: CellResult): Evidence[] {
  // Most cells have a single deciding entry; skip the filter's copy then.
  let count = 0;
  for (const e of cell.evidence) if (e.decision === cell.verdict) count += 1;
  if (count === cell.evidence.length) return cell.evidence;
  if (count > 0) return cell.evidence.filter((e) => e.decision === cell.verdict);
  return [
    {
      layer: cell.layer,
      check: fallbackCheck(cell),
      decision: cell.verdict,
      objectIds: [],
      reason: `the evaluator reported ${cell.verdict} at ${cell.layer} without evidence`,
    },
  ];
}

function fallbackCheck(cell: CellResult): Evidence['check'] {
  switch (cell.layer) {
    case 'security-group':
      return cell.direction === 'egress' ? 'source-egress' : 'destination-ingress';
    case 'network-acl':
      return cell.direction === 'egress' ? 'source-subnet-outbound' : 'destination-subnet-inbound';
    case 'node-mapping':
    case 'collection':
      return 'node-mapping';
    case 'port-security':
      return 'port-security';
    case 'source-dest-check':
    case 'allowed-address-pairs':
      return 'forwarding';
    case 'l2-adjacency':
      return 'adjacency';
  }
}

function evidenceDirection(cell: CellResult, evidence: Evidence): Direction | undefined {
  switch (evidence.check) {
    case 'source-egress':
    case 'source-subnet-outbound':
      return 'egress';
    case 'destination-ingress':
    case 'destination-subnet-inbound':
      return 'ingress';
    default:
      return evidence.layer === cell.layer ? cell.direction : undefined;
  }
}

/** The object a finding is about: the thing to change, or the thing that could not be read. */
function findingTarget(
  index: SnapshotIndex,
  evidence: Evidence,
  source: NodeClass,
  destination: NodeClass,
  direction: Direction | undefined,
): FindingTarget {
  const ids = [...new Set(evidence.objectIds)].sort();
  if (evidence.check === 'node-mapping') {
    const names = nodesNamedBy(evidence, source, destination);
    return { kind: 'node', id: (names.length > 0 ? names : ids).join(',') || '(unknown)' };
  }
  switch (evidence.layer) {
    case 'security-group': {
      // The group set of the interface whose rules were consulted (all members of a class share it).
      const side = direction === 'egress' ? source : destination;
      const groupIds = ids.length > 0 ? ids : memberGroupIds(side.members);
      if (groupIds.length === 1) {
        const id = groupIds[0] as string;
        const name = index.groups.get(id)?.name;
        return { kind: 'security-group', id, ...(name ? { name } : {}) };
      }
      return {
        kind: 'security-groups',
        id: groupIds.join('+') || '(none)',
        name: groupIds.map((g) => groupLabel(index, g)).join(', ') || 'no security groups',
      };
    }
    case 'network-acl':
      return { kind: 'network-acl', id: ids.join('+') || '(unknown)' };
    case 'node-mapping':
      return { kind: 'node', id: nodesNamedBy(evidence, source, destination).join(',') || ids.join(',') || '(unknown)' };
    case 'source-dest-check':
    case 'allowed-address-pairs':
    case 'port-security':
      return { kind: 'network-interface', id: ids.join(',') || interfaceIds(direction === 'ingress' ? destination : source).join(',') };
    case 'l2-adjacency':
      return { kind: 'subnets', id: ids.join(',') || '(unknown)' };
    case 'collection':
      return { kind: 'collection', id: ids.join(',') || '(inputs)' };
  }
}

function memberGroupIds(members: BoundNode[]): string[] {
  const first = members.find((m) => m.binding.kind === 'bound');
  return first && first.binding.kind === 'bound' ? [...first.binding.iface.securityGroupIds].sort() : [];
}

/**
 * The node(s) a node-mapping evidence is about: the unbound node whose binding reason it
 * repeats, else the node its reason names (`node x has no IPv4 VTEP address`), else the
 * unbound members of the source class, then of the destination class.
 */
function nodesNamedBy(evidence: Evidence, source: NodeClass, destination: NodeClass): string[] {
  const members = source.id === destination.id ? source.members : [...source.members, ...destination.members];
  const pick = (f: (m: BoundNode) => boolean): string[] => [...new Set(members.filter(f).map((m) => m.node.name))].sort();
  const byReason = pick((m) => m.binding.kind === 'unbound' && m.binding.reason === evidence.reason);
  if (byReason.length > 0) return byReason;
  const mentioned = new Set([...evidence.reason.matchAll(/\bnode ([A-Za-z0-9](?:[-A-Za-z0-9._]*[A-Za-z0-9])?)/g)].map((m) => m[1]));
  const named = pick((m) => mentioned.has(m.node.name));
  if (named.length > 0) return named;
  const unboundSource = source.members.filter((m) => m.binding.kind === 'unbound').map((m) => m.node.name).sort();
  if (unboundSource.length > 0) return unboundSource;
  return destination.members.filter((m) => m.binding.kind === 'unbound').map((m) => m.node.name).sort();
}

function interfaceIds(cls: NodeClass): string[] {
  const ids = new Set<string>();
  for (const m of cls.members) if (m.binding.kind === 'bound') ids.add(m.binding.iface.id);
  return [...ids].sort();
}
