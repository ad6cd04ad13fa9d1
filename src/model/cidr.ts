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

/**
 * Plain dotted-quad IPv4 with an optional plain prefix: the form nearly every address in
 * real inputs takes. Parts with leading zeros (octal to ipaddr.js), hex parts and short
 * forms do not match and take the general ipaddr.js path, so results stay identical.
 */
const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})(?:\/(0|[1-9]\d?))?$/;

/** The 32-bit value of a plain dotted quad, or undefined when the text is not one (see DOTTED_QUAD). */
function dottedQuadValue(match: RegExpExecArray): number | undefined {
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(match[i]);
    if (part > 255) return undefined;
    v = v * 256 + part;
  }
  return v;
}

const IPV4_HOST_BITS: bigint[] = Array.from({ length: 33 }, (_, prefix) => (1n << BigInt(32 - prefix)) - 1n);

/**
 * Parsed texts, shared: an audit parses the same node addresses and rule peers many times.
 * Bounded so a long-running server cannot grow it without limit; when full it starts over.
 * The cached objects are frozen, since every caller now shares them.
 */
const PARSED = new Map<string, ParsedCidr | null>();
const PARSED_LIMIT = 100_000;

function remember(text: string, parsed: ParsedCidr | undefined): ParsedCidr | undefined {
  if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
  PARSED.set(text, parsed ? Object.freeze(parsed) : null);
  return parsed;
}

/**
 * Canonical texts, bounded like PARSED: translation canonicalizes every pod CIDR and rule
 * peer, and formatting a bigint back to text costs more than parsing it. null: not canonicalizable
 * (for CANONICAL_CIDR: not a CIDR; for PLAIN_CIDR: not a plain CIDR, see isPlainCidr).
 */
const CANONICAL_CIDR = new Map<string, string | null>();
const PLAIN_CIDR = new Map<string, string | null>();

function memo(cache: Map<string, string | null>, text: string, value: string | undefined): string | undefined {
  if (cache.size >= PARSED_LIMIT) cache.clear();
  cache.set(text, value ?? null);
  return value;
}

function parseUncached(text: string): ParsedCidr | undefined {
  const quad = DOTTED_QUAD.exec(text);
  if (quad) {
    const value = dottedQuadValue(quad);
    const prefix = quad[5] === undefined ? 32 : Number(quad[5]);
    if (value !== undefined && prefix <= 32) {
      const mask = IPV4_HOST_BITS[prefix]!;
      const first = BigInt(value) & ~mask;
      return { family: 4, prefix, first, last: first | mask };
    }
  }
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

/** A bare address parsed as a host route, or undefined for anything that is not a bare address. */
function parseAddress(ip: string): ParsedCidr | undefined {
  if (typeof ip !== 'string' || ip.includes('/')) return undefined;
  return tryParseCidr(ip);
}

export function isValidIp(text: string): boolean {
  return isPlainDottedQuad(text) || parseAddress(text) !== undefined;
}

const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * True when `text` is a bare dotted quad as DOTTED_QUAD writes it (no prefix) with every part at
 * most 255: the form of nearly every node and interface address. Such a text is a valid and a
 * plain IPv4 address, so validation answers it by scanning its characters instead of looking it up
 * in PARSED, a cache miss for each of thousands of distinct addresses. Anything else returns false
 * and takes the general path, which gives the same answer for these texts.
 */
export function isPlainDottedQuad(text: string): boolean {
  return typeof text === 'string' && scanDottedQuad(text, text.length) >= 0;
}

/**
 * True when `text` is `<plain dotted quad>/<prefix>` with a prefix 0-32 written without leading
 * zeros and no host bits set: a CIDR that is plain (isPlainCidr) and already canonical, as
 * kube-controller-manager writes every podCIDR.
 */
export function isCanonicalDottedQuadCidr(text: string): boolean {
  if (typeof text !== 'string') return false;
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const value = scanDottedQuad(text, slash);
  if (value < 0) return false;
  const digits = text.length - slash - 1;
  if (digits < 1 || digits > 2) return false;
  const high = text.charCodeAt(slash + 1) - ZERO;
  const low = digits === 2 ? text.charCodeAt(slash + 2) - ZERO : 0;
  if (high < 0 || high > 9 || low < 0 || low > 9 || (digits === 2 && high === 0)) return false;
  const prefix = digits === 2 ? high * 10 + low : high;
  // No host bits: arithmetic rather than a shift, which cannot express the 32 host bits of /0.
  return prefix <= 32 && value % 2 ** (32 - prefix) === 0;
}

/** The value of `text.slice(0, end)` as a plain dotted quad (see isPlainDottedQuad), or -1. */
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
    // No part, a leading zero (octal to ipaddr.js) or more than three digits leave the fast path.
    if (digits === 0 || digits > 3 || (digits > 1 && text.charCodeAt(start) === ZERO) || value > 255) return -1;
    address = address * 256 + value;
    parts++;
    if (i === end) return parts === 4 ? address : -1;
    if (parts === 4 || text.charCodeAt(i) !== DOT) return -1;
    i++;
  }
}

export function ipFamily(ip: string): IpFamily {
  const parsed = parseAddress(ip);
  if (!parsed) return ipaddr.parse(ip).kind() === 'ipv4' ? 4 : 6;
  return parsed.family;
}

/** Integer value of an address; IPv4-mapped IPv6 is not unmapped on purpose (clouds keep them distinct). */
export function ipToBigInt(ip: string): bigint {
  const parsed = parseAddress(ip);
  if (!parsed) {
    // Throws ipaddr.js's own error for text that is not an address.
    ipaddr.parse(ip);
    throw new Error(`ipaddr: ${ip} is not an address`);
  }
  return parsed.first;
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

/**
 * Parses `a.b.c.d/n` or `x::/n`; a bare address is a host route (/32 or /128). Returns undefined if invalid.
 * The result is frozen and may be shared with other callers.
 */
export function tryParseCidr(text: string): ParsedCidr | undefined {
  if (typeof text !== 'string') return undefined;
  const hit = PARSED.get(text);
  if (hit !== undefined) return hit ?? undefined;
  return remember(text, parseUncached(text));
}

/** Canonical text of a CIDR (host bits cleared, as AWS and Neutron store it). */
export function formatCidr(c: ParsedCidr): string {
  return `${bigIntToIp(c.first, c.family)}/${c.prefix}`;
}

export function canonicalCidr(text: string): string | undefined {
  const hit = CANONICAL_CIDR.get(text);
  if (hit !== undefined) return hit ?? undefined;
  const c = tryParseCidr(text);
  return typeof text === 'string' ? memo(CANONICAL_CIDR, text, c ? formatCidr(c) : undefined) : undefined;
}

export function cidrContainsIp(cidr: ParsedCidr, ip: string): boolean {
  if (ipFamily(ip) !== cidr.family) return false;
  const v = ipToBigInt(ip);
  return v >= cidr.first && v <= cidr.last;
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

/** canonicalCidr(text) when isPlainCidr(text), else undefined, with one lookup for a text seen before. */
export function plainCanonicalCidr(text: string): string | undefined {
  if (isCanonicalDottedQuadCidr(text)) return text;
  if (typeof text !== 'string') return undefined;
  const hit = PLAIN_CIDR.get(text);
  if (hit !== undefined) return hit ?? undefined;
  return memo(PLAIN_CIDR, text, isPlainCidr(text) ? canonicalCidr(text) : undefined);
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
