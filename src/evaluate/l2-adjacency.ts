import type { PreparedNode } from './prepared-node.js';
import type { Evidence } from '../model/evidence.js';

/** host-gw routes to the peer's address with no gateway, which only works inside one subnet. */
export function checkAdjacency(source: PreparedNode, destination: PreparedNode): Evidence {
  const a = source.subnetId;
  const b = destination.subnetId;
  const base = { layer: 'l2-adjacency' as const, check: 'adjacency' as const };
  if (a === undefined || b === undefined) {
    const which = a === undefined ? source : destination;
    return { ...base, decision: 'unknown', objectIds: [a, b].filter((s) => s !== undefined), reason: `the subnet of node ${which.bound.node.name}'s interface is unknown` };
  }
  if (a === b) return { ...base, decision: 'allowed', objectIds: [a], reason: `both interfaces are in ${a}` };
  return { ...base, decision: 'blocked', objectIds: [a, b], reason: `the interfaces are in different subnets (${a}, ${b}), so traffic between them goes through a router` };
}
