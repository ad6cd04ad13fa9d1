/** Tables up to this many cells are dense; larger ones fall back to a Map. */
const DENSE_LIMIT = 2 ** 22;

/**
 * A memo from a pair of small non-negative integers (interned node properties, node positions),
 * each below the bound given for it, to an integer >= -1 (an evidence id, a set id, -1 as a
 * caller's marker). The evaluator looks one up a few times per cell.
 *
 * Why it is not a Map keyed by the pair: with `${row} ${column}` string keys, evaluating the
 * `npm run bench -- --groups-per-pool 1` cluster took 233 ms instead of 97, and with a Map per row
 * 100 instead of 91 (medians). A Map keyed by row * columns + column kept the evaluate stage but
 * not the whole audit: its hash tables (a quarter of a million entries there) made the bench's
 * report stage take 111 ms instead of 49 and the audit 484 instead of 329, as garbage collection
 * moved. So a small table is one typed array, and only a huge one a Map.
 * pair-memo.test.ts holds both forms against a Map keyed by the pair as text.
 */
export class PairMemo {
  /** Value + 2 per cell; 0 is empty. */
  private readonly dense: Int32Array | undefined;
  private readonly sparse: Map<number, number> | undefined;

  /** Dense (one typed array) when rows * columns is small, else a Map. */
  constructor(
    readonly rows: number,
    readonly columns: number,
    dense = rows * columns <= DENSE_LIMIT,
  ) {
    if (dense) this.dense = new Int32Array(rows * columns);
    else this.sparse = new Map();
  }

  /** Always a Map: for tables that stay nearly empty, such as one entry per node. */
  static sparse(rows: number, columns: number): PairMemo {
    return new PairMemo(rows, columns, false);
  }

  get(row: number, column: number): number | undefined {
    if (this.dense) {
      const v = this.dense[row * this.columns + column]!;
      return v === 0 ? undefined : v - 2;
    }
    return this.sparse!.get(row * this.columns + column);
  }

  set(row: number, column: number, value: number): void {
    if (!isIndex(row, this.rows) || !isIndex(column, this.columns) || !Number.isInteger(value) || value < -1) {
      throw new RangeError(`memo entry (${row}, ${column}) = ${value} is out of range`);
    }
    if (this.dense) this.dense[row * this.columns + column] = value + 2;
    else this.sparse!.set(row * this.columns + column, value);
  }
}

function isIndex(n: number, bound: number): boolean {
  return Number.isInteger(n) && n >= 0 && n < bound;
}
