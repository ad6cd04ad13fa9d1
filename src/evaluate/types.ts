import type { ClusterNode } from '../model/cluster.js';
import type { Direction, NetworkInterface } from '../model/cloud.js';
import type { Evidence, Layer, Verdict } from '../model/evidence.js';
import type { Requirement } from '../model/requirement.js';

/** How a node was tied to its cloud interface. Unbound nodes make every pair they are in `unknown`. */
export type NodeBinding =
  | {
      kind: 'bound';
      iface: NetworkInterface;
      ip: string;
      subnetId?: string;
      /** Set when the address is not the interface's own but covered by this Neutron allowed-address pair. */
      allowedAddressPair?: string;
      /** How the address matched, when it is not simply one of the interface's own addresses, or providerID chose among several. */
      note?: string;
    }
  | { kind: 'unbound'; reason: string; cause?: UnboundCause };

/**
 * Why a node could not be bound. `collection` means the interface look-up failed
 * (an Unavailable entry), so cells cite layer `collection` instead of `node-mapping`.
 */
export type UnboundCause = 'no-vtep' | 'no-match' | 'ambiguous' | 'provider-id-mismatch' | 'collection';

export interface BoundNode {
  node: ClusterNode;
  binding: NodeBinding;
}

/** Nodes that every requirement treats identically (same groups, subnet, rule-match signature). */
export interface NodeClass {
  id: number;
  members: BoundNode[];
  /** Human-readable description of what the members share, for debugging and reports. */
  signature: string;
}

/**
 * The verdict of one requirement for all directed pairs from one source class to one destination class.
 * pairCount excludes self pairs when the two classes are the same.
 * The evaluator computes a cell on members[0] of each class (members[1] as the destination of a
 * self pair); evidence texts that name an address name theirs.
 */
export interface CellResult {
  sourceClass: number;
  destinationClass: number;
  requirementId: string;
  verdict: Verdict;
  /** The layer that decided (for `allowed`, the last layer that was checked). */
  layer: Layer;
  /** For blocked/unknown at a directional layer: which side. */
  direction?: Direction;
  evidence: Evidence[];
  pairCount: number;
}

export interface Evaluation {
  requirements: Requirement[];
  nodes: BoundNode[];
  classes: NodeClass[];
  cells: CellResult[];
}

