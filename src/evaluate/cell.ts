import type { FlowEndpoint, PairScope, Requirement } from '../../rules/requirement.js';
import type { Direction, IpFamily } from '../model/cloud.js';
import { endpointLabel, endpointSlot, missingReason, type EndpointAddress } from './endpoints.js';
import { checkForwarding } from './forwarding.js';
import { checkAdjacency } from './l2-adjacency.js';
import { requiredTraffic, type RequiredTraffic } from './match-protocol-port.js';
import { checkNetworkAcl } from './network-acls.js';
import type { PreparedNode } from './prepared-node.js';
import { requiredTrafficText } from './rule-text.js';
import { checkSecurityGroups, portSecurityDisabledEvidence } from './security-groups.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { Evidence, Layer, Verdict } from './types.js';

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

export interface CellOutcome {
  verdict: Verdict;
  layer: Layer;
  direction?: Direction;
  evidence: Evidence[];
}

const EGRESS = 0;
const INGRESS = 1;

/**
 * Evaluates one (source, destination, requirement) cell on two representative nodes.
 *
 * Check results are memoized so that a cell mostly assembles shared Evidence objects:
 * an allowed security-group or NACL result depends only on the checked side's group set
 * (or subnet) and the remote node's address signature, and its reason names no node.
 * A security-group miss carries nearest-rule hints that name the remote address, so
 * misses are memoized per remote node. Shared Evidence must be treated as read-only.
 */
export class CellEvaluator {
  private readonly shared = new Map<number, Evidence | null>();
  private readonly perRemote = new Map<number, Evidence>();
  private readonly nacl = new Map<number, Evidence>();
  private readonly perNode = new Map<string, Evidence>();

  constructor(
    private readonly index: SnapshotIndex,
    private readonly profileCount: number,
    private readonly signatureCount: number,
    private readonly nodeCount: number,
    private readonly subnetCount: number,
  ) {}

  /** undefined when the requirement does not apply to this pair (pairScope). */
  evaluate(a: PreparedNode, b: PreparedNode, req: PreparedRequirement): CellOutcome | undefined {
    if (a.iface === undefined || b.iface === undefined) return this.unbound(a, b);
    switch (req.requirement.kind) {
      case 'flow':
        return this.flow(a, b, req, req.flow!);
      case 'l2-adjacency': {
        const e = this.memoNode(`adj\0${a.subnetId}\0${b.subnetId}\0${a.subnetId === undefined ? a.index : b.subnetId === undefined ? b.index : ''}`, () => checkAdjacency(a, b));
        return { verdict: e.decision, layer: e.layer, evidence: [e] };
      }
      case 'foreign-address-forwarding': {
        const out = this.memoNode(`fwd\0${a.index}`, () => checkForwarding(this.index, a));
        const inn = this.memoNode(`fwd\0${b.index}`, () => checkForwarding(this.index, b));
        return combine([out, inn]);
      }
    }
  }

  private flow(a: PreparedNode, b: PreparedNode, req: PreparedRequirement, plan: FlowPlan): CellOutcome | undefined {
    const known = a.subnetId !== undefined && b.subnetId !== undefined;
    const same = known && a.subnetId === b.subnetId;
    if (plan.scope !== 'all-pairs') {
      if (!known) {
        const which = a.subnetId === undefined ? a : b;
        const e = this.memoNode(`scope\0${which.index}\0${plan.scope}`, () => ({
          layer: 'node-mapping',
          check: 'node-mapping',
          decision: 'unknown',
          objectIds: [],
          reason: `the subnet of node ${which.bound.node.name}'s interface is unknown, so it cannot be told whether this ${plan.scope === 'same-subnet-pairs' ? 'same-subnet' : 'cross-subnet'} flow applies`,
        }));
        return { verdict: 'unknown', layer: 'node-mapping', evidence: [e] };
      }
      if ((plan.scope === 'same-subnet-pairs') !== same) return undefined;
    }
    const src = a.endpoints[plan.sourceSlot]!;
    const dst = b.endpoints[plan.destinationSlot]!;
    if (src.kind === 'missing' || dst.kind === 'missing') {
      const evidence: Evidence[] = [];
      if (src.kind === 'missing') {
        evidence.push(this.memoNode(`ep\0${a.index}\0${plan.sourceSlot}`, () => endpointEvidence(missingReason(a.bound.node, a.iface!, plan.source, plan.family, src.why))));
      }
      if (dst.kind === 'missing') {
        evidence.push(this.memoNode(`ep\0${b.index}\0${plan.destinationSlot}`, () => endpointEvidence(missingReason(b.bound.node, b.iface!, plan.destination, plan.family, dst.why))));
      }
      return { verdict: 'unknown', layer: 'node-mapping', evidence };
    }
    const egress = this.securityGroups(a, b, dst, EGRESS, req, plan);
    const ingress = this.securityGroups(b, a, src, INGRESS, req, plan);
    // NOTE: NACLs filter at the subnet boundary only; two interfaces in one subnet never cross one.
    const naclOut = !same && a.iface!.provider === 'aws' ? this.networkAcl(a, b, dst, EGRESS, req, plan) : undefined;
    const naclIn = !same && b.iface!.provider === 'aws' ? this.networkAcl(b, a, src, INGRESS, req, plan) : undefined;
    const evidence = naclOut && naclIn ? [egress, ingress, naclOut, naclIn] : naclOut ? [egress, ingress, naclOut] : naclIn ? [egress, ingress, naclIn] : [egress, ingress];
    return combine(evidence);
  }

