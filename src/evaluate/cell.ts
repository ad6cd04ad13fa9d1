import type { FlowEndpoint, PairScope, Requirement } from '../model/requirement.js';
import type { IpFamily } from '../model/cloud.js';
import { endpointLabel, endpointSlot, missingReason, type EndpointAddress, type MissingWhy } from './endpoints.js';
import { checkForwarding } from './forwarding.js';
import { checkAdjacency } from './l2-adjacency.js';
import { requiredTraffic, type RequiredTraffic } from './match-protocol-port.js';
import { checkNetworkAcl } from './network-acls.js';
import type { SignedNode } from './classes.js';
import { requiredTrafficText } from './rule-text.js';
import { checkSecurityGroups, portSecurityDisabledEvidence } from './security-groups.js';
import { EvidenceStore, Outcomes, type CellOutcome } from './cell-memo.js';
import { PairMemo } from './pair-memo.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { NodeBinding } from './types.js';
import type { Evidence } from '../model/evidence.js';
import type { ClusterNode, NodeRole } from '../model/cluster.js';

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
  /** Set only for a role-scoped flow: the roles its source and destination must carry. */
  roles?: RoleScope;
}

/** sourceRole / destinationRole of a flow; an absent side admits every node. */
export interface RoleScope {
  source?: NodeRole;
  destination?: NodeRole;
}

/** Whether a role-scoped flow exists for this directed pair. Nodes without `roles` have none. */
export function rolesAdmit(scope: RoleScope, source: ClusterNode, destination: ClusterNode): boolean {
  if (scope.source !== undefined && !(source.roles?.includes(scope.source) ?? false)) return false;
  return scope.destination === undefined || (destination.roles?.includes(scope.destination) ?? false);
}

