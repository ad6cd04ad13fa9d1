import type { IpFamily, NetworkAcl, PortMatch, ProtocolMatch } from '../model/cloud.js';
import type { ParsedCidr } from '../net/cidr.js';
import { networkOf } from './cidr-set.js';
import { SLOT_COUNT, type EndpointAddress } from './endpoints.js';
import { portsOverlap, protocolOverlaps, type RequiredTraffic } from './match-protocol-port.js';
import type { PreparedNode } from './prepared-node.js';
import type { HostKey, SnapshotIndex } from './snapshot-index.js';

function relevant(protocol: ProtocolMatch, ports: PortMatch, flows: RequiredTraffic[]): boolean {
  return flows.some((t) => protocolOverlaps(protocol, t.protocol) && portsOverlap(ports, t.ports));
}

/** Identity of a block: IPv4 as a number (cheap for the thousands of pod CIDRs), IPv6 as text. */
function blockKey(family: IpFamily, first: bigint, prefix: number): number | string {
  return family === 4 ? Number(first) * 64 + prefix : `${first.toString(16)}/${prefix}`;
}

/**
 * Distinct address blocks and referenced groups that some relevant rule or NACL entry names
 * (one whose protocol and ports overlap some flow requirement). Reads each distinct group
 * set and subnet once, not once per node.
 */
export function relevantPeers(index: SnapshotIndex, bound: readonly PreparedNode[], flows: RequiredTraffic[]): { cidrs: ParsedCidr[]; groups: string[] } {
  const cidrs = new Map<number | string, ParsedCidr>();
  const groups = new Set<string>();
  const addCidr = (c: ParsedCidr | undefined): void => {
    if (c) cidrs.set(blockKey(c.family, c.first, c.prefix), c);
  };
  const groupIds = new Set<string>();
  const subnetIds = new Set<string>();
  const profileSeen: boolean[] = [];
  const subnetSeen: boolean[] = [];
  for (const n of bound) {
    if (!profileSeen[n.profile]) {
      profileSeen[n.profile] = true;
      for (const id of n.groupIds) groupIds.add(id);
    }
    if (!subnetSeen[n.subnetNumber]) {
      subnetSeen[n.subnetNumber] = true;
      if (n.subnetId !== undefined) subnetIds.add(n.subnetId);
    }
  }
  for (const id of [...groupIds].sort()) {
    for (const rule of index.groups.get(id)?.rules ?? []) {
      if (!relevant(rule.protocol, rule.ports, flows)) continue;
      const peer = rule.peer;
      if (peer.kind === 'cidr') addCidr(index.cidr(peer.cidr));
      else if (peer.kind === 'security-group') groups.add(peer.groupId);
      else if (peer.kind === 'prefix-list' || peer.kind === 'address-group') {
        const resolved = peer.kind === 'prefix-list' ? index.prefixListCidrs(peer.prefixListId) : index.addressGroupCidrs(peer.addressGroupId);
        if (resolved.kind === 'known') for (const c of resolved.cidrs) addCidr(c);
      }
    }
  }
  const acls = new Set<NetworkAcl>();
  for (const s of subnetIds) for (const acl of index.networkAclsOf(s)) acls.add(acl);
  for (const acl of acls) {
    for (const e of acl.entries) if (relevant(e.protocol, e.ports, flows)) addCidr(index.cidr(e.cidr));
  }
  return { cidrs: [...cidrs.values()], groups: [...groups].sort() };
}

/** Every present endpoint address of the bound nodes, as parallel columns. */
interface Entries {
  node: number[];
  slot: number[];
  address: EndpointAddress[];
}

/** Entries of one family sorted by first address; IPv4 bounds as numbers, IPv6 as bigints. */
interface SortedFamily {
  first: (number | bigint)[];
  last: (number | bigint)[];
  entry: number[];
}

/**
 * For each bound node (by position in `bound`), the id of its mark set: equal for two nodes
 * exactly when they carry the same marks. A mark says, for one relevant block, that it contains
 * one endpoint slot of the node (or, for a pod CIDR, covers part of it); or, for one referenced
 * group, that the slot's address is a member. 0 means no mark.
 *
 * Blocks are answered by range queries over sorted addresses, so the cost grows with
 * blocks x log(nodes), not blocks x nodes. Mark sets are interned as a trie (set id, next mark)
 * -> set id, with marks applied in one global order, instead of sorting and joining per node.
 */
