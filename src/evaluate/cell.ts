import type { FlowEndpoint, PairScope, Requirement } from '../model/requirement.js';
import type { IpFamily } from '../model/cloud.js';
import { endpointLabel, endpointSlot, missingReason, type EndpointAddress, type MissingWhy } from './endpoints.js';
import { checkForwarding } from './forwarding.js';
import { checkAdjacency } from './l2-adjacency.js';
import { requiredTraffic, type RequiredTraffic } from './match-protocol-port.js';
import { checkNetworkAcl } from './network-acls.js';
import type { PreparedNode } from './prepared-node.js';
import { requiredTrafficText } from './rule-text.js';
import { checkSecurityGroups, portSecurityDisabledEvidence } from './security-groups.js';
import { EvidenceStore, IdTable, Outcomes, type CellOutcome } from './cell-memo.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { NodeBinding } from './types.js';
import type { Evidence } from '../model/evidence.js';

export type { CellOutcome } from './cell-memo.js';

interface FlowPlan {
  traffic: RequiredTraffic;
  trafficText: string;
  source: FlowEndpoint;
  destination: FlowEndpoint;
  family: IpFamily;
  sourceSlot: number;
  destinationSlot: number;
  sourceLabel: string;
  destinationLabel: string;
  scope: PairScope;
}

/** A requirement with what its cells need precomputed. */
export interface PreparedRequirement {
  requirement: Requirement;
  /** Position in the evaluation's requirement list. */
  position: number;
  flow?: FlowPlan;
}

export function prepareRequirement(requirement: Requirement, position: number): PreparedRequirement {
  if (requirement.kind !== 'flow') return { requirement, position };
  const traffic = requiredTraffic(requirement);
  return {
    requirement,
    position,
    flow: {
      traffic,
      trafficText: requiredTrafficText(traffic),
      source: requirement.source,
      destination: requirement.destination,
      family: requirement.family,
      sourceSlot: endpointSlot(requirement.source, requirement.family),
      destinationSlot: endpointSlot(requirement.destination, requirement.family),
      sourceLabel: endpointLabel(requirement.source, 'source'),
      destinationLabel: endpointLabel(requirement.destination, 'destination'),
      scope: requirement.pairScope ?? 'all-pairs',
    },
  };
}

/** Sizes of the interned node properties that memo keys are built from. */
export interface EvaluatorSizes {
  nodes: number;
  profiles: number;
  signatures: number;
  subnets: number;
  subnetSignatures: number;
}

const EGRESS = 0;
const INGRESS = 1;

/** Marks a security-group memo entry whose evidence names the remote address (see securityGroups). */
const NAMES_REMOTE = -1;

/** Evidence about one node alone (its reason names the node), memoized per node: kind x node x detail. */
const NodeFact = { unbound: 0, portSecurity: 1, endpoint: 2, scope: 3, forwarding: 4 } as const;
const NODE_FACTS = 5;
/** Detail values (slot, direction, scope) stay below this. */
const NODE_DETAIL = 8;

/**
 * Evaluates one (source, destination, requirement) cell on two representative nodes.
 *
 * Check results are memoized so that a cell mostly assembles shared Evidence objects:
 * an allowed security-group or NACL result depends only on the checked side's group set
 * (or subnet) and the remote node's address signature, and its reason names no node.
 * A security-group miss carries nearest-rule hints that name the remote address, so
 * misses are memoized per remote node. Memo tables hold evidence ids in typed arrays: a
 * cell costs a few array reads, not hash look-ups. Shared objects must be treated as read-only.
 */
export class CellEvaluator {
  private readonly store = new EvidenceStore();
  private readonly outcomes = new Outcomes(this.store);
  /** Per (requirement, direction): profile x address signature -> evidence id or NAMES_REMOTE. */
  private readonly groupChecks: IdTable[] = [];
  private readonly perRemote = new Map<number, number>();
  /** Per (requirement, direction): subnet x remote subnet signature -> evidence id. */
  private readonly aclChecks: IdTable[] = [];
  private readonly nodeFacts = new Map<number, number>();
  private readonly adjacency: IdTable;
  private readonly adjacencyUnknown = new Map<number, number>();

  constructor(
    private readonly index: SnapshotIndex,
    private readonly sizes: EvaluatorSizes,
  ) {
    this.adjacency = new IdTable(sizes.subnets * sizes.subnets);
  }

