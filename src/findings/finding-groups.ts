import type { BoundNode, CellResult, Evaluation, NodeClass } from '../evaluate/types.js';
import { directionOfCheck, type Evidence, type Layer, type Verdict } from '../model/evidence.js';
import type { Direction } from '../model/cloud.js';
import type { Requirement } from '../model/requirement.js';
import type { CellScan } from './cell-scan.js';
import { classPairCount } from './pair-count.js';
import { compareKeys } from './order.js';
import { groupLabel, type CloudLookup } from './cloud-lookup.js';

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
  /**
   * The evaluator's reason shared by every cell of the group; for an interface layer (see
   * isInterfaceLayer), the first cell's, which names the one member the evaluator checked.
   */
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
export function groupScannedCells(index: CloudLookup, evaluation: Evaluation, scan: CellScan): FindingGroup[] {
  const requirements = new Map(evaluation.requirements.map((r) => [r.id, r]));
  const grouper = new CellGrouper(index);
  const failing = scan.failing;
  for (let i = 0; i < failing.length; i++) {
    const cell = failing[i]!;
    const sourceAt = scan.positionOf(cell.sourceClass);
    const destinationAt = scan.positionOf(cell.destinationClass);
    const source = sourceAt === undefined ? undefined : scan.classes[sourceAt];
    const destination = destinationAt === undefined ? undefined : scan.classes[destinationAt];
    const requirement = requirements.get(cell.requirementId);
    if (!source || !destination || !requirement) {
      throw new Error(
        `evaluation cell ${cell.requirementId} ${cell.sourceClass}->${cell.destinationClass} refers to an unknown class or requirement`,
      );
    }
    grouper.add(cell, requirement, source, destination);
  }
  const groups = grouper.groups;

  const sorted = [...groups.values()].sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
  return sorted.map((g, i) => {
    g.cells.sort((x, y) => x.source.id - y.source.id || x.destination.id - y.destination.id);
    return { id: `F${i + 1}`, ...g };
  });
}

type GroupDraft = Omit<FindingGroup, 'id'>;

/** The finding a (shared) evidence entry leads to for one requirement, verdict and direction. */
interface KnownGroup {
  requirement: Requirement;
  verdict: Verdict;
  direction: Direction | undefined;
  group: GroupDraft;
}

/** Collects non-allowed cells into finding drafts, keyed by groupKey. */
class CellGrouper {
  readonly groups = new Map<string, GroupDraft>();
  // Cells share evidence objects, so the finding of (evidence, requirement, verdict, direction)
  // is worked out once unless the target depends on the cell's classes.
  private readonly known = new Map<Evidence, KnownGroup[]>();

  constructor(private readonly index: CloudLookup) {}

  add(cell: CellResult, requirement: Requirement, source: NodeClass, destination: NodeClass): void {
    const pairCount = classPairCount(source, destination);
    if (pairCount === 0) return;
    const verdict = cell.verdict as Exclude<Verdict, 'allowed'>;
    // The entries that carry the cell's verdict; a cell without one still gets a finding.
    const entries = hasDecidingEvidence(cell) ? cell.evidence : [missingEvidence(cell)];
    // A cell joins each finding once, even when two of its deciding entries lead to the same one.
    let joined: GroupDraft | undefined;
    let joinedMore: GroupDraft[] | undefined;
    for (const evidence of entries) {
      if (evidence.decision !== verdict) continue;
      const side = evidenceDirection(cell, evidence);
      const direction = isInterfaceLayer(evidence.layer) ? undefined : side;
      const group = targetNeedsClasses(evidence)
        ? this.groupFor(requirement, verdict, evidence, direction, findingTarget(this.index, evidence, source, destination, side))
        : this.knownGroup(requirement, verdict, evidence, direction, side, source, destination);
      if (group === joined || joinedMore?.includes(group)) continue;
      if (!joined) joined = group;
      else (joinedMore ??= []).push(group);
      group.cells.push({ cell, evidence, source, destination, pairCount });
      group.pairCount += pairCount;
    }
  }