export function markAddresses(index: SnapshotIndex, bound: readonly PreparedNode[], cidrs: ParsedCidr[], groups: string[]): Int32Array {
  const entries: Entries = { node: [], slot: [], address: [] };
  for (let p = 0; p < bound.length; p++) {
    const endpoints = bound[p]!.endpoints;
    for (let slot = 0; slot < endpoints.length; slot++) {
      const e = endpoints[slot]!;
      if (e.kind === 'missing') continue;
      entries.node.push(p);
      entries.slot.push(slot);
      entries.address.push(e);
    }
  }

  const sets = new Int32Array(bound.length);
  const trie = new Map<number, number>();
  const markCount = (cidrs.length * 2 + groups.length) * SLOT_COUNT;
  // Node positions per bucket, filled for one block or group, then applied as marks base + bucket.
  // A block fills bucket slot * 2 (contains) and slot * 2 + 1 (covers part); a group fills bucket slot.
  const buckets: number[][] = Array.from({ length: SLOT_COUNT * 2 }, () => []);
  const apply = (base: number): void => {
    buckets.forEach((positions, b) => {
      for (const p of positions) {
        const key = sets[p]! * markCount + base + b;
        let id = trie.get(key);
        if (id === undefined) {
          id = trie.size + 1;
          trie.set(key, id);
        }
        sets[p] = id;
      }
      positions.length = 0;
    });
  };

  if (cidrs.length > 0) {
    const sorted = { 4: sortFamily(entries, 4), 6: sortFamily(entries, 6) };
    const blocks = podBlocks(entries);
    cidrs.forEach((c, i) => {
      const { first, last, entry } = sorted[c.family];
      const lo = c.family === 4 ? Number(c.first) : c.first;
      const hi = c.family === 4 ? Number(c.last) : c.last;
      for (let k = lowerBound(first, lo); k < first.length && first[k]! <= hi; k++) {
        if (last[k]! <= hi) buckets[entries.slot[entry[k]!]! * 2]!.push(entries.node[entry[k]!]!);
      }
      for (const prefix of blocks.prefixes[c.family]) {
        if (prefix >= c.prefix) continue;
        for (const k of blocks.byKey.get(blockKey(c.family, networkOf(c.first, c.family, prefix), prefix)) ?? []) {
          buckets[entries.slot[k]! * 2 + 1]!.push(entries.node[k]!);
        }
      }
      apply(i * SLOT_COUNT * 2);
    });
  }

  if (groups.length > 0) {
    const byHost = new Map<HostKey, number[]>();
    entries.address.forEach((a, k) => {
      if (a.kind !== 'ip') return;
      const list = byHost.get(a.key);
      if (list) list.push(k);
      else byHost.set(a.key, [k]);
    });
    // Last group that marked each entry: member IPs and allowed-address-pairs may both hit one.
    const markedBy = new Int32Array(entries.node.length).fill(-1);
    const hit = (k: number, g: number): void => {
      if (markedBy[k] === g) return;
      markedBy[k] = g;
      buckets[entries.slot[k]!]!.push(entries.node[k]!);
    };
    const groupBase = cidrs.length * SLOT_COUNT * 2;
    groups.forEach((groupId, g) => {
      const members = index.members(groupId);
      for (const ip of members.ips) for (const k of byHost.get(ip) ?? []) hit(k, g);
      if (members.pairs.size > 0) entries.address.forEach((a, k) => members.pairs.containsCidr(a.parsed) && hit(k, g));
      apply(groupBase + g * SLOT_COUNT);
    });
  }
  return sets;
}

function sortFamily(entries: Entries, family: IpFamily): SortedFamily {
  const ks: number[] = [];
  entries.address.forEach((a, k) => a.family === family && ks.push(k));
  const toBound = family === 4 ? (v: bigint): number | bigint => Number(v) : (v: bigint): number | bigint => v;
  const first = ks.map((k) => toBound(entries.address[k]!.parsed.first));
  let order: number[];
  if (family === 4 && ks.length < 2 ** 21) {
    // An IPv4 address (< 2^32) and a position (< 2^21) packed in one exact double: a native numeric sort.
    const packed = Float64Array.from(first as number[], (v, j) => v * 2 ** 21 + j);
    packed.sort();
    order = Array.from(packed, (v) => v % 2 ** 21);
  } else {
    order = ks.map((_, j) => j).sort((x, y) => (first[x]! < first[y]! ? -1 : first[x]! > first[y]! ? 1 : x - y));
  }
  return {
    first: order.map((j) => first[j]!),
    last: order.map((j) => toBound(entries.address[ks[j]!]!.parsed.last)),
    entry: order.map((j) => ks[j]!),
  };
}

/** Pod CIDR entries by (family, network, prefix), to find those that strictly contain a rule's block. */
function podBlocks(entries: Entries): { byKey: Map<number | string, number[]>; prefixes: Record<IpFamily, Set<number>> } {
  const byKey = new Map<number | string, number[]>();
  const prefixes = { 4: new Set<number>(), 6: new Set<number>() };
  entries.address.forEach((a, k) => {
    if (a.kind !== 'cidr') return;
    const p = a.parsed;
    const key = blockKey(p.family, p.first, p.prefix);
    const list = byKey.get(key);
    if (list) list.push(k);
    else byKey.set(key, [k]);
    prefixes[p.family].add(p.prefix);
  });
  return { byKey, prefixes };
}

function lowerBound(list: readonly (number | bigint)[], value: number | bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
