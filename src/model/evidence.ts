import type { Direction } from './cloud.js';
import type { SourceRef } from './source.js';

/** The verdict of one requirement for a directed node pair. */
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


/** Source-side checks act on egress, destination-side ones on ingress; the others have no side of their own. */
export function directionOfCheck(check: Evidence['check']): Direction | undefined {
  switch (check) {
    case 'source-egress':
    case 'source-subnet-outbound':
      return 'egress';
    case 'destination-ingress':
    case 'destination-subnet-inbound':
      return 'ingress';
    default:
      return undefined;
  }
}
