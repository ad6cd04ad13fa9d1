import type { NetworkInterface } from '../model/cloud.js';
import { resolveEndpoints, type EndpointResolution } from './endpoints.js';
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
}

export function prepareNodes(nodes: BoundNode[]): PreparedNode[] {
  const listings = new ListInterner();
  /** By listing: its sorted distinct group ids, and its profile per provider and port security. */
  const groupSets: { groupIds: readonly string[]; profiles: Map<string, number> }[] = [];
  const profiles = new Map<string, number>();
  const subnets = new Map<string | undefined, number>();
  return nodes.map((bound, i): PreparedNode => {
    if (bound.binding.kind !== 'bound') {
      return { index: i, bound, iface: undefined, subnetId: undefined, groupIds: [], profile: -1, endpoints: [], subnetNumber: -1 };
    }
    const iface = bound.binding.iface;
    const listing = listings.intern(iface.securityGroupIds);
    const set = (groupSets[listing] ??= { groupIds: [...new Set(iface.securityGroupIds)].sort(), profiles: new Map() });
    const groupIds = set.groupIds;
    const kind = `${iface.provider} ${iface.portSecurity}`;
    let profile = set.profiles.get(kind);
    if (profile === undefined) {
      profile = intern(profiles, JSON.stringify([iface.provider, iface.portSecurity, groupIds]));
      set.profiles.set(kind, profile);
    }
    const endpoints = resolveEndpoints(bound.node, iface);
    const subnetId = bound.binding.subnetId;
    const subnetNumber = intern(subnets, subnetId);
    return { index: i, bound, iface, subnetId, groupIds, profile, endpoints, subnetNumber };
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
 * Numbers lists of strings: equal lists get equal ids. Nodes of one pool list the same groups in
 * the same order, so a list equal to the last one seen with the same last element is answered by
 * comparing the two, without making it one key. Why: with a key per node (the ids joined),
 * `npm run bench` took 28 ms to evaluate instead of 23 (medians). prepared-node.test.ts holds it
 * against numbering the lists by their JSON text.
 */
export class ListInterner {
  private readonly ids = new Map<string, number>();
  private readonly recent = new Map<string, { list: readonly string[]; id: number }>();

  intern(list: readonly string[]): number {
    const last = list[list.length - 1] ?? '';
    const seen = this.recent.get(last);
    if (seen && sameStrings(seen.list, list)) return seen.id;
    const id = intern(this.ids, JSON.stringify(list));
    this.recent.set(last, { list, id });
    return id;
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}
