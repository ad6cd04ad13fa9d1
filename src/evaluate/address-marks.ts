import type { IpFamily, NetworkAcl, PortMatch, ProtocolMatch } from '../model/cloud.js';
import { tryParseCidr, type ParsedCidr } from '../model/cidr.js';
import { networkOf } from './cidr-set.js';
import { SLOT_COUNT, type EndpointAddress } from './endpoints.js';
import { portsOverlap, protocolOverlaps, type RequiredTraffic } from './match-protocol-port.js';
import type { PreparedNode } from './prepared-node.js';
import type { SnapshotIndex } from './snapshot-index.js';
import { PairMemo } from './pair-memo.js';

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
  // Nodes with one group set share its array.
  const groupIds = new Set([...new Set(bound.map((n) => n.groupIds))].flat());
  const subnetIds = new Set(bound.flatMap((n) => (n.subnetId === undefined ? [] : [n.subnetId])));
  for (const id of [...groupIds].sort()) {
    for (const rule of index.groups.get(id)?.rules ?? []) {
      if (!relevant(rule.protocol, rule.ports, flows)) continue;
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

/** One present endpoint address of a bound node (by position in `bound`). */
interface Entry {
  node: number;
  slot: number;
  address: EndpointAddress;
}

/**
 * For each bound node (by position in `bound`), the id of its mark set: equal for two nodes
 * exactly when they carry the same marks. A mark says, for one relevant block, that it contains
 * one endpoint slot of the node (or, for a pod CIDR, covers part of it); or, for one referenced
 * group, that the slot's address is a member. 0 means no mark.
 */
export function markAddresses(index: SnapshotIndex, bound: readonly PreparedNode[], cidrs: ParsedCidr[], groups: string[]): readonly number[] {
  const entries: Entry[] = [];
  bound.forEach((n, node) =>
    n.endpoints.forEach((address, slot) => {
      if (address.kind !== 'missing') entries.push({ node, slot, address });
    }),
  );
  // Marks are numbered block by block, then group by group, and added to each node in that order.
  const sets = new MarkSets(bound.length, (cidrs.length * 2 + groups.length) * SLOT_COUNT);
  const inside = entriesInside(entries, cidrs.length);
  const pods = podBlocks(entries);
  cidrs.forEach((c, i) => {
    // Per slot: 2 * slot contains the entry, 2 * slot + 1 covers part of the pod CIDR.
    const bySlot: Entry[][] = Array.from({ length: SLOT_COUNT * 2 }, () => []);
    for (const e of inside(c)) bySlot[e.slot * 2]!.push(e);
    for (const prefix of pods.prefixes[c.family]) {
      if (prefix >= c.prefix) continue;
      for (const e of pods.withKey(blockKey(c.family, networkOf(c.first, c.family, prefix), prefix))) bySlot[e.slot * 2 + 1]!.push(e);
    }
    bySlot.forEach((list, m) => {
      for (const e of list) sets.add(e.node, i * SLOT_COUNT * 2 + m);
    });
  });
  const groupBase = cidrs.length * SLOT_COUNT * 2;
  groups.forEach((groupId, g) => {
    const members = index.members(groupId);
    // Entries are in node order, then slot order: each node gets its marks in order.
    for (const { node, slot, address } of entries) {
      const member = (address.kind === 'ip' && members.ips.has(address.key)) || members.pairs.containsCidr(address.parsed);
      if (member) sets.add(node, groupBase + g * SLOT_COUNT + slot);
    }
  });
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
  private readonly next: PairMemo;
  private count = 0;

  constructor(nodes: number, marks: number) {
    this.ids = new Array<number>(nodes).fill(0);
    this.next = PairMemo.sparse(Math.floor(Number.MAX_SAFE_INTEGER / Math.max(1, marks)), Math.max(1, marks));
  }

  add(node: number, mark: number): void {
    const set = this.ids[node]!;
    let id = this.next.get(set, mark);
    if (id === undefined) {
      id = ++this.count;
      this.next.set(set, mark, id);
    }
    this.ids[node] = id;
  }
}

/** Blocks up to this many are answered by scanning every entry; more by sorting once. */
const SCAN_LIMIT = 32;

/**
 * The entries whose address lies wholly inside a block. With few blocks a scan per block is
 * cheapest; with many, one sort per family makes each block a range query (blocks x log(entries)).
 */
function entriesInside(entries: readonly Entry[], blockCount: number): (c: ParsedCidr) => Entry[] {
  const inside = (c: ParsedCidr, e: Entry): boolean => e.address.family === c.family && c.first <= e.address.parsed.first && e.address.parsed.last <= c.last;
  if (blockCount <= SCAN_LIMIT) return (c) => entries.filter((e) => inside(c, e));
  const byFirst = (x: Entry, y: Entry): number => (x.address.parsed.first < y.address.parsed.first ? -1 : x.address.parsed.first > y.address.parsed.first ? 1 : 0);
  const sorted = { 4: entries.filter((e) => e.address.family === 4).sort(byFirst), 6: entries.filter((e) => e.address.family === 6).sort(byFirst) };
  return (c) => {
    const list = sorted[c.family];
    const out: Entry[] = [];
    for (let j = lowerBound(list, c.first); j < list.length && list[j]!.address.parsed.first <= c.last; j++) {
      if (inside(c, list[j]!)) out.push(list[j]!);
    }
    return out;
  };
}

/**
 * Pod CIDR entries by block, to find those that strictly contain a rule's block. The prefixes are
 * collected at once; the index only when a block is smaller than a pod CIDR.
 */
function podBlocks(entries: readonly Entry[]): { prefixes: Record<IpFamily, Set<number>>; withKey: (key: string) => readonly Entry[] } {
  const prefixes = { 4: new Set<number>(), 6: new Set<number>() };
  for (const { address } of entries) if (address.kind === 'cidr') prefixes[address.family].add(address.parsed.prefix);
  let byKey: Map<string, Entry[]> | undefined;
  const withKey = (key: string): readonly Entry[] => {
    if (!byKey) {
      byKey = new Map();
      for (const e of entries) {
        const a = e.address;
        if (a.kind !== 'cidr') continue;
        const blockId = blockKey(a.family, a.parsed.first, a.parsed.prefix);
        const list = byKey.get(blockId);
        if (list) list.push(e);
        else byKey.set(blockId, [e]);
      }
    }
    return byKey.get(key) ?? [];
  };
  return { prefixes, withKey };
}

/** The position of the first entry of `sorted` whose address starts at or after `value`. */
function lowerBound(sorted: readonly Entry[], value: bigint): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]!.address.parsed.first < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
