import ipaddr from 'ipaddr.js';
import type { IpFamily } from '../model/cloud.js';

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

export function isValidIp(text: string): boolean {
  return ipaddr.isValid(text) && !text.includes('/');
}

export function ipFamily(ip: string): IpFamily {
  return ipaddr.parse(ip).kind() === 'ipv4' ? 4 : 6;
}

/** Integer value of an address; IPv4-mapped IPv6 is not unmapped on purpose (clouds keep them distinct). */
export function ipToBigInt(ip: string): bigint {
  const bytes = ipaddr.parse(ip).toByteArray();
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function bigIntToIp(value: bigint, family: IpFamily): string {
  const n = family === 4 ? 4 : 16;
  const bytes: number[] = [];
  let v = value;
  for (let i = 0; i < n; i++) {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  }
  return ipaddr.fromByteArray(bytes).toString();
}

/** Parses `a.b.c.d/n` or `x::/n`; a bare address is a host route (/32 or /128). Returns undefined if invalid. */
export function tryParseCidr(text: string): ParsedCidr | undefined {
  if (typeof text !== 'string') return undefined;
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

/** Canonical text of a CIDR (host bits cleared, as AWS and Neutron store it). */
export function formatCidr(c: ParsedCidr): string {
  return `${bigIntToIp(c.first, c.family)}/${c.prefix}`;
}

export function canonicalCidr(text: string): string | undefined {
  const c = tryParseCidr(text);
  return c ? formatCidr(c) : undefined;
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
  if (typeof text !== 'string' || !ipaddr.isValid(text) || text.includes('/') || text.includes('%')) return false;
  return ipaddr.parse(text).kind() === 'ipv6' || ipaddr.IPv4.isValidFourPartDecimal(text);
}

/** True for `addr/prefix` with a plain address (see isPlainIp) and a decimal prefix in range. */
export function isPlainCidr(text: string): boolean {
  if (typeof text !== 'string') return false;
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const addr = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!isPlainIp(addr) || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (ipFamily(addr) === 4 ? 32 : 128);
}
