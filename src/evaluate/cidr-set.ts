import type { IpFamily } from '../model/cloud.js';
import type { ParsedCidr } from '../model/cidr.js';

const MASKS: Record<IpFamily, bigint[]> = { 4: masks(32), 6: masks(128) };

function masks(bits: number): bigint[] {
  const all = (1n << BigInt(bits)) - 1n;
  return Array.from({ length: bits + 1 }, (_, prefix) => all ^ ((1n << BigInt(bits - prefix)) - 1n));
}

/** Network address of `first` truncated to `prefix` bits. */
export function networkOf(first: bigint, family: IpFamily, prefix: number): bigint {
  return first & MASKS[family][prefix]!;
}

/**
 * A set of CIDR blocks answering "does some block contain this one?" with one hash
 * look-up per distinct prefix length, instead of a scan. Group member sets (thousands of
 * fixed IPs and allowed-address-pairs) are queried for every class, so a scan would be
 * quadratic in the cluster size.
 */
export class CidrSet {
  private readonly byPrefix: Record<IpFamily, Map<number, Set<bigint>>> = { 4: new Map(), 6: new Map() };
  private readonly prefixes: Record<IpFamily, number[]> = { 4: [], 6: [] };
  size = 0;

  add(c: ParsedCidr): void {
    let set = this.byPrefix[c.family].get(c.prefix);
    if (!set) {
      set = new Set();
      this.byPrefix[c.family].set(c.prefix, set);
      this.prefixes[c.family].push(c.prefix);
      this.prefixes[c.family].sort((a, b) => a - b);
    }
    if (!set.has(c.first)) {
      set.add(c.first);
      this.size++;
    }
  }

  /** True when one block of the set contains all of `c`. */
  containsCidr(c: ParsedCidr): boolean {
    const sets = this.byPrefix[c.family];
    for (const prefix of this.prefixes[c.family]) {
      if (prefix > c.prefix) break;
      if (sets.get(prefix)!.has(networkOf(c.first, c.family, prefix))) return true;
    }
    return false;
  }
}
