import type { BoundNode, CellResult, Evaluation } from '../evaluate/types.js';
import type { AuditFindings } from '../findings/find-findings.js';
import { compareIds } from '../findings/order.js';
import { isInterfaceLayer } from '../findings/finding-groups.js';
import type { MatrixCell, MatrixGrouping, MatrixSection, MatrixVerdict } from '../model/matrix.js';
import { chooseGrouping, type GroupPlan } from './matrix-grouping.js';

export interface MatrixOptions {
  /** Force a grouping (what-if keeps the before matrix's grouping for the after one); `class` falls back as usual when there are too many classes. */
  grouping?: MatrixGrouping;
}

const RANK: Record<MatrixVerdict, number> = { allowed: 1, unknown: 2, blocked: 3 };

/** Running totals of one group pair while cells are read. */
interface Tally {
  blocked: number;
  unknown: number;
  deciding?: CellResult;
  findingIds: Set<string>;
}

/**
 * The verdict matrix of an evaluation. Works on (class, group) intersections, so its cost grows
 * with the failing cells and the number of groups, never with node pairs: a class pair's worst
 * verdict is spread over the group pairs its members fall in. A class pair with no cell (every
 * requirement out of scope) is allowed, and a node outside every class makes its pairs unknown,
 * as in the summary, so the cell counts add up to the summary's.
 */
export function buildMatrix(evaluation: Evaluation, found: AuditFindings, options: MatrixOptions = {}): MatrixSection {
  const plan = chooseGrouping(evaluation, options.grouping);
  const size = plan.groups.length;
  const atoms = classAtoms(evaluation, plan);
  const tallies = new Map<number, Tally>();
  const tally = (s: number, d: number): Tally => {
    const key = s * size + d;
    let t = tallies.get(key);
    if (!t) tallies.set(key, (t = { blocked: 0, unknown: 0, findingIds: new Set() }));
    return t;
  };

  const scan = found.scan;
  // Worst failing cell per class pair; allowed class pairs need no entry.
  const worst = new Map<number, CellResult>();
  const classCount = scan.classes.length;
  const requirementOrder = new Map(evaluation.requirements.map((r, i) => [r.id, i]));
  const failing = scan.failing;
  for (let i = 0; i < failing.length; i++) {
    const cell = failing[i]!;
    const s = scan.positionOf(cell.sourceClass);
    const d = scan.positionOf(cell.destinationClass);
    if (s === undefined || d === undefined) continue;
    const key = s * classCount + d;
    const before = worst.get(key);
    if (!before || worse(cell, before, requirementOrder)) worst.set(key, cell);
  }
  // Plain loops over one reused buffer, no callback per class pair: in a profiled one-shot CLI
  // audit of the worst case (500 classes, 27,500 failing cells) the callback version took 18 ms,
  // these loops 2 to 4.
  const buffer: number[] = [];
  for (const [key, cell] of worst) {
    const count = atomPairs(atoms, Math.floor(key / classCount), key % classCount, buffer);
    for (let i = 0; i < count; i += 3) {
      const t = tally(buffer[i]!, buffer[i + 1]!);
      if (cell.verdict === 'blocked') t.blocked += buffer[i + 2]!;
      else t.unknown += buffer[i + 2]!;
      if (!t.deciding || worse(cell, t.deciding, requirementOrder)) t.deciding = cell;
    }
  }
  for (const group of found.groups) {
    for (const gc of group.cells) {
      const s = scan.positionOf(gc.source.id);
      const d = scan.positionOf(gc.destination.id);
      if (s === undefined || d === undefined) continue;
      const count = atomPairs(atoms, s, d, buffer);
      for (let i = 0; i < count; i += 3) tally(buffer[i]!, buffer[i + 1]!).findingIds.add(group.id);
    }
  }

  const cells: MatrixCell[] = [];
  for (let s = 0; s < size; s++) {
    for (let d = 0; d < size; d++) {
      const cell = matrixCell(plan, atoms.unclassified, s, d, tallies.get(s * size + d));
      if (cell) cells.push(cell);
    }
  }
  return { grouping: plan.grouping, groupingReason: plan.reason, groups: plan.groups, cells };
}

/** Members of each class by group: the class's share of each group it has members in. */
interface Atoms {
  /** Per class position: [group, count] pairs. */
  byClass: [number, number][][];
  /** Per group: members in no class. */
  unclassified: number[];
}

