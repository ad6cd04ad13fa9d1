/**
 * A memo from a pair of small non-negative integers (interned node properties, node positions) to
 * an integer (an evidence id, a set id, a caller's marker), with every column below `columns`.
 * The evaluator looks one up a few times per cell.
 * Why one Map keyed by row * columns + column: with a Map per row, evaluating the
 * `npm run bench -- --groups-per-pool 1` cluster took 100 ms instead of 91 (medians), and with
 * `${row} ${column}` string keys 233 instead of 97. pair-memo.test.ts holds it against a Map keyed
 * by the pair as text.
 */
export class PairMemo {
  private readonly map = new Map<number, number>();

  constructor(private readonly columns: number) {}

  get(row: number, column: number): number | undefined {
    return this.map.get(row * this.columns + column);
  }

  set(row: number, column: number, value: number): void {
    if (!isIndex(row, Number.MAX_SAFE_INTEGER / this.columns) || !isIndex(column, this.columns)) {
      throw new RangeError(`memo key (${row}, ${column}) is out of range`);
    }
    this.map.set(row * this.columns + column, value);
  }
}

function isIndex(n: number, bound: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < bound;
}
