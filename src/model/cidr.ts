import ipaddr from 'ipaddr.js';
import type { IpFamily } from './cloud.js';

/**
 * A parsed CIDR as an integer range. IPv4 and IPv6 share one representation
 * (bigint) so that every matcher is written once for both families.
 */
export interface ParsedCidr {
  family: IpFamily;
  prefix: number;
  /** First address of the block. */
  first: bigint;
  /** Last address of the block. */
  last: bigint;
}

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };

/** Parses `a.b.c.d/n` or `x::/n`; a bare address is a host route (/32 or /128). Returns undefined if invalid. */
export function tryParseCidr(text: string): ParsedCidr | undefined {
  if (typeof text !== 'string') return undefined;
  return parseDottedQuad(text) ?? parseWithIpaddr(text);
}

/**
 * `<plain dotted quad>` or `<plain dotted quad>/<prefix>` (prefix 0-32 without leading zeros), the
 * form of nearly every address in real inputs, read without ipaddr.js; undefined for anything else,
 * which parseWithIpaddr then reads (leading zeros are octal to ipaddr.js, so they are left to it).
 * Why: with ipaddr.js alone, `npm run bench` went from 18 to 94 ms to evaluate and from 18 to 73 ms
 * to translate (medians). cidr.test.ts holds it against ipaddr.js.
 */
function parseDottedQuad(text: string): ParsedCidr | undefined {
  const slash = text.indexOf('/');
  const value = scanDottedQuad(text, slash < 0 ? text.length : slash);
  if (value < 0) return undefined;
  const prefix = slash < 0 ? 32 : plainPrefix(text, slash + 1);
  if (prefix === undefined) return undefined;
  // Number arithmetic is exact below 2^32; a shift could not express the 32 host bits of /0.
  const size = 2 ** (32 - prefix);
  const first = value - (value % size);
  return { family: 4, prefix, first: BigInt(first), last: BigInt(first + size - 1) };
}

function parseWithIpaddr(text: string): ParsedCidr | undefined {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  let prefix: number;
  try {
    if (text.includes('/')) {
      const [a, p] = ipaddr.parseCIDR(text);
      addr = a;
      prefix = p;
    } else {
      addr = ipaddr.parse(text);
      prefix = addr.kind() === 'ipv4' ? 32 : 128;
    }
  } catch {
    return undefined;
  }
  const family: IpFamily = addr.kind() === 'ipv4' ? 4 : 6;
  const bits = BITS[family];
  let v = 0n;
  for (const b of addr.toByteArray()) v = (v << 8n) | BigInt(b);
  const hostBits = BigInt(bits - prefix);
  const mask = (1n << hostBits) - 1n;
  const first = v & ~mask;
  return { family, prefix, first, last: first | mask };
}

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * The value of `text.slice(0, end)` as a plain dotted quad: four decimal parts of at most 255,
 * without leading zeros (exactly what ipaddr.IPv4.isValidFourPartDecimal accepts), or -1.
 */
function scanDottedQuad(text: string, end: number): number {
  if (end < 7 || end > 15) return -1;
  let parts = 0;
  let address = 0;
  let i = 0;
  for (;;) {
    const start = i;
    let value = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c < ZERO || c > NINE) break;
      value = value * 10 + (c - ZERO);
      i++;
    }
    const digits = i - start;
    // No part, a leading zero (octal to ipaddr.js) or more than three digits: not a plain dotted quad.
    if (digits === 0 || digits > 3 || (digits > 1 && text.charCodeAt(start) === ZERO) || value > 255) return -1;
    address = address * 256 + value;
    parts++;
    if (i === end) return parts === 4 ? address : -1;
    if (parts === 4 || text.charCodeAt(i) !== DOT) return -1;
    i++;
  }
}

/** The IPv4 prefix 0-32 written without leading zeros from `start` to the end of `text`, or undefined. */
function plainPrefix(text: string, start: number): number | undefined {
  const digits = text.length - start;
  if (digits < 1 || digits > 2) return undefined;
  const high = text.charCodeAt(start) - ZERO;
  const low = digits === 2 ? text.charCodeAt(start + 1) - ZERO : 0;
  if (high < 0 || high > 9 || low < 0 || low > 9 || (digits === 2 && high === 0)) return undefined;
  const prefix = digits === 2 ? high * 10 + low : high;
  return prefix <= 32 ? prefix : undefined;
}

/** A bare address parsed as a host route, or undefined for anything that is not a bare address. */
function parseAddress(ip: string): ParsedCidr | undefined {
  if (typeof ip !== 'string' || ip.includes('/')) return undefined;
  return tryParseCidr(ip);
}

/** A bare address as a host route; throws ipaddr.js's own error for text that is not an address. */
function addressOrThrow(ip: string): ParsedCidr {
  const parsed = parseAddress(ip);
  if (!parsed) {
    ipaddr.parse(ip);
    throw new Error(`ipaddr: ${ip} is not an address`);
  }
  return parsed;
}

