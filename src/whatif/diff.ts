import type { Requirement } from '../model/requirement.js';
import type { BoundNode, CellResult, Evaluation, NodeClass } from '../evaluate/types.js';
import type { Evidence, Layer, Verdict } from '../model/evidence.js';
import { endpointAddress } from '../findings/remote-cover.js';
import { classPairCount } from '../findings/pair-count.js';
import { firstPairs } from '../findings/first-pairs.js';

/** A verdict before the change; `not-required` when the requirement did not apply to the pair. */
export type BeforeVerdict = Verdict | 'not-required';

/** One directed node pair and requirement whose verdict the change moves. */
export interface PairChange {
  sourceNode: string;
  sourceIp: string | null;
  destinationNode: string;
  destinationIp: string | null;
  requirement: string;
  protocol?: string;
  /** Single port when the requirement has one. */
  port?: number;
  fromPort?: number;
  toPort?: number;
  before: BeforeVerdict;
  after: Verdict;
  /** Why the pair has its new verdict (the deciding evidence of the after evaluation). */
  reason: string;
  /** Layer of that evidence, and the groups or ACLs it consulted. */
  layer?: Layer;
  objectIds: string[];
}

export type Transition = 'newly-blocked' | 'newly-allowed' | 'newly-unknown' | 'still-blocked' | 'still-unknown' | 'unchanged';

export interface EvaluationDiff {
  newlyBlocked: PairChange[];
  newlyAllowed: PairChange[];
  newlyUnknown: PairChange[];
  /** Exact counts of (directed pair, requirement) combinations; the lists stop at maxPairs. */
  counts: Record<Exclude<Transition, 'unchanged'>, number>;
  /** Combinations of node classes compared, the unit of work instead of N² pairs. */
  jointClasses: number;
  /** The transition of one directed pair and requirement, by node names (for filtering after-audit findings). */
  transition(sourceNode: string, destinationNode: string, requirementId: string): Transition;
}

export function transitionOf(before: BeforeVerdict, after: Verdict): Transition {
  if (after === 'blocked') return before === 'blocked' ? 'still-blocked' : 'newly-blocked';
  if (after === 'allowed') return before === 'allowed' || before === 'not-required' ? 'unchanged' : 'newly-allowed';
  return before === 'unknown' ? 'still-unknown' : before === 'not-required' ? 'unchanged' : 'newly-unknown';
}

interface Joint extends NodeClass {
  before: number;
  after: number;
}

const NO_CLASS = -1;

function classOf(evaluation: Evaluation): Map<string, number> {
  const map = new Map<string, number>();
  for (const c of evaluation.classes) for (const m of c.members) map.set(m.node.name, c.id);
  return map;
}

function cellIndex(evaluation: Evaluation): Map<string, CellResult> {
  return new Map(evaluation.cells.map((c) => [`${c.sourceClass}|${c.destinationClass}|${c.requirementId}`, c]));
}

/**
 * The verdict of a class pair; a node outside every class cannot be vouched for (unknown),
 * and a pair with no cell is out of the requirement's scope.
 */
function verdictOf(cells: Map<string, CellResult>, s: number, d: number, req: string): { verdict: BeforeVerdict; cell?: CellResult } {
  if (s === NO_CLASS || d === NO_CLASS) return { verdict: 'unknown' };
  const cell = cells.get(`${s}|${d}|${req}`);
  return cell ? { verdict: cell.verdict, cell } : { verdict: 'not-required' };
}

/**
 * The evidence that explains the new verdict: the first check whose decision the change
 * moved; else the first whose deciding rule or objects changed; else the first check with
 * the new verdict.
 */
function decidingEvidence(before: CellResult | undefined, after: CellResult, verdict: Verdict): Evidence | undefined {
  const signature = (e: Evidence): string => `${e.decision}|${e.decidingRule?.ruleId ?? ''}|${e.objectIds.join(',')}`;
  const old = new Map((before?.evidence ?? []).map((e) => [e.check, e]));
  const candidates = after.evidence.filter((e) => e.decision === verdict);
  return (
    candidates.find((e) => old.get(e.check)?.decision !== e.decision) ??
    candidates.find((e) => { const o = old.get(e.check); return o === undefined || signature(o) !== signature(e); }) ??
    candidates[0] ??
    after.evidence[after.evidence.length - 1]
  );
}

function explain(before: CellResult | undefined, after: CellResult | undefined, verdict: Verdict): Pick<PairChange, 'reason' | 'layer' | 'objectIds'> {
  if (!after) return { reason: 'the node is not tied to any node class of the evaluation', objectIds: [] };
  const e = decidingEvidence(before, after, verdict);
  return { reason: e?.reason ?? `${verdict} at layer ${after.layer}`, layer: e?.layer ?? after.layer, objectIds: [...(e?.objectIds ?? [])] };
}

function flowFields(r: Requirement): Pick<PairChange, 'protocol' | 'port' | 'fromPort' | 'toPort'> {
  if (r.kind !== 'flow') return {};
  const out: Pick<PairChange, 'protocol' | 'port' | 'fromPort' | 'toPort'> = { protocol: r.protocol.name };
  if (r.fromPort !== undefined) {
    const to = r.toPort ?? r.fromPort;
    if (to === r.fromPort) out.port = r.fromPort;
    out.fromPort = r.fromPort;
    out.toPort = to;
  }
  return out;
}