  private securityGroups(self: PreparedNode, remoteNode: PreparedNode, remote: EndpointAddress, dir: number, req: PreparedRequirement, plan: FlowPlan): Evidence {
    const iface = self.iface!;
    const direction: Direction = dir === EGRESS ? 'egress' : 'ingress';
    if (iface.portSecurity === 'disabled') return this.memoNode(`ps\0${self.index}\0${dir}`, () => portSecurityDisabledEvidence(iface, direction));
    const head = (req.position * 2 + dir) * this.profileCount + self.profile;
    const sharedKey = head * this.signatureCount + remoteNode.addressSignature;
    const hit = this.shared.get(sharedKey);
    if (hit) return hit;
    const remoteKey = head * this.nodeCount + remoteNode.index;
    if (hit === null) {
      const own = this.perRemote.get(remoteKey);
      if (own) return own;
    }
    const { evidence, namesRemote } = checkSecurityGroups(this.index, {
      groupIds: self.groupIds,
      direction,
      remote,
      remoteLabel: dir === EGRESS ? plan.destinationLabel : plan.sourceLabel,
      traffic: plan.traffic,
      trafficText: plan.trafficText,
    });
    if (!namesRemote) this.shared.set(sharedKey, evidence);
    else {
      this.shared.set(sharedKey, null);
      this.perRemote.set(remoteKey, evidence);
    }
    return evidence;
  }

  private networkAcl(self: PreparedNode, remoteNode: PreparedNode, remote: EndpointAddress, dir: number, req: PreparedRequirement, plan: FlowPlan): Evidence {
    const n = self.subnetNumber;
    const m = remoteNode.subnetNumber;
    const key = (((req.position * 2 + dir) * this.subnetCount + n) * this.subnetCount + m) * this.signatureCount + remoteNode.addressSignature;
    const hit = this.nacl.get(key);
    if (hit) return hit;
    const e = checkNetworkAcl(this.index, {
      check: dir === EGRESS ? 'source-subnet-outbound' : 'destination-subnet-inbound',
      subnetId: self.subnetId,
      otherSubnetId: remoteNode.subnetId,
      remote,
      remoteLabel: dir === EGRESS ? plan.destinationLabel : plan.sourceLabel,
      traffic: plan.traffic,
      trafficText: plan.trafficText,
    });
    this.nacl.set(key, e);
    return e;
  }

  private unbound(a: PreparedNode, b: PreparedNode): CellOutcome {
    const evidence: Evidence[] = [];
    let layer: Layer | undefined;
    for (const n of [a, b]) {
      const binding = n.bound.binding;
      if (binding.kind !== 'unbound') continue;
      const nodeLayer: Layer = binding.cause === 'collection' ? 'collection' : 'node-mapping';
      layer ??= nodeLayer;
      evidence.push(this.memoNode(`unbound\0${n.index}`, () => ({
        layer: nodeLayer,
        check: 'node-mapping',
        decision: 'unknown',
        objectIds: [],
        reason: binding.reason,
      })));
    }
    return { verdict: 'unknown', layer: layer ?? 'node-mapping', evidence };
  }

  private memoNode(key: string, make: () => Evidence): Evidence {
    let e = this.perNode.get(key);
    if (!e) {
      e = make();
      this.perNode.set(key, e);
    }
    return e;
  }
}

function endpointEvidence(reason: string): Evidence {
  return { layer: 'node-mapping', check: 'node-mapping', decision: 'unknown', objectIds: [], reason };
}

/** Blocked beats unknown beats allowed; the first check with the verdict names the layer and side. */
function combine(evidence: Evidence[]): CellOutcome {
  let verdict: Verdict = 'allowed';
  let at = evidence.length - 1;
  for (let i = 0; i < evidence.length; i++) {
    const d = evidence[i]!.decision;
    if (d === 'blocked') {
      verdict = 'blocked';
      at = i;
      break;
    }
    if (d === 'unknown' && verdict === 'allowed') {
      verdict = 'unknown';
      at = i;
    }
  }
  const decided = evidence[at]!;
  if (verdict === 'allowed') return { verdict, layer: decided.layer, evidence };
  return { verdict, layer: decided.layer, direction: sideOf(decided, at), evidence };
}

/** Source-side checks are egress, destination-side ones ingress; forwarding evidence is [source, destination]. */
function sideOf(e: Evidence, position: number): Direction {
  switch (e.check) {
    case 'source-egress':
    case 'source-subnet-outbound':
      return 'egress';
    case 'destination-ingress':
    case 'destination-subnet-inbound':
      return 'ingress';
    default:
      return position === 0 ? 'egress' : 'ingress';
  }
}