  private knownGroup(
    requirement: Requirement,
    verdict: Exclude<Verdict, 'allowed'>,
    evidence: Evidence,
    direction: Direction | undefined,
    side: Direction | undefined,
    source: NodeClass,
    destination: NodeClass,
  ): GroupDraft {
    let list = this.known.get(evidence);
    if (!list) {
      list = [];
      this.known.set(evidence, list);
    }
    for (const k of list) if (k.requirement === requirement && k.verdict === verdict && k.direction === direction) return k.group;
    const group = this.groupFor(requirement, verdict, evidence, direction, findingTarget(this.index, evidence, source, destination, side));
    list.push({ requirement, verdict, direction, group });
    return group;
  }

  private groupFor(
    requirement: Requirement,
    verdict: Exclude<Verdict, 'allowed'>,
    evidence: Evidence,
    direction: Direction | undefined,
    target: FindingTarget,
  ): GroupDraft {
    const key = groupKey(requirement, verdict, evidence, direction, target);
    let group = this.groups.get(key);
    if (!group) {
      group = {
        requirement,
        verdict,
        layer: evidence.layer,
        ...(direction ? { direction } : {}),
        check: evidence.check,
        target,
        evidenceReason: evidence.reason,
        cells: [],
        pairCount: 0,
      };
      this.groups.set(key, group);
    }
    return group;
  }
}

function hasDecidingEvidence(cell: CellResult): boolean {
  for (const e of cell.evidence) if (e.decision === cell.verdict) return true;
  return false;
}

function groupKey(requirement: Requirement, verdict: Verdict, evidence: Evidence, direction: Direction | undefined, target: FindingTarget): string {
  // An interface-layer reason names the class representative the evaluator checked; every member
  // shares the setting (it is part of the class key), so the reason must not split the class.
  const reason = isInterfaceLayer(evidence.layer) ? '' : evidence.reason;
  return JSON.stringify([requirement.id, verdict, evidence.layer, direction ?? '', evidence.check, target.kind, target.id, reason]);
}

/**
 * Layers decided by one interface's own setting (source/dest check, allowed-address pairs, port
 * security). Such a finding is about the interfaces of a whole class, and has no direction: the
 * setting drops the node's pod-addressed traffic whether it sends or receives it.
 */
export function isInterfaceLayer(layer: Layer): boolean {
  return layer === 'source-dest-check' || layer === 'allowed-address-pairs' || layer === 'port-security';
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

/** Stands in for the deciding evidence of a cell that has none. */
function missingEvidence(cell: CellResult): Evidence {
  return {
    layer: cell.layer,
    check: fallbackCheck(cell),
    decision: cell.verdict,
    objectIds: [],
    reason: `the evaluator reported ${cell.verdict} at ${cell.layer} without evidence`,
  };
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
  return directionOfCheck(evidence.check) ?? (evidence.layer === cell.layer ? cell.direction : undefined);
}

/** The object a finding is about: the thing to change, or the thing that could not be read. */
function findingTarget(
  index: CloudLookup,
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
    case 'port-security': {
      const all = interfaceIds(interfaceSide(ids, source, destination, direction));
      return all.length === 1 ? { kind: 'network-interface', id: all[0]! } : { kind: 'network-interfaces', id: all.join(',') || ids.join(',') };
    }
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

/**
 * The class whose member the evidence checked (its representative's interface), else the side the
 * cell's direction points at. Evidence without objectIds comes only from missingEvidence.
 */
function interfaceSide(ids: readonly string[], source: NodeClass, destination: NodeClass, direction: Direction | undefined): NodeClass {
  if (ids.length > 0) {
    const named = new Set(ids);
    const holds = (cls: NodeClass): boolean =>
      cls.members.some((m) => m.binding.kind === 'bound' && (named.has(m.binding.iface.id) || (m.binding.iface.instanceId !== undefined && named.has(m.binding.iface.instanceId))));
    if (holds(source)) return source;
    if (holds(destination)) return destination;
  }
  return direction === 'ingress' ? destination : source;
}

function interfaceIds(cls: NodeClass): string[] {
  const ids = new Set<string>();
  for (const m of cls.members) if (m.binding.kind === 'bound') ids.add(m.binding.iface.id);
  return [...ids].sort();
}
