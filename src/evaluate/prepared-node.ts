import type { NetworkInterface } from '../model/cloud.js';
import { resolveEndpoints, type EndpointResolution } from './endpoints.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { BoundNode } from './types.js';

/** A bound node with everything the checks need, computed once. */
export interface PreparedNode {
  /** Position in Evaluation.nodes. */
  index: number;
  bound: BoundNode;
  /** Undefined for unbound nodes. */
  iface: NetworkInterface | undefined;
  subnetId: string | undefined;
  /** Sorted security group ids of the interface; shared between nodes, read-only. */
  groupIds: readonly string[];
  /** Interned (provider, port security, group ids): nodes with one profile share rule-set evaluations. */
  profile: number;
  /** Resolutions per endpointSlot(). */
  endpoints: EndpointResolution[];
  /** Interned subnet id (unknown subnet included), for numeric memo keys. */
  subnetNumber: number;
  /** Interned address signature (set in classes.ts): nodes with one signature match the same rule peers. */
  addressSignature: number;
  /** Interned (subnet, address signature) (set in classes.ts): what a NACL check reads about the remote side. */
  subnetSignature: number;
}

/** The sorted distinct ids of one listing of groups, and the profiles seen with it. */
interface GroupSet {
  groupIds: readonly string[];
  /** Profile per provider and port security (see kindOf). */
  profiles: number[];
}

export function prepareNodes(index: SnapshotIndex, nodes: BoundNode[]): PreparedNode[] {
  // Nodes of one pool list the same groups in the same order: sort, dedupe and intern each listing once.
  let listed = 0;
  nodes.forEach((n) => {
    if (n.binding.kind === 'bound') listed += n.binding.iface.securityGroupIds.length;
  });
  const listings = new ListInterner(listed + 1);
  const groupSets: GroupSet[] = [];
  const profiles = new Map<string, number>();
  const providers = new Map<string, number>();
  const subnets = new Map<string | undefined, number>();
  return nodes.map((bound, i): PreparedNode => {
    if (bound.binding.kind !== 'bound') {
      return { index: i, bound, iface: undefined, subnetId: undefined, groupIds: [], profile: -1, endpoints: [], subnetNumber: -1, addressSignature: -1, subnetSignature: -1 };
    }
    const iface = bound.binding.iface;
    const listing = listings.intern(iface.securityGroupIds);
    let set = groupSets[listing];
    if (set === undefined) {
      set = { groupIds: [...new Set(iface.securityGroupIds)].sort(), profiles: [] };
      groupSets[listing] = set;
    }
    const groupIds = set.groupIds;
    const kind = intern(providers, iface.provider) * 2 + (iface.portSecurity === 'disabled' ? 1 : 0);
    let profile = set.profiles[kind];
    if (profile === undefined) {
      // NOTE: NUL never occurs in cloud ids (sg-…, UUIDs), so distinct group sets cannot share a key.
      const profileKey = `${iface.provider}\0${iface.portSecurity}\0${groupIds.join('\0')}`;
      profile = profiles.get(profileKey);
      if (profile === undefined) {
        profile = profiles.size;
        profiles.set(profileKey, profile);
      }
      set.profiles[kind] = profile;
    }
    const endpoints = resolveEndpoints(index, bound.node, iface);
    const subnetId = bound.binding.subnetId;
    let subnetNumber = subnets.get(subnetId);
    if (subnetNumber === undefined) {
      subnetNumber = subnets.size;
      subnets.set(subnetId, subnetNumber);
    }
    return { index: i, bound, iface, subnetId, groupIds, profile, endpoints, subnetNumber, addressSignature: -1, subnetSignature: -1 };
  });
}

function intern<K>(table: Map<K, number>, key: K): number {
  let id = table.get(key);
  if (id === undefined) {
    id = table.size;
    table.set(key, id);
  }
  return id;
}

/**
 * Interns lists of strings as a trie over interned elements (a list equal to the last one seen
 * with the same last element skips the trie). Exact, and it hashes only the
 * short element strings: joining a long list into one key costs a hash over all of its text.
 * `radix` must exceed both the number of distinct elements and of trie nodes (e.g. the total
 * length of all lists plus one), so that (node, element) keys stay exact integers.
 */
class ListInterner {
  private readonly elements = new Map<string, number>();
  private readonly children = new Map<number, number>();
  /** The last list seen per last element, with its id: most lists repeat one seen before. */
  private readonly recent = new Map<string, { list: readonly string[]; id: number }>();

  constructor(private readonly radix: number) {}

  /** 0 for the empty list; equal ids for equal lists. */
  intern(list: readonly string[]): number {
    if (list.length === 0) return 0;
    const last = list[list.length - 1]!;
    const seen = this.recent.get(last);
    if (seen && sameStrings(seen.list, list)) return seen.id;
    const id = this.walk(list);
    this.recent.set(last, { list, id });
    return id;
  }

  private walk(list: readonly string[]): number {
    let node = 0;
    for (let i = 0; i < list.length; i++) {
      const s = list[i]!;
      let e = this.elements.get(s);
      if (e === undefined) {
        e = this.elements.size;
        this.elements.set(s, e);
      }
      const key = node * this.radix + e;
      let next = this.children.get(key);
      if (next === undefined) {
        next = this.children.size + 1;
        this.children.set(key, next);
      }
      node = next;
    }
    return node;
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
