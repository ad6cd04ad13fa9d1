import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairIds, PairMemo } from './pair-memo.js';

describe('PairMemo', () => {
  const rows = 9;
  const columns = 7;
  const forms = [
    ['dense', () => new PairMemo(rows, columns)],
    ['sparse', () => PairMemo.sparse(rows, columns)],
    ['too large to be dense', () => new PairMemo(rows, columns, rows * columns <= 10)],
  ] as const;

  it.each(forms)('answers like a Map keyed by the pair as text (%s)', (_, make) => {
    const op = fc.record({ row: fc.nat({ max: rows - 1 }), column: fc.nat({ max: columns - 1 }), value: fc.integer({ min: -1, max: 1000 }), write: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const memo = make();
        const obvious = new Map<string, number>();
        for (const { row, column, value, write } of ops) {
          if (write) {
            memo.set(row, column, value);
            obvious.set(`${row} ${column}`, value);
          } else if (memo.get(row, column) !== obvious.get(`${row} ${column}`)) {
            return false;
          }
        }
        for (let row = 0; row < rows; row++) {
          for (let column = 0; column < columns; column++) if (memo.get(row, column) !== obvious.get(`${row} ${column}`)) return false;
        }
        return true;
      }),
    );
  });

  it.each([
    [0, columns, 1],
    [rows, 0, 1],
    [0, -1, 1],
    [-1, 0, 1],
    [0.5, 0, 1],
    [0, Number.NaN, 1],
    [0, 0, -2],
    [0, 0, 1.5],
  ])('refuses the entry (%s, %s) = %s, which could collide with another or not be stored', (row, column, value) => {
    for (const [, make] of forms) expect(() => make().set(row, column, value)).toThrow(RangeError);
  });
});

describe('PairIds', () => {
  it('numbers pairs as numbering them by their text does', () => {
    const pair = fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 4 }));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 100 }), (pairs) => {
        const ids = new PairIds(5);
        const obvious = new Map<string, number>();
        return pairs.every(([a, b]) => {
          const key = `${a} ${b}`;
          if (!obvious.has(key)) obvious.set(key, obvious.size);
          return ids.id(a, b) === obvious.get(key);
        });
      }),
    );
  });
});
