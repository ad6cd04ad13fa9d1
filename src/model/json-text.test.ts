import { describe, expect, it } from 'vitest';
import { boundedJson, findTooDeep, MAX_JSON_DEPTH } from './json-text.js';
import { formatProblem, InputError } from './source.js';

function nested(levels: number): unknown {
  let v: unknown = [];
  for (let i = 1; i < levels; i++) v = [v];
  return v;
}

describe('findTooDeep', () => {
  it('accepts exactly the limit and stops at the first level beyond it, in document order', () => {
    expect(findTooDeep(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findTooDeep(nested(MAX_JSON_DEPTH + 1))).toEqual({ pointer: '/0'.repeat(MAX_JSON_DEPTH), maxDepth: MAX_JSON_DEPTH });
    const doc = { a: [1, 2], 'x/y~z': { b: nested(10) }, c: nested(10) };
    expect(findTooDeep(doc, 5)).toEqual({ pointer: '/x~1y~0z/b/0/0/0', maxDepth: 5 });
  });

  it('walks 1,000,000 levels without recursion', () => {
    expect(findTooDeep(nested(1_000_000))?.pointer).toBe('/0'.repeat(64));
  });

  it('treats scalars as level 0', () => {
    expect(findTooDeep('x', 0)).toBeUndefined();
    expect(findTooDeep({}, 0)).toEqual({ pointer: '', maxDepth: 0 });
  });
});

describe('boundedJson', () => {
  it.each([
    [{ a: [1, 'two', null, true], b: { c: -1.5 } }],
    [[undefined, () => 1, Symbol('s')]],
    [{ skip: undefined, f: () => 1, keep: 0 }],
    ['quote " and \\ and \u0000'],
    [{ when: new Date(0) }],
    [[Number.NaN, Infinity]],
  ])('matches JSON.stringify on %j when it fits', (value) => {
    expect(boundedJson(value, 1000)).toEqual({ text: JSON.stringify(value), complete: true });
  });

  it('stops at the limit on deep, long, wide and cyclic values', () => {
    const deep = boundedJson(nested(100_000), 50);
    expect(deep).toEqual({ text: '['.repeat(50), complete: false });
    expect(boundedJson('x'.repeat(10_000_000), 20)).toEqual({ text: `"${'x'.repeat(19)}`, complete: false });
    const wide = boundedJson(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i])), 30);
    expect(wide.complete).toBe(false);
    expect(wide.text).toBe(JSON.stringify(Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, i]))).slice(0, 30));
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    expect(boundedJson(cyclic, 40).complete).toBe(false);
  });

  it('is incomplete for what JSON cannot hold exactly', () => {
    expect(boundedJson(undefined, 10)).toEqual({ text: '', complete: false });
    expect(boundedJson({ n: 10n }, 100).complete).toBe(false);
    expect(boundedJson({ toJSON: () => { throw new Error('no'); } }, 100).complete).toBe(false);
  });
});

describe('formatProblem on hostile values', () => {
  it('formats a value 5,000 levels deep without overflowing the stack', () => {
    const line = formatProblem({ document: 'nodes.json', pointer: '/items/0', reason: 'expected a Node object', value: nested(5000) });
    expect(line).toBe(`nodes.json#/items/0: expected a Node object (value: ${'['.repeat(117)}...)`);
    expect(() => new InputError([{ document: 'd', pointer: '', reason: 'r', value: nested(200_000) }])).not.toThrow();
  });

  it('keeps short values whole and cuts long ones as before', () => {
    expect(formatProblem({ document: 'd', pointer: '', reason: 'r', value: { a: 1 } })).toBe('d: r (value: {"a":1})');
    expect(formatProblem({ document: 'd', pointer: '', reason: 'r', value: 'y'.repeat(500) })).toBe(`d: r (value: "${'y'.repeat(116)}...)`);
  });
});
