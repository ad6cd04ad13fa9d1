import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarkSets } from './address-marks.js';

describe('MarkSets', () => {
  it('gives two nodes one id exactly when a key of their sorted marks is equal, and 0 to no marks', () => {
    const marks = 12;
    const sets = fc.array(fc.uniqueArray(fc.nat({ max: marks - 1 }), { maxLength: 5 }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(sets, (markLists) => {
        const markSets = new MarkSets(markLists.length, marks);
        // As markAddresses does: mark by mark in increasing order, each to the nodes that carry it.
        for (let mark = 0; mark < marks; mark++) {
          markLists.forEach((list, node) => list.includes(mark) && markSets.add(node, mark));
        }
        const obvious = markLists.map((list) => [...list].sort((a, b) => a - b).join(','));
        markLists.forEach((_, x) => {
          if (obvious[x] === '') expect(markSets.ids[x]).toBe(0);
          markLists.forEach((__, y) => expect(markSets.ids[x] === markSets.ids[y]).toBe(obvious[x] === obvious[y]));
        });
      }),
      { numRuns: 300 },
    );
  });
});
