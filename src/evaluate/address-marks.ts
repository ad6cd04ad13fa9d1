import type { IpFamily, NetworkAcl, PortMatch, ProtocolMatch } from '../model/cloud.js';
import { tryParseCidr, type ParsedCidr } from '../model/cidr.js';
import { networkOf } from './cidr-set.js';
import { SLOT_COUNT, type EndpointAddress } from './endpoints.js';
import { portsOverlap, protocolOverlaps, ruleProtocolOverlaps, type RequiredTraffic } from './match-protocol-port.js';
import type { PreparedNode } from './prepared-node.js';
import type { HostKey, SnapshotIndex } from './snapshot-index.js';
import { PairIds } from './pair-memo.js';

function relevant(protocol: ProtocolMatch, ports: PortMatch, flows: RequiredTraffic[]): boolean {
  return flows.some((t) => protocolOverlaps(protocol, t.protocol) && portsOverlap(ports, t.ports));
}

/** Identity of a block, however its text was written. */
function blockKey(family: IpFamily, first: bigint, prefix: number): string {
  return `${family} ${first.toString(16)}/${prefix}`;
}

/**
 * Distinct address blocks and referenced groups that some relevant rule or NACL entry names
 * (one whose protocol and ports overlap some flow requirement). Reads each distinct group
 * set and subnet once, not once per node.
 */
