import { describe, expect, it } from 'vitest';
import { InputError } from '../model/source.js';
import { parseUnavailable } from './unavailable-file.js';

describe('parseUnavailable', () => {
  it('reads what collect writes', () => {
    const entries = [
      { kind: 'security-group', id: 'sg-1', reason: 'DescribeSecurityGroups failed: RequestLimitExceeded' },
      { kind: 'network-interface', ip: '10.0.0.1', reason: 'x' },
      { kind: 'network-acl', subnetId: 'subnet-1', reason: 'y' },
    ];
    expect(parseUnavailable(JSON.parse(JSON.stringify(entries)), 'u.json')).toEqual(entries);
  });

  it.each([
    { value: {}, pointer: '', reason: 'expected a JSON array of unavailable entries' },
    { value: [1], pointer: '/0', reason: 'expected an object' },
    { value: [{ kind: 'vpc', reason: 'r' }], pointer: '/0/kind', reason: 'expected one of network-interface, security-group, network-acl, subnet, prefix-list, address-group' },
    { value: [{ kind: 'subnet' }], pointer: '/0/reason', reason: 'expected a non-empty string' },
    { value: [{ kind: 'subnet', reason: 'r', id: 7 }], pointer: '/0/id', reason: 'expected a string' },
  ])('rejects $value at "$pointer"', ({ value, pointer, reason }) => {
    try {
      parseUnavailable(value, 'u.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).problems[0]).toMatchObject({ document: 'u.json', pointer, reason });
    }
  });
});
