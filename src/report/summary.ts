import type { Evaluation, Verdict } from '../evaluate/types.js';
import type { ReportSummary } from './contract.js';
import { classPairCount } from './pair-count.js';

const RANK: Record<Verdict, number> = { allowed: 0, unknown: 1, blocked: 2 };
/** RANK + 1, so 0 in the table below means "no cell yet". */
const SEEN_ALLOWED = 1;
const SEEN_UNKNOWN = 2;
const SEEN_BLOCKED = 3;

/** Above this many class pairs the worst-verdict table is a Map rather than a dense array. */
const DENSE_LIMIT = 4_000_000;

/**
 * Pair counts by class arithmetic. A class pair takes the worst verdict over all its
 * requirement cells; one with no cell at all (every requirement out of scope) is allowed.
 * Nodes the evaluation left out of every class cannot be vouched for, so their pairs count as unknown.
 * One pass over the cells with numeric keys: there is a cell per class pair and requirement.
 */
export function summarize(evaluation: Evaluation): ReportSummary {
  const n = evaluation.nodes.length;
  const directedPairs = n * (n - 1);
  const classes = evaluation.classes;
  const size = classes.length;
  // The evaluator numbers classes 0..n-1 in list order; then an id is its own position.
  const identity = classes.every((c, i) => c.id === i);
  const position = new Map<number, number>();
  if (!identity) classes.forEach((c, i) => position.set(c.id, i));
  const positionOf = (id: number): number | undefined => (identity ? (Number.isInteger(id) && id >= 0 && id < size ? id : undefined) : position.get(id));
  const dense = size * size <= DENSE_LIMIT;
  const table = dense ? new Uint8Array(size * size) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  for (const cell of evaluation.cells) {
    const s = positionOf(cell.sourceClass);
    const d = positionOf(cell.destinationClass);
    if (s === undefined || d === undefined) throw new Error(`evaluation cell refers to unknown class ${cell.sourceClass} or ${cell.destinationClass}`);
    const key = s * size + d;
    const rank = RANK[cell.verdict] + 1;
    if (table) {
      if (rank > table[key]!) table[key] = rank;
    } else if (rank > (sparse!.get(key) ?? 0)) {
      sparse!.set(key, rank);
    }
  }
  let blocked = 0;
  let unknown = 0;
  const add = (key: number, seen: number): void => {
    if (seen !== SEEN_BLOCKED && seen !== SEEN_UNKNOWN) return;
    const count = classPairCount(classes[Math.floor(key / size)]!, classes[key % size]!);
    if (seen === SEEN_BLOCKED) blocked += count;
    else unknown += count;
  };
  if (table) {
    for (let key = 0; key < table.length; key++) if (table[key]! > SEEN_ALLOWED) add(key, table[key]!);
  } else {
    for (const [key, seen] of sparse!) add(key, seen);
  }
  const classified = classes.reduce((sum, c) => sum + c.members.length, 0);
  unknown += Math.max(0, directedPairs - classified * (classified - 1));
  return { nodes: n, directedPairs, allowed: directedPairs - blocked - unknown, blocked, unknown, classes: classes.length };
}