export function relevantPeers(index: SnapshotIndex, bound: readonly PreparedNode[], flows: RequiredTraffic[]): { cidrs: ParsedCidr[]; groups: string[] } {
  const cidrs = new Map<string, ParsedCidr>();
  const groups = new Set<string>();
  const addCidr = (c: ParsedCidr | undefined): void => {
    if (c) cidrs.set(blockKey(c.family, c.first, c.prefix), c);
  };
  const groupIds = new Set<string>();
  const subnetIds = new Set<string>();
  // Nodes with one group set share its array: read each one once.
  const groupSets = new Set<readonly string[]>();
  for (const n of bound) {
    if (!groupSets.has(n.groupIds)) {
      groupSets.add(n.groupIds);
      for (const id of n.groupIds) groupIds.add(id);
    }
    if (n.subnetId !== undefined) subnetIds.add(n.subnetId);
  }
  for (const id of [...groupIds].sort()) {
    for (const rule of index.groups.get(id)?.rules ?? []) {
      // A driver-dependent protocol (Neutron `ipip`) is relevant under either of its numbers.
      if (!relevant(rule.protocol, rule.ports, flows) && !(rule.protocolByDriver && flows.some((t) => ruleProtocolOverlaps(rule, t.protocol) && portsOverlap(rule.ports, t.ports)))) continue;
      const peer = rule.peer;
      if (peer.kind === 'cidr') addCidr(tryParseCidr(peer.cidr));
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
    for (const e of acl.entries) if (relevant(e.protocol, e.ports, flows)) addCidr(tryParseCidr(e.cidr));
  }
  return { cidrs: [...cidrs.values()], groups: [...groups].sort() };
}

/** Every present endpoint address of the bound nodes, as parallel columns. */
interface Entries {
  node: number[];
  slot: number[];
  address: EndpointAddress[];
}

/**
 * For each bound node (by position in `bound`), the id of its mark set: equal for two nodes
 * exactly when they carry the same marks. A mark says, for one relevant block, that it contains
 * one endpoint slot of the node (or, for a pod CIDR, covers part of it); or, for one referenced
 * group, that the slot's address is a member. 0 means no mark.
 *
 * Blocks are answered by scans or range queries (see containedEntries). Marks are numbered block
 * by block, then group by group, and given to each node in that order (see MarkSets).
 */
export function markAddresses(index: SnapshotIndex, bound: readonly PreparedNode[], cidrs: ParsedCidr[], groups: string[]): readonly number[] {
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

  const sets = new MarkSets(bound.length, (cidrs.length * 2 + groups.length) * SLOT_COUNT);
  // Node positions per bucket, filled for one block or group, then given as marks base + bucket, so
  // that each node gets its marks in increasing order. A block fills bucket slot * 2 (contains) and
  // slot * 2 + 1 (covers part); a group fills bucket slot. Why the buckets are reused with a fill
  // count rather than made per block, and the entries kept as columns rather than objects: written
  // the plain way, this function allocated 4.3 MB per evaluation of the `npm run bench` cluster
  // instead of 1.5, and the garbage collections that cost showed up in the bench's other stages.
  const buckets: number[][] = Array.from({ length: SLOT_COUNT * 2 }, () => []);
  const filled: number[] = buckets.map(() => 0);
  const add = (bucket: number, position: number): void => {
    buckets[bucket]![filled[bucket]!++] = position;
  };
  const apply = (base: number): void => {
    buckets.forEach((positions, b) => {
      for (let i = 0; i < filled[b]!; i++) sets.add(positions[i]!, base + b);
      filled[b] = 0;
    });
  };

  if (cidrs.length > 0) {
    const inside = containedEntries(entries, cidrs.length);
    const contained = new Int32Array(entries.address.length);
    const pods = podBlocks(entries);
    cidrs.forEach((c, i) => {
      const count = inside(c, contained);
      for (let j = 0; j < count; j++) add(entries.slot[contained[j]!]! * 2, entries.node[contained[j]!]!);
      for (const prefix of pods.prefixes[c.family]) {
        if (prefix >= c.prefix) continue;
        const covering = pods.withKey(blockKey(c.family, networkOf(c.first, c.family, prefix), prefix));
        for (let j = 0; j < covering.length; j++) add(entries.slot[covering[j]!]! * 2 + 1, entries.node[covering[j]!]!);
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
      add(entries.slot[k]!, entries.node[k]!);
    };
    const groupBase = cidrs.length * SLOT_COUNT * 2;
    groups.forEach((groupId, g) => {
      const members = index.members(groupId);
      for (const ip of members.ips) {
        const hosts = byHost.get(ip);
        if (hosts) for (let j = 0; j < hosts.length; j++) hit(hosts[j]!, g);
      }
      if (members.pairs.size > 0) entries.address.forEach((a, k) => members.pairs.containsCidr(a.parsed) && hit(k, g));
      apply(groupBase + g * SLOT_COUNT);
    });
  }
  return sets.ids;
}

/**
 * Numbers sets of marks (integers below `marks`) per node: two nodes get one id exactly when
 * they got the same marks, provided every node is given its marks in increasing order. A trie of
 * (set so far, next mark) -> set. Why not a mark list per node joined into a key: on the
 * `npm run bench` snapshot, signNodes took 8.8 ms instead of 4.2 (medians; 4.6 instead of 3.7 at
 * best). address-marks.test.ts holds it against those keys.
 */
export class MarkSets {
  /** Per node; 0 is the empty set. */
  readonly ids: number[];
  /** (set so far, next mark) -> the set with that mark, less one. */
  private readonly next: PairIds;

  constructor(nodes: number, marks: number) {
    this.ids = new Array<number>(nodes).fill(0);
    this.next = new PairIds(Math.max(1, marks));
  }

  add(node: number, mark: number): void {
    this.ids[node] = this.next.id(this.ids[node]!, mark) + 1;
  }
}

/** Blocks up to this many are answered by scanning every entry; more by sorting once. */
const SCAN_LIMIT = 32;

/**
 * Writes to `out` the positions of the entries whose address lies wholly inside a block, and
 * returns how many. Bounds are compared as
 * numbers for IPv4 and as bigints only for IPv6. With few blocks a scan per block is cheapest;
 * with many, one sort per family makes each block a range query (blocks x log(entries)).
 */
function containedEntries(entries: Entries, blockCount: number): (c: ParsedCidr, out: Int32Array) => number {
  const count = entries.address.length;
  const family = entries.address.map((a) => a.family);
  const first = entries.address.map((a) => (a.family === 4 ? Number(a.parsed.first) : a.parsed.first));
  const last = entries.address.map((a) => (a.family === 4 ? Number(a.parsed.last) : a.parsed.last));
  const boundsOf = (c: ParsedCidr): [number | bigint, number | bigint] => (c.family === 4 ? [Number(c.first), Number(c.last)] : [c.first, c.last]);
  if (blockCount <= SCAN_LIMIT) {
    return (c, out) => {
      const [lo, hi] = boundsOf(c);
      let n = 0;
      for (let k = 0; k < count; k++) if (family[k] === c.family && first[k]! >= lo && last[k]! <= hi) out[n++] = k;
      return n;
    };
  }
  const sorted = { 4: sortByFirst(first, family, 4), 6: sortByFirst(first, family, 6) };
  return (c, out) => {
    const order = sorted[c.family];
    const [lo, hi] = boundsOf(c);
    let n = 0;
    for (let j = lowerBound(order, first, lo); j < order.length && first[order[j]!]! <= hi; j++) {
      if (last[order[j]!]! <= hi) out[n++] = order[j]!;
    }
    return n;
  };
}

/** Positions of one family's entries, by first address. */
function sortByFirst(first: readonly (number | bigint)[], family: readonly IpFamily[], want: IpFamily): number[] {
  const ks: number[] = [];
  family.forEach((f, k) => f === want && ks.push(k));
  return ks.sort((x, y) => (first[x]! < first[y]! ? -1 : first[x]! > first[y]! ? 1 : x - y));
}

/**
 * Pod CIDR entries by (family, network, prefix), to find those that strictly contain a rule's
 * block. The prefixes are collected at once; the index only when a block is smaller than a pod CIDR.
 */
function podBlocks(entries: Entries): { prefixes: Record<IpFamily, Set<number>>; withKey: (key: string) => readonly number[] } {
  const prefixes = { 4: new Set<number>(), 6: new Set<number>() };
  entries.address.forEach((a) => a.kind === 'cidr' && prefixes[a.family].add(a.parsed.prefix));
  let byKey: Map<string, number[]> | undefined;
  const withKey = (key: string): readonly number[] => {
    if (!byKey) {
      byKey = new Map();
      entries.address.forEach((a, k) => {
        if (a.kind !== 'cidr') return;
        const blockId = blockKey(a.family, a.parsed.first, a.parsed.prefix);
        const list = byKey!.get(blockId);
        if (list) list.push(k);
        else byKey!.set(blockId, [k]);
      });
    }
    return byKey.get(key) ?? [];
  };
  return { prefixes, withKey };
}

function lowerBound(order: readonly number[], first: readonly (number | bigint)[], value: number | bigint): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (first[order[mid]!]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
