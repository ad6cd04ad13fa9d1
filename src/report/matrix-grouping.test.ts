import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_GROUPS, securityGroupKey, securityGroupKeyMemo } from './matrix-grouping.js';

describe('securityGroupKeyMemo', () => {
  it('answers what securityGroupKey answers for every list, in any order of calls', () => {
    // Few distinct ids (commas and NUL included), so lists repeat, reorder and share last ids, as node pools do.
    const list = fc.array(fc.constantFrom('sg-b', 'sg-a', 'sg-a,sg-b', 'sg-\u0000', ''), { maxLength: 5 });
    fc.assert(
      fc.property(fc.array(list, { maxLength: 60 }), (lists) => {
        const memo = securityGroupKeyMemo();
        // Fresh copies: equal lists arrive as different arrays, as every node's own ENI list does.
        expect(lists.map((l) => memo([...l]))).toEqual(lists.map((l) => securityGroupKey(l)));
      }),
      { numRuns: 300 },
    );
  });

  it('sorts in code-unit order and names the empty list', () => {
    const memo = securityGroupKeyMemo();
    expect(memo(['sg-b', 'sg-B', 'sg-a'])).toBe('sg-B,sg-a,sg-b');
    expect(memo(['sg-a', 'sg-b', 'sg-B'])).toBe('sg-B,sg-a,sg-b');
    expect(memo([])).toBe(NO_GROUPS);
  });
});