  // NOTE: the per-cell path (evaluate, flow, securityGroups, networkAcl) creates no closures: a
  // function with a closure allocates a context on every call, and there is a call per cell.
  // Closures live in the cold methods that compute evidence once.

  /** undefined when the requirement does not apply to this pair (pairScope). */
  evaluate(a: PreparedNode, b: PreparedNode, req: PreparedRequirement): CellOutcome | undefined {
    if (a.iface === undefined || b.iface === undefined) return this.unbound(a, b);
    switch (req.requirement.kind) {
      case 'flow':
        return this.flow(a, b, req, req.flow!);
      case 'l2-adjacency':
        return this.outcomes.plain(this.adjacent(a, b), -1);
      case 'foreign-address-forwarding':
        return this.outcomes.combined(this.forwarding(a), this.forwarding(b), -1, -1);
    }
  }

  private flow(a: PreparedNode, b: PreparedNode, req: PreparedRequirement, plan: FlowPlan): CellOutcome | undefined {
    const known = a.subnetId !== undefined && b.subnetId !== undefined;
    const same = known && a.subnetId === b.subnetId;
    if (plan.scope !== 'all-pairs') {
      if (!known) return this.outcomes.plain(this.scopeUnknown(a.subnetId === undefined ? a : b, plan.scope), -1);
      if ((plan.scope === 'same-subnet-pairs') !== same) return undefined;
    }
    const src = a.endpoints[plan.sourceSlot]!;
    const dst = b.endpoints[plan.destinationSlot]!;
    if (src.kind === 'missing' || dst.kind === 'missing') {
      const missingSource = src.kind === 'missing' ? this.missingEndpoint(a, plan.sourceSlot, plan.source, plan.family, src.why) : -1;
      const missingDestination = dst.kind === 'missing' ? this.missingEndpoint(b, plan.destinationSlot, plan.destination, plan.family, dst.why) : -1;
      return missingSource >= 0 ? this.outcomes.plain(missingSource, missingDestination) : this.outcomes.plain(missingDestination, -1);
    }
    const egress = this.securityGroups(a, b, dst, EGRESS, req, plan);
    const ingress = this.securityGroups(b, a, src, INGRESS, req, plan);
    // NOTE: NACLs filter at the subnet boundary only; two interfaces in one subnet never cross one.
    const naclOut = !same && a.iface!.provider === 'aws' ? this.networkAcl(a, b, dst, EGRESS, req, plan) : -1;
    const naclIn = !same && b.iface!.provider === 'aws' ? this.networkAcl(b, a, src, INGRESS, req, plan) : -1;
    return this.outcomes.combined(egress, ingress, naclOut, naclIn);
  }

  private securityGroups(self: PreparedNode, remoteNode: PreparedNode, remote: EndpointAddress, dir: number, req: PreparedRequirement, plan: FlowPlan): number {
    if (self.iface!.portSecurity === 'disabled') return this.portSecurityOff(self, dir);
    const table = (this.groupChecks[req.position * 2 + dir] ??= new IdTable(this.sizes.profiles * this.sizes.signatures));
    const key = self.profile * this.sizes.signatures + remoteNode.addressSignature;
    const hit = table.get(key);
    if (hit !== undefined && hit !== NAMES_REMOTE) return hit;
    const remoteKey = ((req.position * 2 + dir) * this.sizes.profiles + self.profile) * this.sizes.nodes + remoteNode.index;
    if (hit === NAMES_REMOTE) {
      const own = this.perRemote.get(remoteKey);
      if (own !== undefined) return own;
    }
    const { evidence, namesRemote } = checkSecurityGroups(this.index, {
      groupIds: self.groupIds,
      direction: dir === EGRESS ? 'egress' : 'ingress',
      remote,
      remoteLabel: dir === EGRESS ? plan.destinationLabel : plan.sourceLabel,
      traffic: plan.traffic,
      trafficText: plan.trafficText,
    });
    const id = this.store.add(evidence);
    if (!namesRemote) table.set(key, id);
    else {
      table.set(key, NAMES_REMOTE);
      this.perRemote.set(remoteKey, id);
    }
    return id;
  }

  private portSecurityOff(self: PreparedNode, dir: number): number {
    return this.nodeFact(NodeFact.portSecurity, self, dir, () => portSecurityDisabledEvidence(self.iface!, dir === EGRESS ? 'egress' : 'ingress'));
  }

