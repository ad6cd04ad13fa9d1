/** Tables up to this many cells are dense; larger ones fall back to a Map. */
const DENSE_LIMIT = 2 ** 22;

/**
 * A memo from a pair of small non-negative integers (interned node properties, node positions),
 * each below the bound given for it, to an integer >= -1 (an evidence id, a set id, -1 as a
 * caller's marker). The evaluator looks one up a few times per cell.
 *
 * Why a typed array when the table is small, and the pair packed into one number otherwise:
 * evaluating the `npm run bench -- --groups-per-pool 1` cluster took 86 ms this way, 93 with a
 * Map keyed by row * columns + column, 100 with a Map per row and 233 with `${row} ${column}`
 * string keys (medians). pair-memo.test.ts holds both forms against a Map keyed by the pair as text.
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

/** Numbers pairs of small non-negative integers (the second below `columns`): equal pairs, equal numbers. */
export class PairIds {
  private readonly memo: PairMemo;
  private count = 0;

  constructor(columns: number) {
    this.memo = PairMemo.sparse(Math.floor(Number.MAX_SAFE_INTEGER / columns), columns);
  }

  id(first: number, second: number): number {
    let id = this.memo.get(first, second);
    if (id === undefined) {
      id = this.count++;
      this.memo.set(first, second, id);
    }
    return id;
  }
}