export function isValidIp(text: string): boolean {
  // Why the shortcut: without it, translating the `npm run bench` inputs in a fresh process took
  // 143-161 ms instead of 125-147 (medians; warm runs showed no difference).
  return isPlainDottedQuad(text) || parseAddress(text) !== undefined;
}

export function ipFamily(ip: string): IpFamily {
  return addressOrThrow(ip).family;
}

/** Integer value of an address; IPv4-mapped IPv6 is not unmapped on purpose (clouds keep them distinct). */
export function ipToBigInt(ip: string): bigint {
  return addressOrThrow(ip).first;
}

export function bigIntToIp(value: bigint, family: IpFamily): string {
  if (family === 4) {
    const v = Number(value & 0xffffffffn);
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }
  const bytes: number[] = [];
  let v = value;
  for (let i = 0; i < 16; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** Canonical text of a CIDR (host bits cleared, as AWS and Neutron store it). */
export function formatCidr(c: ParsedCidr): string {
  return `${bigIntToIp(c.first, c.family)}/${c.prefix}`;
}

export function canonicalCidr(text: string): string | undefined {
  const c = tryParseCidr(text);
  return c ? formatCidr(c) : undefined;
}

export function cidrContainsIp(cidr: ParsedCidr, ip: string): boolean {
  return cidrContainsCidr(cidr, addressOrThrow(ip));
}

export function cidrContainsCidr(outer: ParsedCidr, inner: ParsedCidr): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

export function isWholeAddressSpace(c: ParsedCidr): boolean {
  return c.prefix === 0;
}

/**
 * True for an address written the way Go's net.ParseIP accepts it: four-part decimal IPv4
 * or IPv6 without a zone. ipaddr.js alone also takes `127.1`, hex/octal parts and `%zone`,
 * which Kubernetes and flannel reject, so input validation uses this instead of isValidIp.
 */
export function isPlainIp(text: string): boolean {
  return plainIpFamily(text) !== undefined;
}

/** The family of a plain address (see isPlainIp), or undefined for anything else: one parse answers both questions. */
export function plainIpFamily(text: string): IpFamily | undefined {
  // Why the shortcut: without it, `npm run bench` took 19 ms to translate instead of 17 (medians).
  if (isPlainDottedQuad(text)) return 4;
  if (typeof text !== 'string' || text.includes('/') || text.includes('%')) return undefined;
  const parsed = tryParseCidr(text);
  if (!parsed) return undefined;
  // Same test as ipaddr.IPv4.isValidFourPartDecimal, whose validity half the parse above already did.
  if (parsed.family === 6) return 6;
  return FOUR_PART_DECIMAL.test(text) ? 4 : undefined;
}

const FOUR_PART_DECIMAL = /^(0|[1-9]\d*)(\.(0|[1-9]\d*)){3}$/;

const DECIMAL_PREFIX = /^\d{1,3}$/;

/** canonicalCidr(text) when isPlainCidr(text), else undefined. */
export function plainCanonicalCidr(text: string): string | undefined {
  // Why the shortcut: without it, `npm run bench` took 22 ms to translate instead of 18 (medians).
  if (isCanonicalDottedQuadCidr(text)) return text;
  return isPlainCidr(text) ? canonicalCidr(text) : undefined;
}

/** True for `addr/prefix` with a plain address (see isPlainIp) and a decimal prefix in range. */
export function isPlainCidr(text: string): boolean {
  if (typeof text !== 'string') return false;
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const family = plainIpFamily(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  if (family === undefined || !DECIMAL_PREFIX.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * True when `text` is a bare plain dotted quad (see scanDottedQuad), the form of nearly every node
 * and interface address: then it is a valid, plain IPv4 address. Answers isValidIp and isPlainIp
 * for that form without parsing; cidr.test.ts holds it against ipaddr.IPv4.isValidFourPartDecimal.
 */
export function isPlainDottedQuad(text: string): boolean {
  return typeof text === 'string' && scanDottedQuad(text, text.length) >= 0;
}

/**
 * True when `text` is `<plain dotted quad>/<prefix>` with a prefix 0-32 written without leading
 * zeros and no host bits set: a CIDR that is plain (isPlainCidr) and already canonical, as
 * kube-controller-manager writes every podCIDR. cidr.test.ts holds it against isPlainCidr and canonicalCidr.
 */
export function isCanonicalDottedQuadCidr(text: string): boolean {
  if (typeof text !== 'string') return false;
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const value = scanDottedQuad(text, slash);
  const prefix = plainPrefix(text, slash + 1);
  // No host bits: arithmetic rather than a shift, which cannot express the 32 host bits of /0.
  return value >= 0 && prefix !== undefined && value % 2 ** (32 - prefix) === 0;
}
