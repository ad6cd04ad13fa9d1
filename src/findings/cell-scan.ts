import type { CellResult, Evaluation, NodeClass } from '../evaluate/types.js';
import { classPairCount } from './pair-count.js';

/** Worst verdict seen per class pair: 0 no cell yet, then allowed < unknown < blocked. */
export const SEEN_ALLOWED = 1;
export const SEEN_UNKNOWN = 2;
export const SEEN_BLOCKED = 3;

/** Above this many class pairs the worst-verdict table is a Map rather than a dense array. */
const DENSE_LIMIT = 4_000_000;

/**
 * One pass over an evaluation's cells for everything the report needs from all of them:
 * node pairs by the worst verdict of their class pair (for the summary) and the cells that are not allowed
 * (for findings). Large evaluations have a cell per class pair, most of them allowed, so
 * reading them once instead of once per use is what keeps the report's cost down.
 */
export interface CellScan {
  classes: readonly NodeClass[];
  /** Position in `classes` of a class id, or undefined for an id no class has. */
  positionOf(id: number): number | undefined;
  /** Directed node pairs whose class pair's worst verdict is blocked, and unknown. */
  blockedPairs: number;
  unknownPairs: number;
  /** The first cell whose classes are unknown, if any; the summary refuses such an evaluation. */
  strayCell?: CellResult;
  /** Every cell that is not allowed, in evaluation order. */
  failing: CellResult[];
}

export function scanCells(evaluation: Evaluation): CellScan {
  const classes = evaluation.classes;
  const size = classes.length;
  const positionOf = classPositions(classes);
  const dense = size * size <= DENSE_LIMIT;
  const table = dense ? new Uint8Array(size * size) : undefined;
  const sparse = dense ? undefined : new Map<number, number>();
  const failing: CellResult[] = [];
  let strayCell: CellResult | undefined;
  // Pair counts follow the worst verdict as it rises, so no second pass over the table is needed.
  let blockedPairs = 0;
  let unknownPairs = 0;
  const cells = evaluation.cells;
  // An indexed loop: this runs once per report over every cell, often before it is optimized,
  // and an unoptimized for-of allocates an iterator result per cell.
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const verdict = cell.verdict;
    const seen = verdict === 'blocked' ? SEEN_BLOCKED : verdict === 'unknown' ? SEEN_UNKNOWN : SEEN_ALLOWED;
    if (verdict !== 'allowed') failing.push(cell);
    const s = positionOf(cell.sourceClass);
    const d = positionOf(cell.destinationClass);
    if (s === undefined || d === undefined) {
      strayCell ??= cell;
      continue;
    }
    const key = s * size + d;
    const before = table ? table[key]! : (sparse!.get(key) ?? 0);
    if (seen <= before) continue;
    if (table) table[key] = seen;
    else sparse!.set(key, seen);
    if (seen === SEEN_ALLOWED) continue;
    const count = classPairCount(classes[s]!, classes[d]!);
    if (before === SEEN_UNKNOWN) unknownPairs -= count;
    if (seen === SEEN_BLOCKED) blockedPairs += count;
    else unknownPairs += count;
  }
  return { classes, positionOf, blockedPairs, unknownPairs, failing, ...(strayCell ? { strayCell } : {}) };
}

/** The evaluator numbers classes 0..n-1 in list order; then an id is its own position and no map is needed. */
function classPositions(classes: readonly NodeClass[]): (id: number) => number | undefined {
  const size = classes.length;
  let identity = true;
  for (let i = 0; i < size && identity; i++) identity = classes[i]!.id === i;
  if (identity) return (id) => (Number.isInteger(id) && id >= 0 && id < size ? id : undefined);
  const position = new Map<number, number>();
  classes.forEach((c, i) => position.set(c.id, i));
  return (id) => position.get(id);
}
