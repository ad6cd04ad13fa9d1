import { describe, expect, it } from 'vitest';
import { transitionOf, type BeforeVerdict } from './diff.js';
import type { Verdict } from '../model/evidence.js';
import { whatifVerdict } from './report.js';

describe('transitionOf', () => {
  it.each<[BeforeVerdict, Verdict, string]>([
    ['allowed', 'blocked', 'newly-blocked'],
    ['unknown', 'blocked', 'newly-blocked'],
    ['not-required', 'blocked', 'newly-blocked'],
    ['blocked', 'blocked', 'still-blocked'],
    ['blocked', 'allowed', 'newly-allowed'],
    ['unknown', 'allowed', 'newly-allowed'],
    ['allowed', 'allowed', 'unchanged'],
    ['not-required', 'allowed', 'unchanged'],
    ['allowed', 'unknown', 'newly-unknown'],
    ['blocked', 'unknown', 'newly-unknown'],
    ['unknown', 'unknown', 'still-unknown'],
  ])('%s -> %s is %s', (before, after, expected) => {
    expect(transitionOf(before, after)).toBe(expected);
  });
});

describe('whatifVerdict', () => {
  it.each([
    [3, 0, false, 'breaks'],
    [3, 2, false, 'mixed'],
    [0, 2, false, 'fixes'],
    [0, 2, true, 'fixes'],
    [0, 0, false, 'safe'],
    [0, 0, true, 'unknown'],
    [1, 0, true, 'breaks'],
  ] as const)('blocked %i, allowed %i, not-safe %s -> %s', (blocked, allowed, notSafe, expected) => {
    expect(whatifVerdict(blocked, allowed, notSafe)).toBe(expected);
  });
});
