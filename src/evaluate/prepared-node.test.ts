import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListInterner } from './prepared-node.js';

describe('ListInterner', () => {
  it('numbers lists as numbering them by their JSON text does: equal ids exactly for equal lists', () => {
    // Few distinct strings, so that lists repeat and share last elements, as node pools do.
    const list = fc.array(fc.constantFrom('sg-a', 'sg-b', 'sg-c', ''), { maxLength: 4 });
    fc.assert(
      fc.property(fc.array(list, { maxLength: 60 }), (lists) => {
        const interner = new ListInterner();
        const obvious = new Map<string, number>();
        const ids = lists.map((l) => interner.intern(l));
        const expected = lists.map((l) => {
          const key = JSON.stringify(l);
          if (!obvious.has(key)) obvious.set(key, obvious.size);
          return obvious.get(key)!;
        });
        expect(ids).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
