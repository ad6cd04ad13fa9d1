import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import {
  canonicalCidr,
  cidrContainsCidr,
  cidrContainsIp,
  ipFamily,
  isCanonicalDottedQuadCidr,
  isPlainCidr,
  isPlainDottedQuad,
  isPlainIp,
  isValidIp,
  plainCanonicalCidr,
  plainIpFamily,
  tryParseCidr,
} from './cidr.js';

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

describe('tryParseCidr fast path for dotted quads', () => {
  // What ipaddr.js alone makes of a text: the reference the fast path must reproduce.
  const viaIpaddr = (text: string): string | undefined => {
    try {
      const [addr, prefix] = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), text.includes(':') ? 128 : 32];
      const bytes = addr.toByteArray();
      let v = 0n;
      for (const b of bytes) v = (v << 8n) | BigInt(b);
      const hostBits = BigInt(bytes.length * 8 - prefix);
      const first = v & ~((1n << hostBits) - 1n);
      return `${addr.kind()} ${first.toString(16)}/${prefix}`;
    } catch {
      return undefined;
    }
  };
  const viaSgaudit = (text: string): string | undefined => {
    const c = tryParseCidr(text);
    return c ? `${c.family === 4 ? 'ipv4' : 'ipv6'} ${c.first.toString(16)}/${c.prefix}` : undefined;
  };

  it.each([
    '10.0.0.1', '10.0.0.1/8', '0.0.0.0', '255.255.255.255/32', '1.2.3.4/0', '010.0.0.1', '1.2.3.04',
    '1.2.3.4/08', '0x0a.0.0.1', '10.1', '167772161', '256.1.1.1', '1.2.3.4/33', '1.2.3.4/', '1.2.3.4 ', '::ffff:1.2.3.4',
  ])('parses %s exactly as ipaddr.js does', (text) => {
    expect(viaSgaudit(text)).toBe(viaIpaddr(text));
  });

  it('agrees with ipaddr.js on generated dotted quads', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '07', '010', '0x1f', '099'));
    const text = fc.tuple(part, part, part, part, fc.option(fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.constant('08')))).map(
      ([a, b, c, d, p]) => `${a}.${b}.${c}.${d}${p === null ? '' : `/${p}`}`,
    );
    fc.assert(fc.property(text, (t) => viaSgaudit(t) === viaIpaddr(t)));
  });

  it.each([
    ['10.0.0.1', true], ['010.0.0.1', false], ['10.1', false], ['2001:db8::1', true], ['fe80::1%eth0', false], ['10.0.0.1/32', false],
  ])('isPlainIp(%s) = %s', (text, plain) => {
    expect(isPlainIp(text)).toBe(plain);
  });
});

describe('one-lookup forms of the plain-address checks', () => {
  it.each([
    ['10.0.0.1', 4], ['010.0.0.1', undefined], ['10.1', undefined], ['2001:db8::1', 6], ['fe80::1%eth0', undefined],
    ['10.0.0.1/32', undefined], ['::ffff:1.2.3.4', 6], ['', undefined], ['1.2.3.4 ', undefined],
  ] as const)('plainIpFamily(%s) = %s, as isPlainIp then ipFamily', (text, family) => {
    expect(plainIpFamily(text)).toBe(family);
    expect(plainIpFamily(text)).toBe(isPlainIp(text) ? ipFamily(text) : undefined);
  });

  it.each([
    ['10.244.1.7/24', '10.244.1.0/24'], ['10.0.0.0/08', '10.0.0.0/8'], ['fd00:10:244::1/64', 'fd00:10:244::/64'],
    ['::ffff:1.2.3.4/120', '::ffff:102:300/120'], ['10.244.0.0/33', undefined], ['010.0.0.0/8', undefined],
    ['10.0.0.0/0008', undefined], ['fd00::/129', undefined], ['10.0.0.1', undefined], ['10.1/8', undefined],
    ['fe80::%eth0/64', undefined], ['10.0.0.0/ 8', undefined], ['', undefined],
  ] as const)('plainCanonicalCidr(%s) = %s, as isPlainCidr then canonicalCidr', (text, canonical) => {
    expect(plainCanonicalCidr(text)).toBe(canonical);
    expect(plainCanonicalCidr(text)).toBe(isPlainCidr(text) ? canonicalCidr(text) : undefined);
  });

  it('canonicalCidr reads ipaddr.js forms', () => {
    expect(canonicalCidr('010.0.0.0/8')).toBe('8.0.0.0/8');
    expect(canonicalCidr('nope')).toBeUndefined();
  });
});