export function prepareRequirement(requirement: Requirement, position: number): PreparedRequirement {
  if (requirement.kind !== 'flow') return { requirement, position };
  const traffic = requiredTraffic(requirement);
  const { sourceRole, destinationRole } = requirement;
  const roles = sourceRole !== undefined || destinationRole !== undefined ? { source: sourceRole, destination: destinationRole } : undefined;
  return {
    requirement,
    position,
    ...(roles ? { roles } : {}),
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

const EGRESS = 0;
const INGRESS = 1;

/** Marks a security-group memo entry whose evidence names the remote address (see securityGroups). */
const NAMES_REMOTE = -1;

/** Evidence about one node alone (its reason names the node), memoized per node, kind and detail. */
type NodeFact = 'unbound' | 'port-security' | 'endpoint' | 'scope' | 'forwarding';
/** Detail values (slot, direction, scope) stay below this. */
const NODE_DETAIL = 8;

/**
 * Evaluates one (source, destination, requirement) cell on two representative nodes.
 *
 * Check results are memoized so that a cell mostly assembles shared Evidence objects:
 * an allowed security-group or NACL result depends only on the checked side's group set
 * (or subnet) and the remote node's address signature, and its reason names no node.
 * A security-group miss carries nearest-rule hints that name the remote address, so
 * misses are memoized per remote node. Memo tables hold evidence ids. Shared objects must be
 * treated as read-only.
 */
export class CellEvaluator {
  private readonly store = new EvidenceStore();
  private readonly outcomes = new Outcomes(this.store);
  /** By direction and requirement: (profile, remote address signature) -> evidence id or NAMES_REMOTE. */
  private readonly groupChecks: PairMemo[][] = [[], []];
  /** By direction and requirement: (profile, remote node) -> evidence id, for checks whose evidence names the remote. */
  private readonly perRemote: PairMemo[][] = [[], []];
  /** By direction and requirement: (subnet, remote subnet signature) -> evidence id. */
  private readonly aclChecks: PairMemo[][] = [[], []];
  /** By kind of fact: (detail, node) -> evidence id. */
  private readonly nodeFacts: Record<NodeFact, PairMemo>;
  /** Adjacency by (source subnet, destination subnet) when both are known. */
  private readonly adjacency: PairMemo;
  /** Adjacency by (node whose subnet is unknown, the other subnet), for that node as source and as destination. */
  private readonly adjacencyUnknown: { source: PairMemo; destination: PairMemo };

  /** How many distinct values each interned node property takes: the bounds of memo keys. */
  private readonly sizes: { nodes: number; profiles: number; signatures: number; subnets: number; subnetSignatures: number };

  constructor(
    private readonly index: SnapshotIndex,
    nodes: readonly SignedNode[],
  ) {
    const count = (value: (n: SignedNode) => number): number => nodes.reduce((max, n) => Math.max(max, value(n) + 1), 1);
    this.sizes = {
      nodes: Math.max(1, nodes.length),
      profiles: count((n) => n.profile),
      signatures: count((n) => n.addressSignature),
      subnets: count((n) => n.subnetNumber),
      subnetSignatures: count((n) => n.subnetSignature),
    };
    const byNode = (): PairMemo => PairMemo.sparse(NODE_DETAIL, this.sizes.nodes);
    this.nodeFacts = { unbound: byNode(), 'port-security': byNode(), endpoint: byNode(), scope: byNode(), forwarding: byNode() };
    this.adjacency = new PairMemo(this.sizes.subnets, this.sizes.subnets);
    this.adjacencyUnknown = { source: PairMemo.sparse(this.sizes.nodes, this.sizes.subnets), destination: PairMemo.sparse(this.sizes.nodes, this.sizes.subnets) };
  }

  /**
   * undefined when the requirement does not apply to this pair (pairScope, or roles). A combined
   * outcome is refilled by the next call (see Outcomes.combined): read it first.
   */
  evaluate(a: SignedNode, b: SignedNode, req: PreparedRequirement): CellOutcome | undefined {
    // Roles come from node labels, not from the cloud, so they decide even for an unbound node:
    // a kubelet flow to a worker that has no cloud port is still no control-plane flow.
    if (req.roles !== undefined && !rolesAdmit(req.roles, a.bound.node, b.bound.node)) return undefined;
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

  private flow(a: SignedNode, b: SignedNode, req: PreparedRequirement, plan: FlowPlan): CellOutcome | undefined {
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

  private securityGroups(self: SignedNode, remoteNode: SignedNode, remote: EndpointAddress, dir: number, req: PreparedRequirement, plan: FlowPlan): number {
    if (self.iface!.portSecurity === 'disabled') return this.portSecurityOff(self, dir);
    const checks = (this.groupChecks[dir]![req.position] ??= new PairMemo(this.sizes.profiles, this.sizes.signatures));
    const perRemote = (this.perRemote[dir]![req.position] ??= PairMemo.sparse(this.sizes.profiles, this.sizes.nodes));
    const hit = checks.get(self.profile, remoteNode.addressSignature);
    if (hit !== undefined && hit !== NAMES_REMOTE) return hit;
    if (hit === NAMES_REMOTE) {
      const own = perRemote.get(self.profile, remoteNode.index);
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
    if (!namesRemote) checks.set(self.profile, remoteNode.addressSignature, id);
    else {
      checks.set(self.profile, remoteNode.addressSignature, NAMES_REMOTE);
      perRemote.set(self.profile, remoteNode.index, id);
    }
    return id;
  }

  private portSecurityOff(self: SignedNode, dir: number): number {
    return this.nodeFact('port-security', self, dir, () => portSecurityDisabledEvidence(self.iface!, dir === EGRESS ? 'egress' : 'ingress'));
  }

  private forwarding(n: SignedNode): number {
    return this.nodeFact('forwarding', n, 0, () => checkForwarding(n));
  }

  private scopeUnknown(which: SignedNode, scope: PairScope): number {
    return this.nodeFact('scope', which, scope === 'same-subnet-pairs' ? 1 : 2, () => ({
      layer: 'node-mapping',
      check: 'node-mapping',
      decision: 'unknown',
      objectIds: [],
      reason: `the subnet of node ${which.bound.node.name}'s interface is unknown, so it cannot be told whether this ${scope === 'same-subnet-pairs' ? 'same-subnet' : 'cross-subnet'} flow applies`,
    }));
  }

  private missingEndpoint(n: SignedNode, slot: number, endpoint: FlowEndpoint, family: IpFamily, why: MissingWhy): number {
    return this.nodeFact('endpoint', n, slot, () => endpointEvidence(missingReason(n.bound.node, n.iface!, endpoint, family, why)));
  }

  private networkAcl(self: SignedNode, remoteNode: SignedNode, remote: EndpointAddress, dir: number, req: PreparedRequirement, plan: FlowPlan): number {
    const checks = (this.aclChecks[dir]![req.position] ??= new PairMemo(this.sizes.subnets, this.sizes.subnetSignatures));
    const hit = checks.get(self.subnetNumber, remoteNode.subnetSignature);
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
    checks.set(self.subnetNumber, remoteNode.subnetSignature, id);
    return id;
  }

  /** host-gw adjacency: by subnet pair when both are known, else by the node whose subnet is unknown (the evidence names it). */
  private adjacent(a: SignedNode, b: SignedNode): number {
    if (a.subnetId === undefined) return this.adjacentBy(this.adjacencyUnknown.source, a.index, b.subnetNumber, a, b);
    if (b.subnetId === undefined) return this.adjacentBy(this.adjacencyUnknown.destination, b.index, a.subnetNumber, a, b);
    return this.adjacentBy(this.adjacency, a.subnetNumber, b.subnetNumber, a, b);
  }

  private adjacentBy(memo: PairMemo, row: number, column: number, a: SignedNode, b: SignedNode): number {
    let id = memo.get(row, column);
    if (id === undefined) {
      id = this.store.add(checkAdjacency(a, b));
      memo.set(row, column, id);
    }
    return id;
  }

  private unbound(a: SignedNode, b: SignedNode): CellOutcome {
    const first = a.bound.binding.kind === 'unbound' ? this.unboundFact(a) : this.unboundFact(b);
    const second = a.bound.binding.kind === 'unbound' && b.bound.binding.kind === 'unbound' ? this.unboundFact(b) : -1;
    return this.outcomes.plain(first, second);
  }

  private unboundFact(n: SignedNode): number {
    return this.nodeFact('unbound', n, 0, () => {
      const binding = n.bound.binding as Extract<NodeBinding, { kind: 'unbound' }>;
      return { layer: binding.cause === 'collection' ? 'collection' : 'node-mapping', check: 'node-mapping', decision: 'unknown', objectIds: [], reason: binding.reason };
    });
  }

  private nodeFact(fact: NodeFact, n: SignedNode, detail: number, make: () => Evidence): number {
    const memo = this.nodeFacts[fact];
    let id = memo.get(detail, n.index);
    if (id === undefined) {
      id = this.store.add(make());
      memo.set(detail, n.index, id);
    }
    return id;
  }
}

function endpointEvidence(reason: string): Evidence {
  return { layer: 'node-mapping', check: 'node-mapping', decision: 'unknown', objectIds: [], reason };
}