  private forwarding(n: PreparedNode): number {
    return this.nodeFact(NodeFact.forwarding, n, 0, () => checkForwarding(this.index, n));
  }

  private scopeUnknown(which: PreparedNode, scope: PairScope): number {
    return this.nodeFact(NodeFact.scope, which, scope === 'same-subnet-pairs' ? 1 : 2, () => ({
      layer: 'node-mapping',
      check: 'node-mapping',
      decision: 'unknown',
      objectIds: [],
      reason: `the subnet of node ${which.bound.node.name}'s interface is unknown, so it cannot be told whether this ${scope === 'same-subnet-pairs' ? 'same-subnet' : 'cross-subnet'} flow applies`,
    }));
  }

  private missingEndpoint(n: PreparedNode, slot: number, endpoint: FlowEndpoint, family: IpFamily, why: MissingWhy): number {
    return this.nodeFact(NodeFact.endpoint, n, slot, () => endpointEvidence(missingReason(n.bound.node, n.iface!, endpoint, family, why)));
  }

  private networkAcl(self: PreparedNode, remoteNode: PreparedNode, remote: EndpointAddress, dir: number, req: PreparedRequirement, plan: FlowPlan): number {
    const table = (this.aclChecks[req.position * 2 + dir] ??= new IdTable(this.sizes.subnets * this.sizes.subnetSignatures));
    const key = self.subnetNumber * this.sizes.subnetSignatures + remoteNode.subnetSignature;
    const hit = table.get(key);
    if (hit !== undefined) return hit;
    const id = this.store.add(
      checkNetworkAcl(this.index, {
        check: dir === EGRESS ? 'source-subnet-outbound' : 'destination-subnet-inbound',
        subnetId: self.subnetId,
        otherSubnetId: remoteNode.subnetId,
        remote,
        remoteLabel: dir === EGRESS ? plan.destinationLabel : plan.sourceLabel,
        traffic: plan.traffic,
        trafficText: plan.trafficText,
      }),
    );
    table.set(key, id);
    return id;
  }

  /** host-gw adjacency: by subnet pair when both are known, else by the node whose subnet is unknown. */
  private adjacent(a: PreparedNode, b: PreparedNode): number {
    const subnets = this.sizes.subnets;
    const bothKnown = a.subnetId !== undefined && b.subnetId !== undefined;
    const key = bothKnown
      ? a.subnetNumber * subnets + b.subnetNumber
      : a.subnetId === undefined
        ? (a.index * subnets + b.subnetNumber) * 2
        : (b.index * subnets + a.subnetNumber) * 2 + 1;
    const hit = bothKnown ? this.adjacency.get(key) : this.adjacencyUnknown.get(key);
    if (hit !== undefined) return hit;
    const id = this.store.add(checkAdjacency(a, b));
    if (bothKnown) this.adjacency.set(key, id);
    else this.adjacencyUnknown.set(key, id);
    return id;
  }

  private unbound(a: PreparedNode, b: PreparedNode): CellOutcome {
    const first = a.bound.binding.kind === 'unbound' ? this.unboundFact(a) : this.unboundFact(b);
    const second = a.bound.binding.kind === 'unbound' && b.bound.binding.kind === 'unbound' ? this.unboundFact(b) : -1;
    return this.outcomes.plain(first, second);
  }

  private unboundFact(n: PreparedNode): number {
    return this.nodeFact(NodeFact.unbound, n, 0, () => {
      const binding = n.bound.binding as Extract<NodeBinding, { kind: 'unbound' }>;
      return { layer: binding.cause === 'collection' ? 'collection' : 'node-mapping', check: 'node-mapping', decision: 'unknown', objectIds: [], reason: binding.reason };
    });
  }

  private nodeFact(fact: number, n: PreparedNode, detail: number, make: () => Evidence): number {
    const key = (n.index * NODE_FACTS + fact) * NODE_DETAIL + detail;
    let id = this.nodeFacts.get(key);
    if (id === undefined) {
      id = this.store.add(make());
      this.nodeFacts.set(key, id);
    }
    return id;
  }
}

function endpointEvidence(reason: string): Evidence {
  return { layer: 'node-mapping', check: 'node-mapping', decision: 'unknown', objectIds: [], reason };
}
