import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { boundNode, nodeClass } from '../report/testing/fixtures.js';
import { firstPairs } from './first-pairs.js';

const cls = (id: number, ...names: string[]) => nodeClass(id, names.map((n, i) => boundNode(n, `10.0.${id}.${i + 1}`, [])));
const names = (pairs: ReturnType<typeof firstPairs>) => pairs.map(([s, d]) => `${s.node.name}>${d.node.name}`);

describe('firstPairs', () => {
  const x = cls(1, 'n3', 'n1');
  const y = cls(2, 'n2', 'n4');

  it('merges destination classes in name order and skips self pairs', () => {
    expect(names(firstPairs([{ source: x, destination: x }, { source: x, destination: y }], 100))).toEqual([
      'n1>n2', 'n1>n3', 'n1>n4', 'n3>n1', 'n3>n2', 'n3>n4',
    ]);
  });

  it('merges source classes in name order', () => {
    expect(names(firstPairs([{ source: y, destination: x }, { source: x, destination: y }], 100))).toEqual([
      'n1>n2', 'n1>n4', 'n2>n1', 'n2>n3', 'n3>n2', 'n3>n4', 'n4>n1', 'n4>n3',
    ]);
  });

  it.each([[0, []], [1, ['n1>n3']], [2, ['n1>n3', 'n3>n1']]])('stops at the limit (%i)', (limit, expected) => {
    expect(names(firstPairs([{ source: x, destination: x }], limit as number))).toEqual(expected);
  });

  it('a one-node class paired with itself has no pairs', () => {
    expect(firstPairs([{ source: cls(3, 'solo'), destination: cls(3, 'solo') }], 10)).toEqual([]);
  });

  it('equals sorting every covered pair, for generated classes and limits', () => {
    // Classes partition the nodes, as the evaluator's do; member order is scrambled on purpose.
    const arb = fc.record({
      sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 6 }),
      pairs: fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 12 }),
      limit: fc.integer({ min: 0, max: 40 }),
      seed: fc.nat(),
    });
    fc.assert(
      fc.property(arb, ({ sizes, pairs, limit, seed }) => {
        let n = 0;
        const classes = sizes.map((size, id) => {
          const names = Array.from({ length: size }, () => `n${String((n++ * 7 + seed) % 97).padStart(2, '0')}-${n}`);
          return cls(id, ...names.reverse());
        });
        const classPairs = pairs.map(([s, d]) => ({ source: classes[s % classes.length]!, destination: classes[d % classes.length]! }));
        const all = new Set<string>();
        for (const { source, destination } of classPairs) {
          for (const a of source.members) for (const b of destination.members) if (a !== b) all.add(`${a.node.name}>${b.node.name}`);
        }
        const expected = [...all].sort((x, y) => {
          const [xs, xd] = x.split('>') as [string, string];
          const [ys, yd] = y.split('>') as [string, string];
          return xs < ys ? -1 : xs > ys ? 1 : xd < yd ? -1 : xd > yd ? 1 : 0;
        });
        expect(names(firstPairs(classPairs, limit))).toEqual(expected.slice(0, limit));
      }),
    );
  });
});
