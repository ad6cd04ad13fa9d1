import type { ClusterNode } from '../model/cluster.js';
import type { Direction, NetworkInterface } from '../model/cloud.js';
import type { SourceRef } from '../model/source.js';
import type { Requirement } from '../../rules/requirement.js';

export type Verdict = 'allowed' | 'blocked' | 'unknown';

/** The layer that decided a verdict. */
export type Layer =
  | 'security-group'
  | 'network-acl'
  | 'port-security'
  | 'source-dest-check'
  | 'allowed-address-pairs'
  | 'l2-adjacency'
  | 'node-mapping'
  | 'collection';

/** How a node was tied to its cloud interface. Unbound nodes make every pair they are in `unknown`. */
export type NodeBinding =
  | { kind: 'bound'; iface: NetworkInterface; ip: string; subnetId?: string }
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

/** A rule cited as evidence. */
export interface RuleCitation {
  /** Rule id (`sgr-…`, Neutron uuid, synthesized inline id, or NACL `acl-…#100/ingress`). */
  ruleId: string;
  /** The security group or NACL the rule belongs to. */
  containerId: string;
  /** One-line rendering, e.g. `ingress tcp 8472 from 172.16.10.0/24`. */
  text: string;
  source: SourceRef;
}

export interface Evidence {
  layer: Layer;
  /** Which check this is: egress at the source, ingress at the destination, NACL out/in, etc. */
  check:
    | 'source-egress'
    | 'destination-ingress'
    | 'source-subnet-outbound'
    | 'destination-subnet-inbound'
    | 'node-mapping'
    | 'port-security'
    | 'forwarding'
    | 'adjacency';
  decision: Verdict;
  /** Groups or NACL consulted. */
  objectIds: string[];
  /** The rule that allowed (or, for NACLs, denied). */
  decidingRule?: RuleCitation;
  /** For a miss: the closest rules and why each one does not match ("tcp 8472 is allowed, udp is not"). */
  nearest?: { rule: RuleCitation; mismatch: string }[];
  reason: string;
  /** Context that does not change the decision (e.g. a stateless Neutron group, why NACLs applied). */
  notes?: string[];
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
