import { describe, expect, it } from 'vitest';
import { canonicalCidr, cidrContainsCidr, cidrContainsIp, tryParseCidr } from './cidr.js';

describe('cidr', () => {
  it.each([
    ['100.68.0.18/18', '100.68.0.0/18'],
    ['172.16.10.85', '172.16.10.85/32'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:db8::1/64', '2001:db8::/64'],
    ['::/0', '::/0'],
  ])('canonicalizes %s as %s', (input, expected) => {
    expect(canonicalCidr(input)).toBe(expected);
  });

  it.each(['172.16.10.0/33', 'not-a-cidr', '300.1.1.1/24', '', '10.0.0.0/-1'])('rejects %s', (bad) => {
    expect(tryParseCidr(bad)).toBeUndefined();
  });

  it.each([
    ['172.16.10.0/24', '172.16.10.0', true],
    ['172.16.10.0/24', '172.16.10.255', true],
    ['172.16.10.0/24', '172.16.11.0', false],
    ['172.16.10.85/32', '172.16.10.85', true],
    ['172.16.10.85/32', '172.16.10.86', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['0.0.0.0/0', '2001:db8::1', false],
    ['::/0', '2001:db8::1', true],
    ['::/0', '10.0.0.1', false],
  ])('%s contains %s: %s', (cidr, ip, expected) => {
    expect(cidrContainsIp(tryParseCidr(cidr)!, ip)).toBe(expected);
  });

  it('contains a narrower block only when fully inside', () => {
    const outer = tryParseCidr('10.244.0.0/16')!;
    expect(cidrContainsCidr(outer, tryParseCidr('10.244.1.0/24')!)).toBe(true);
    expect(cidrContainsCidr(tryParseCidr('10.244.1.0/25')!, tryParseCidr('10.244.1.0/24')!)).toBe(false);
  });
});
