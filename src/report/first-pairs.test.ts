import { describe, expect, it } from 'vitest';
import { boundNode, nodeClass } from './testing/fixtures.js';
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
});
