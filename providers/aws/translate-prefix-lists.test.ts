import { describe, expect, it } from 'vitest';
import { AwsWarningCode } from './translate-warnings.js';
import { doc, fixture, problemsOf, translate } from './translate-test-support.js';

const entries = [{ Cidr: '172.16.100.7/24', Description: 'nlb' }];

describe('get-managed-prefix-list-entries', () => {
  it('takes the list id from the file name', () => {
    const { cloud, warnings } = translate(fixture('pl-0a1b2c3d4e5f60789.json'));
    expect(warnings).toEqual([]);
    expect(cloud.providedKinds).toEqual(['prefix-list']);
    expect(cloud.prefixLists).toStrictEqual([
      {
        id: 'pl-0a1b2c3d4e5f60789',
        cidrs: ['172.16.100.0/24', '172.16.101.0/24'],
        source: { document: 'testdata/pl-0a1b2c3d4e5f60789.json', pointer: '/Entries' },
      },
    ]);
  });

  it.each([
    { name: 'a PrefixListId key', document: 'entries.json', body: { PrefixListId: 'pl-63a5400a', Entries: entries }, id: 'pl-63a5400a' },
    { name: 'an id inside a longer file name', document: 'exports/prod-pl-63a5400a-entries.json', body: { Entries: entries }, id: 'pl-63a5400a' },
    { name: 'an SDK output with $metadata', document: 'live:aws', body: { $metadata: { httpStatusCode: 200 }, PrefixListId: 'pl-63a5400a', Entries: entries }, id: 'pl-63a5400a' },
  ])('takes the list id from $name', ({ document, body, id }) => {
    const { cloud, warnings } = translate(doc(document, body));
    expect(warnings).toEqual([]);
    expect(cloud.prefixLists.map((p) => [p.id, p.cidrs])).toEqual([[id, ['172.16.100.0/24']]]);
  });

  it('prefers the PrefixListId key over the file name, with a warning', () => {
    const { cloud, warnings } = translate(doc('pl-0a1b2c3d4e5f60789.json', { PrefixListId: 'pl-63a5400a', Entries: entries }));
    expect(cloud.prefixLists[0]!.id).toBe('pl-63a5400a');
    expect(warnings.map((w) => w.code)).toEqual([AwsWarningCode.prefixListIdMismatch]);
  });

  it('asks for a PrefixListId when neither key nor file name names the list', () => {
    expect(problemsOf(doc('exports/entries.json', { Entries: entries }))).toEqual([
      {
        document: 'exports/entries.json',
        pointer: '',
        reason: expect.stringContaining('add "PrefixListId": "pl-…" next to "Entries"'),
      },
    ]);
  });

  it.each([
    { name: 'malformed PrefixListId', body: { PrefixListId: 'sg-123', Entries: entries }, pointer: '/PrefixListId', value: 'sg-123' },
    { name: 'bad entry CIDR', body: { PrefixListId: 'pl-63a5400a', Entries: [{ Cidr: 'nope' }] }, pointer: '/Entries/0/Cidr', value: 'nope' },
  ])('rejects $name', ({ body, pointer, value }) => {
    const problems = problemsOf(doc('e.json', body));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ document: 'e.json', pointer, value });
  });
});

describe('describe-managed-prefix-lists', () => {
  it('names exported lists and marks described-but-not-exported lists unavailable', () => {
    const { cloud, warnings } = translate(fixture('describe-managed-prefix-lists.json'), fixture('pl-0a1b2c3d4e5f60789.json'));
    expect(cloud.prefixLists.map((p) => [p.id, p.name])).toEqual([['pl-0a1b2c3d4e5f60789', 'k8s-load-balancers']]);
    expect(cloud.unavailable).toEqual([
      { kind: 'prefix-list', id: 'pl-63a5400a', reason: expect.stringContaining('get-managed-prefix-list-entries --prefix-list-id pl-63a5400a') },
    ]);
    expect(warnings.map((w) => [w.code, w.source?.pointer])).toEqual([
      [AwsWarningCode.prefixListEntriesMissing, '/PrefixLists/1'],
    ]);
  });

  it('does not claim prefix lists were provided when only metadata was given', () => {
    const { cloud } = translate(fixture('describe-managed-prefix-lists.json'));
    expect(cloud.providedKinds).toEqual([]);
    expect(cloud.prefixLists).toEqual([]);
    expect(cloud.unavailable.map((u) => u.id)).toEqual(['pl-0a1b2c3d4e5f60789', 'pl-63a5400a']);
  });
});
