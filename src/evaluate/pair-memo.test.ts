import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PairMemo } from './pair-memo.js';

describe('PairMemo', () => {
  it('answers like a Map keyed by the pair as text', () => {
    const columns = 7;
    const op = fc.record({ row: fc.nat({ max: 40 }), column: fc.nat({ max: columns - 1 }), value: fc.integer({ min: -1, max: 1000 }), write: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const memo = new PairMemo(columns);
        const obvious = new Map<string, number>();
        for (const { row, column, value, write } of ops) {
          if (write) {
            memo.set(row, column, value);
            obvious.set(`${row} ${column}`, value);
          } else if (memo.get(row, column) !== obvious.get(`${row} ${column}`)) {
            return false;
          }
        }
        return [...obvious].every(([key, value]) => {
          const [row, column] = key.split(' ').map(Number);
          return memo.get(row!, column!) === value;
        });
      }),
    );
  });

  it.each([
    [0, 3],
    [0, -1],
    [-1, 0],
    [0.5, 0],
    [0, Number.NaN],
  ])('refuses the key (%s, %s) that could collide with another', (row, column) => {
    expect(() => new PairMemo(3).set(row, column, 1)).toThrow(RangeError);
  });
});
