import type { NetworkInterface } from '../model/cloud.js';
import { ENDPOINT_KINDS, resolveEndpoint, type EndpointResolution } from './endpoints.js';
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

/**
 * NOTE: keys join ids with NUL. Cloud ids (sg-…, acl-…, UUIDs) never contain it, so
 * distinct lists cannot share a key, and joining is far cheaper than an escaping encoding.
 */
const SEP = '\0';

/** The sorted distinct ids of one listing of groups, and the profiles seen with it. */
interface GroupSet {
  groupIds: readonly string[];
  /** Profile per `provider SEP portSecurity`. */
  profiles: Map<string, number>;
}

export function prepareNodes(index: SnapshotIndex, nodes: BoundNode[]): PreparedNode[] {
  // Nodes of one pool list the same groups in the same order: sort, dedupe and intern each listing once.
  const groupSets = new Map<string, GroupSet>();
  const profiles = new Map<string, number>();
  const subnets = new Map<string | undefined, number>();
  return nodes.map((bound, i): PreparedNode => {
    if (bound.binding.kind !== 'bound') {
      return { index: i, bound, iface: undefined, subnetId: undefined, groupIds: [], profile: -1, endpoints: [], subnetNumber: -1, addressSignature: -1, subnetSignature: -1 };
    }
    const iface = bound.binding.iface;
    const listed = iface.securityGroupIds.join(SEP);
    let set = groupSets.get(listed);
    if (set === undefined) {
      set = { groupIds: [...new Set(iface.securityGroupIds)].sort(), profiles: new Map() };
      groupSets.set(listed, set);
    }
    const groupIds = set.groupIds;
    const kind = `${iface.provider}${SEP}${iface.portSecurity}`;
    let profile = set.profiles.get(kind);
    if (profile === undefined) {
      const profileKey = `${kind}${SEP}${groupIds.join(SEP)}`;
      profile = profiles.get(profileKey);
      if (profile === undefined) {
        profile = profiles.size;
        profiles.set(profileKey, profile);
      }
      set.profiles.set(kind, profile);
    }
    const endpoints: EndpointResolution[] = [];
    for (const endpoint of ENDPOINT_KINDS) {
      endpoints.push(resolveEndpoint(index, bound.node, iface, endpoint, 4), resolveEndpoint(index, bound.node, iface, endpoint, 6));
    }
    const subnetId = bound.binding.subnetId;
    let subnetNumber = subnets.get(subnetId);
    if (subnetNumber === undefined) {
      subnetNumber = subnets.size;
      subnets.set(subnetId, subnetNumber);
    }
    return { index: i, bound, iface, subnetId, groupIds, profile, endpoints, subnetNumber, addressSignature: -1, subnetSignature: -1 };
  });
}
