import { describe, expect, it } from 'vitest';
import { IssueCollector, describeType, isPlainObject } from './issues.js';
import { InputError } from './source.js';

describe('IssueCollector', () => {
  it('records problems with the value only when there is one', () => {
    const issues = new IssueCollector();
    issues.problem('a.json', '/x', 'bad x', 0);
    issues.problem('a.json', '', 'bad document');
    expect(issues.problems).toEqual([
      { document: 'a.json', pointer: '/x', reason: 'bad x', value: 0 },
      { document: 'a.json', pointer: '', reason: 'bad document' },
    ]);
    expect(Object.keys(issues.problems[1]!)).toEqual(['document', 'pointer', 'reason']);
  });

  it('records warnings with a source only when there is one', () => {
    const issues = new IssueCollector();
    issues.warn('w-one', 'first');
    issues.warn('w-two', 'second', { document: 'b.json', pointer: '/y' });
    expect(issues.warnings).toEqual([
      { code: 'w-one', message: 'first' },
      { code: 'w-two', message: 'second', source: { document: 'b.json', pointer: '/y' } },
    ]);
    expect(Object.keys(issues.warnings[0]!)).toEqual(['code', 'message']);
  });

  it('stores a warning source as plain data, so a pointer built on first read reaches the JSON report', () => {
    class LazyPosition {
      constructor(
        readonly document: string,
        private readonly segment: string,
      ) {}
      get pointer(): string {
        return `/${this.segment}`;
      }
    }
    const issues = new IssueCollector();
    issues.warn('w', 'lazy', new LazyPosition('c.json', 'z'));
    expect(JSON.parse(JSON.stringify(issues.warnings))).toEqual([
      { code: 'w', message: 'lazy', source: { document: 'c.json', pointer: '/z' } },
    ]);
  });

  it('absorb returns the result, or records the problems of an InputError and returns undefined', () => {
    const issues = new IssueCollector();
    expect(issues.absorb(() => 42)).toBe(42);
    const thrown = [
      { document: 'd.json', pointer: '/0', reason: 'first' },
      { document: 'd.json', pointer: '/1', reason: 'second' },
    ];
    expect(
      issues.absorb(() => {
        throw new InputError(thrown);
      }),
    ).toBeUndefined();
    issues.absorb(() => {
      issues.problem('d.json', '/2', 'recorded directly');
      throw new InputError([{ document: 'd.json', pointer: '/3', reason: 'thrown after' }]);
    });
    expect(issues.problems.map((p) => p.pointer)).toEqual(['/0', '/1', '/2', '/3']);
  });

  it('absorb lets any other error through: that is a bug, not bad input', () => {
    const issues = new IssueCollector();
    expect(() =>
      issues.absorb(() => {
        throw new TypeError('boom');
      }),
    ).toThrow(TypeError);
    expect(issues.problems).toEqual([]);
  });

  it('throwIfProblems throws one InputError with every problem, and nothing when there is none', () => {
    const issues = new IssueCollector();
    expect(() => issues.throwIfProblems()).not.toThrow();
    issues.problem('e.json', '/a', 'one');
    issues.problem('e.json', '/b', 'two');
    let caught: unknown;
    try {
      issues.throwIfProblems();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).problems).toEqual(issues.problems);
  });
});

describe('isPlainObject and describeType', () => {
  it.each([
    [{}, true, 'object'],
    [[], false, 'array'],
    [null, false, 'null'],
    ['x', false, 'string'],
    [1, false, 'number'],
    [undefined, false, 'undefined'],
  ])('%j: plain object %s, type %s', (value, plain, type) => {
    expect(isPlainObject(value)).toBe(plain);
    expect(describeType(value)).toBe(type);
  });
});