function nodeIp(r: Requirement, n: BoundNode, side: 'source' | 'destination'): string | null {
  if (r.kind === 'flow' && r[side] !== 'pod-cidr') return endpointAddress(n, r[side], r.family) ?? null;
  return n.node.vtepIp ?? null;
}

/**
 * Compares two evaluations of the same nodes and requirements. Nodes are grouped by their
 * (before class, after class) combination; every verdict is read per combination pair, so
 * the work grows with classes², and node pairs are enumerated only to list up to maxPairs.
 */
export function diffEvaluations(before: Evaluation, after: Evaluation, maxPairs: number): EvaluationDiff {
  const beforeClass = classOf(before);
  const afterClass = classOf(after);
  const joints = new Map<string, Joint>();
  for (const bound of after.nodes) {
    const b = beforeClass.get(bound.node.name) ?? NO_CLASS;
    const a = afterClass.get(bound.node.name) ?? NO_CLASS;
    const key = `${b}:${a}`;
    let joint = joints.get(key);
    if (!joint) {
      joint = { id: joints.size, before: b, after: a, members: [], signature: `before class ${b}, after class ${a}` };
      joints.set(key, joint);
    }
    joint.members.push(bound);
  }
  const beforeCells = cellIndex(before);
  const afterCells = cellIndex(after);
  const counts = { 'newly-blocked': 0, 'newly-allowed': 0, 'newly-unknown': 0, 'still-blocked': 0, 'still-unknown': 0 };
  const listed: Record<'newly-blocked' | 'newly-allowed' | 'newly-unknown', { pairs: { source: Joint; destination: Joint }[]; reqs: Map<string, string[]> }> = {
    'newly-blocked': { pairs: [], reqs: new Map() },
    'newly-allowed': { pairs: [], reqs: new Map() },
    'newly-unknown': { pairs: [], reqs: new Map() },
  };
  const list = [...joints.values()];
  for (const s of list) {
    for (const d of list) {
      const pairCount = classPairCount(s, d);
      if (pairCount === 0) continue;
      for (const r of after.requirements) {
        const was = verdictOf(beforeCells, s.before, d.before, r.id);
        const now = verdictOf(afterCells, s.after, d.after, r.id);
        if (now.verdict === 'not-required') continue;
        const t = transitionOf(was.verdict, now.verdict);
        if (t === 'unchanged') continue;
        counts[t] += pairCount;
        if (t === 'newly-blocked' || t === 'newly-allowed' || t === 'newly-unknown') {
          const bucket = listed[t];
          const key = `${s.id}|${d.id}`;
          const reqs = bucket.reqs.get(key);
          if (reqs) reqs.push(r.id);
          else {
            bucket.reqs.set(key, [r.id]);
            bucket.pairs.push({ source: s, destination: d });
          }
        }
      }
    }
  }
  const requirements = new Map(after.requirements.map((r) => [r.id, r]));
  const expand = (t: 'newly-blocked' | 'newly-allowed' | 'newly-unknown'): PairChange[] => {
    const bucket = listed[t];
    const out: PairChange[] = [];
    const jointOf = new Map<string, Joint>();
    for (const j of list) for (const m of j.members) jointOf.set(m.node.name, j);
    for (const [src, dst] of firstPairs(bucket.pairs, maxPairs)) {
      const s = jointOf.get(src.node.name)!;
      const d = jointOf.get(dst.node.name)!;
      for (const id of bucket.reqs.get(`${s.id}|${d.id}`) ?? []) {
        if (out.length >= maxPairs) return out;
        const r = requirements.get(id)!;
        const was = verdictOf(beforeCells, s.before, d.before, id);
        const now = verdictOf(afterCells, s.after, d.after, id);
        out.push({
          sourceNode: src.node.name,
          sourceIp: nodeIp(r, src, 'source'),
          destinationNode: dst.node.name,
          destinationIp: nodeIp(r, dst, 'destination'),
          requirement: id,
          ...flowFields(r),
          before: was.verdict,
          after: now.verdict as Verdict,
          ...explain(was.cell, now.cell, now.verdict as Verdict),
        });
      }
    }
    return out;
  };
  return {
    newlyBlocked: expand('newly-blocked'),
    newlyAllowed: expand('newly-allowed'),
    newlyUnknown: expand('newly-unknown'),
    counts,
    jointClasses: list.length,
    transition: (sourceNode, destinationNode, requirementId) => {
      const s = (n: string, m: Map<string, number>): number => m.get(n) ?? NO_CLASS;
      const was = verdictOf(beforeCells, s(sourceNode, beforeClass), s(destinationNode, beforeClass), requirementId).verdict;
      const now = verdictOf(afterCells, s(sourceNode, afterClass), s(destinationNode, afterClass), requirementId).verdict;
      return now === 'not-required' ? 'unchanged' : transitionOf(was, now);
    },
  };
}
