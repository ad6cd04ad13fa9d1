import { describe, expect, it } from 'vitest';
import { inBatches, sameSet, uniqueSorted } from '../../src/model/collections.js';
import { inFilterBatches, MAX_FILTER_VALUES } from './batches.js';
import { awsErrorCode, describeCallFailure } from './collect-errors.js';

describe('inBatches', () => {
  it.each([
    { n: 0, sizes: [] },
    { n: 1, sizes: [1] },
    { n: 200, sizes: [200] },
    { n: 201, sizes: [200, 1] },
    { n: 400, sizes: [200, 200] },
    { n: 401, sizes: [200, 200, 1] },
  ])('$n values -> batches of $sizes', ({ n, sizes }) => {
    const items = Array.from({ length: n }, (_, i) => `10.0.${Math.floor(i / 250)}.${i % 250}`);
    const batches = inFilterBatches(items);
    expect(batches.map((b) => b.length)).toEqual(sizes);
    expect(batches.flat()).toEqual(items);
  });

  it('the EC2 limit is 200 filter values', () => {
    expect(MAX_FILTER_VALUES).toBe(200);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects batch size %s', (size) => {
    expect(() => inBatches(['a'], size)).toThrow(RangeError);
  });

  it('uniqueSorted removes duplicates and orders, so call counts do not depend on input order', () => {
    expect(uniqueSorted(['sg-b', 'sg-a', 'sg-b'])).toEqual(['sg-a', 'sg-b']);
  });

  it.each([
    [['a', 'b'], ['b', 'a'], true],
    [['a', 'a'], ['a'], true],
    [['a', 'b'], ['a', 'a'], false],
    [['a'], ['a', 'b'], false],
    [[], [], true],
  ])('sameSet(%j, %j) is %s', (a, b, expected) => {
    expect(sameSet(a, b)).toBe(expected);
  });
});

function awsError(name: string, message: string, attempts?: number): Error {
  const e = new Error(message);
  e.name = name;
  if (attempts !== undefined) Object.assign(e, { $metadata: { attempts } });
  return e;
}

describe('describeCallFailure', () => {
  it.each([
    {
      error: awsError('RequestLimitExceeded', 'Request limit exceeded.', 3),
      text: 'DescribeSubnets failed: RequestLimitExceeded: Request limit exceeded. (3 attempts)',
    },
    {
      error: awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.', 1),
      text: 'DescribeSubnets failed: UnauthorizedOperation: You are not authorized to perform this operation. (1 attempt)',
    },
    {
      error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      text: 'DescribeSubnets failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    },
    { error: awsError('CredentialsProviderError', 'Could not load credentials from any providers'), text: 'DescribeSubnets failed: CredentialsProviderError: Could not load credentials from any providers' },
    { error: 'boom', text: 'DescribeSubnets failed: boom' },
  ])('$text', ({ error, text }) => {
    expect(describeCallFailure('DescribeSubnets', error)).toBe(text);
  });

  it('prefers the EC2 Code field when the SDK sets one', () => {
    expect(awsErrorCode(Object.assign(new Error('x'), { Code: 'Throttling' }))).toBe('Throttling');
  });
});