describe('isPlainDottedQuad, the scanning fast path of isValidIp and plainIpFamily', () => {
  it.each([
    ['0.0.0.0', true], ['255.255.255.255', true], ['10.16.0.4', true], ['1.2.3.4', true],
    ['256.1.1.1', false], ['1.2.3.04', false], ['010.0.0.1', false], ['1.2.3', false], ['1.2.3.4.5', false],
    ['1.2.3.4/32', false], ['1..3.4', false], ['.1.2.3', false], ['1.2.3.', false], ['1.2.3.4 ', false],
    ['1000.1.1.1', false], ['0x1.2.3.4', false], ['::ffff:1.2.3.4', false], ['', false], ['1.2.3.4%eth0', false],
  ])('isPlainDottedQuad(%s) = %s', (text, plain) => {
    expect(isPlainDottedQuad(text)).toBe(plain);
    expect(isPlainDottedQuad(text)).toBe(ipaddr.IPv4.isValidFourPartDecimal(text));
  });

  it('accepts exactly what ipaddr.js calls a valid four-part decimal, and only valid plain IPv4', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '00', '07', '010', '0x1f', '099', '1000', ' 1'));
    const quad = fc.tuple(part, part, part, part).map((p) => p.join('.'));
    const text = fc.oneof(quad, fc.string({ maxLength: 16 }), quad.map((q) => `${q}.1`), quad.map((q) => `${q}/24`));
    fc.assert(
      fc.property(text, (t) => {
        const plain = isPlainDottedQuad(t);
        if (plain !== ipaddr.IPv4.isValidFourPartDecimal(t)) return false;
        // A text on the fast path must be what the general path also accepts as plain IPv4.
        return !plain || (tryParseCidr(t)?.family === 4 && tryParseCidr(t)?.prefix === 32 && isValidIp(t) && plainIpFamily(t) === 4);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isCanonicalDottedQuadCidr, the scanning fast path of plainCanonicalCidr', () => {
  it.each([
    ['10.244.1.0/24', true], ['0.0.0.0/0', true], ['10.0.0.1/32', true], ['128.0.0.0/1', true], ['10.96.0.0/11', true],
    ['10.244.1.7/24', false], ['1.0.0.0/0', false], ['10.0.0.0/08', false], ['10.0.0.0/00', false], ['10.0.0.0/33', false],
    ['10.0.0.0/', false], ['10.0.0.0/8 ', false], ['010.0.0.0/8', false], ['10.0.0.0', false], ['fd00::/8', false], ['10.0.0.0/+8', false],
  ])('isCanonicalDottedQuadCidr(%s) = %s', (text, canonical) => {
    expect(isCanonicalDottedQuadCidr(text)).toBe(canonical);
  });

  it('holds exactly for plain IPv4 CIDRs that are their own canonical form', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '010', '0x1'));
    const prefix = fc.oneof(fc.integer({ min: 0, max: 40 }).map(String), fc.constantFrom('', '00', '08', '008', '-1', ' 8'));
    const text = fc
      .tuple(part, part, part, part, prefix)
      .map(([a, b, c, d, p]) => `${a}.${b}.${c}.${d}/${p}`)
      // Small prefixes with zero host bits are rare among random addresses: add their network form.
      .chain((t) => fc.constantFrom(t, canonicalCidr(t) ?? t));
    fc.assert(
      fc.property(text, (t) => isCanonicalDottedQuadCidr(t) === (isPlainCidr(t) && canonicalCidr(t) === t && tryParseCidr(t)?.family === 4)),
      { numRuns: 3000 },
    );
  });
});