function classAtoms(evaluation: Evaluation, plan: GroupPlan): Atoms {
  const byClass: [number, number][][] = [];
  const classified = new Set<BoundNode>();
  for (const c of evaluation.classes) {
    const counts = new Map<number, number>();
    for (const m of c.members) {
      classified.add(m);
      const g = plan.groupOf(m);
      counts.set(g, (counts.get(g) ?? 0) + 1);
    }
    byClass.push([...counts.entries()].sort((a, b) => a[0] - b[0]));
  }
  const unclassified = plan.groups.map(() => 0);
  for (const n of evaluation.nodes) {
    if (classified.has(n)) continue;
    const g = plan.groupOf(n);
    unclassified[g] = unclassified[g]! + 1;
  }
  return { byClass, unclassified };
}

/**
 * Writes the (source group, destination group, pairs) triples of class pair (s, d) into `into`,
 * from its start, and returns how many numbers it wrote (3 per group pair with pairs).
 */
function atomPairs(atoms: Atoms, s: number, d: number, into: number[]): number {
  const sources = atoms.byClass[s]!;
  const destinations = atoms.byClass[d]!;
  let n = 0;
  for (let i = 0; i < sources.length; i++) {
    // Indexed, not destructured: array destructuring runs the iterator protocol until optimized.
    const gs = sources[i]![0];
    const cs = sources[i]![1];
    for (let j = 0; j < destinations.length; j++) {
      const gd = destinations[j]![0];
      const cd = destinations[j]![1];
      // Same class and same group: the members are paired among themselves, never with themselves.
      const pairs = s === d && gs === gd ? cs * (cs - 1) : cs * cd;
      if (pairs > 0) {
        into[n] = gs;
        into[n + 1] = gd;
        into[n + 2] = pairs;
        n += 3;
      }
    }
  }
  return n;
}

/** Blocked beats unknown; on a tie the earlier requirement, then the lower classes, decide, so the choice is stable. */
function worse(a: CellResult, b: CellResult, order: Map<string, number>): boolean {
  const ra = RANK[a.verdict];
  const rb = RANK[b.verdict];
  if (ra !== rb) return ra > rb;
  const qa = order.get(a.requirementId) ?? Number.MAX_SAFE_INTEGER;
  const qb = order.get(b.requirementId) ?? Number.MAX_SAFE_INTEGER;
  if (qa !== qb) return qa < qb;
  if (a.sourceClass !== b.sourceClass) return a.sourceClass < b.sourceClass;
  return a.destinationClass < b.destinationClass;
}

function matrixCell(plan: GroupPlan, unclassified: number[], s: number, d: number, t: Tally | undefined): MatrixCell | undefined {
  const ns = plan.groups[s]!.nodes;
  const nd = plan.groups[d]!.nodes;
  const pairs = s === d ? ns * (ns - 1) : ns * nd;
  if (pairs === 0) return undefined;
  const us = unclassified[s]!;
  const ud = unclassified[d]!;
  const cs = ns - us;
  const cd = nd - ud;
  const unclassifiedPairs = pairs - (s === d ? cs * (cs - 1) : cs * cd);
  const blocked = t?.blocked ?? 0;
  const unknown = (t?.unknown ?? 0) + unclassifiedPairs;
  const verdict: MatrixVerdict = blocked > 0 ? 'blocked' : unknown > 0 ? 'unknown' : 'allowed';
  const cell: MatrixCell = {
    source: s,
    destination: d,
    pairs,
    allowed: pairs - blocked - unknown,
    blocked,
    unknown,
    verdict,
    findingIds: t ? [...t.findingIds].sort(compareIds) : [],
  };
  if (verdict === 'allowed') return cell;
  const deciding = t?.deciding;
  if (deciding && deciding.verdict === verdict) {
    const evidence = deciding.evidence.find((e) => e.decision === verdict) ?? deciding.evidence[0];
    const layer = evidence?.layer ?? deciding.layer;
    // An interface-layer reason names the class representative, which need not be in this cell's
    // groups; the findings name every interface of the class.
    const reason = evidence && isInterfaceLayer(evidence.layer)
      ? `${deciding.requirementId} is ${verdict} by the ${evidence.layer} setting of the interfaces named in ${cell.findingIds.join(', ') || 'the findings'}`
      : (evidence?.reason ?? `${deciding.requirementId} is ${verdict}`);
    return { ...cell, layer, requirement: deciding.requirementId, reason };
  }
  return { ...cell, reason: `${unclassifiedPairs} pair(s) include a node the evaluation placed in no equivalence class, so they cannot be vouched for` };
}
