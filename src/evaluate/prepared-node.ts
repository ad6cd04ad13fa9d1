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
  /** Sorted security group ids of the interface. */
  groupIds: string[];
  /** Interned (provider, port security, group ids): nodes with one profile share rule-set evaluations. */
  profile: number;
  /** Resolutions per endpointSlot(). */
  endpoints: EndpointResolution[];
  /** Interned subnet id (unknown subnet included), for numeric memo keys. */
  subnetNumber: number;
  /** Interned address signature (set in classes.ts): nodes with one signature match the same rule peers. */
  addressSignature: number;
}

export function prepareNodes(index: SnapshotIndex, nodes: BoundNode[]): PreparedNode[] {
  const profiles = new Map<string, number>();
  const subnets = new Map<string | undefined, number>();
  return nodes.map((bound, i) => {
    if (bound.binding.kind !== 'bound') {
      return { index: i, bound, iface: undefined, subnetId: undefined, subnetNumber: -1, groupIds: [], profile: -1, endpoints: [], addressSignature: -1 };
    }
    const iface = bound.binding.iface;
    const groupIds = [...new Set(iface.securityGroupIds)].sort();
    const profileKey = `${iface.provider}|${iface.portSecurity}|${groupIds.join(',')}`;
    let profile = profiles.get(profileKey);
    if (profile === undefined) {
      profile = profiles.size;
      profiles.set(profileKey, profile);
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
    return { index: i, bound, iface, subnetId, subnetNumber, groupIds, profile, endpoints, addressSignature: -1 };
  });
}
