import type { Direction, NetworkInterface, SecurityGroupRule } from '../model/cloud.js';
import type { EndpointAddress } from './endpoints.js';
import {
  driverDependentMatch,
  portInterval,
  portsCover,
  portsOverlap,
  protocolMatches,
  subtractInterval,
  type PortInterval,
  type RequiredTraffic,
} from './match-protocol-port.js';
import { nearestRules } from './nearest-rule.js';
import { peerContains } from './peer-membership.js';
import { driverDependentCause } from './rule-text.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { Evidence } from '../model/evidence.js';

export interface SecurityGroupResult {
  evidence: Evidence;
  /**
   * True when the evidence names the remote address (a nearest-rule hint about the peer),
   * so it must not be reused for another remote with the same address signature.
   */
  namesRemote: boolean;
}

export interface SecurityGroupCheck {
  /** Sorted ids of the groups on the interface being checked. */
  groupIds: readonly string[];
  direction: Direction;
  /** The other end of the flow: the destination for egress, the source for ingress. */
  remote: EndpointAddress;
  /** `the destination VTEP address`: reasons never name a node, so one reason fits a class. */
  remoteLabel: string;
  traffic: RequiredTraffic;
  trafficText: string;
}

/**
 * One side of a flow against the union of the interface's groups. Groups only allow,
 * so the flow passes when some known rule (or several together, for a port range)
 * covers it; a group that could not be read can only turn a miss into `unknown`.
 */
export function checkSecurityGroups(index: SnapshotIndex, input: SecurityGroupCheck): SecurityGroupResult {
  const { groupIds, direction, remote, traffic } = input;
  const check = direction === 'egress' ? 'source-egress' : 'destination-ingress';
  const prep = direction === 'egress' ? 'to' : 'from';
  const what = `${direction} ${input.trafficText} ${prep} ${input.remoteLabel}`;
  const unknownCauses: string[] = [];
  const stateless: string[] = [];
  const rules: SecurityGroupRule[] = [];
  for (const id of groupIds) {
    const group = index.groups.get(id);
    const failure = index.unavailableExactly('security-group', id) ?? (group ? undefined : index.unavailable('security-group', id));
    if (failure) unknownCauses.push(`${id} could not be read: ${failure.reason}`);
    else if (!group) unknownCauses.push(`${id} is attached but missing from the inputs`);
    if (!group) continue;
    if (!group.stateful) stateless.push(id);
    for (const rule of index.groupRules(group, direction)) rules.push(rule);
  }
  const notes = stateless.length > 0 ? [statelessNote(stateless)] : undefined;
  // NOTE: evidence literals are written out, keys in the order reports show them: spreading a
  // shared base into each one was the main cost of this check.
  const objectIds = [...groupIds];

  let remaining: PortInterval[] = [traffic.ports];
  const contributors: SecurityGroupRule[] = [];
  const partial: SecurityGroupRule[] = [];
  // Rules that would allow the flow under one firewall driver and not under another.
  const byDriver: SecurityGroupRule[] = [];
  for (const rule of rules) {
    if (rule.protocolByDriver !== undefined && driverDependentMatch(rule, traffic.protocol)) {
      if (!portsCover(rule.ports, traffic.ports)) continue;
      const peer = peerContains(index, rule, remote);
      if (peer.kind === 'match') byDriver.push(rule);
      else if (peer.kind === 'unknown') unknownCauses.push(peer.reason);
      continue;
    }
    if (!protocolMatches(rule.protocol, traffic.protocol) || !portsOverlap(rule.ports, traffic.ports)) continue;
    const peer = peerContains(index, rule, remote);
    if (peer.kind === 'match') {
      if (portsCover(rule.ports, traffic.ports)) {
        const reason = `${what} is allowed by ${rule.groupId} rule ${rule.id}`;
        const evidence: Evidence = { layer: 'security-group', check, objectIds, decision: 'allowed', decidingRule: index.citeRule(rule), reason };
        return { evidence: withNotes(evidence, notes), namesRemote: false };
      }
      contributors.push(rule);
      remaining = subtractInterval(remaining, portInterval(rule.ports));
      if (remaining.length === 0) {
        const evidence: Evidence = {
          layer: 'security-group',
          check,
          objectIds,
          decision: 'allowed',
          decidingRule: index.citeRule(contributors[0]!),
          reason: `${what} is allowed by rules ${contributors.map((r) => `${r.groupId}/${r.id}`).join(', ')} together`,
        };
        return { evidence: withNotes(evidence, notes), namesRemote: false };
      }
    } else if (peer.kind === 'partial') {
      partial.push(rule);
    } else if (peer.kind === 'unknown') {
      unknownCauses.push(peer.reason);
    }
  }

  const nearest = nearestRules(index, rules, remote, traffic);
  const where = groupIds.length > 0 ? `in ${groupIds.join(', ')}` : 'at all (the interface has no security groups)';
  let evidence: Evidence;
  if (unknownCauses.length > 0 || partial.length > 0 || byDriver.length > 0) {
    const causes = [...new Set(unknownCauses)];
    for (const rule of byDriver) causes.push(driverDependentCause(rule, traffic.protocol!));
    if (partial.length > 0) {
      causes.push(`${input.remoteLabel} is only partly covered by ${partial.map((r) => `${r.groupId}/${r.id}`).join(', ')} (partial blocks are not added up)`);
    }
    evidence = { layer: 'security-group', check, objectIds, decision: 'unknown', reason: `no known ${direction} rule ${where} allows ${input.trafficText} ${prep} ${input.remoteLabel}; ${causes.join('; ')}` };
  } else {
    evidence = { layer: 'security-group', check, objectIds, decision: 'blocked', reason: `no ${direction} rule ${where} allows ${input.trafficText} ${prep} ${input.remoteLabel}` };
  }
  if (nearest.length > 0) evidence.nearest = nearest.map((n) => n.entry);
  return { evidence: withNotes(evidence, notes), namesRemote: nearest.some((n) => n.namesRemote) };
}

/** Neutron `port_security_enabled: false`: no rules are applied on this side at all. */
export function portSecurityDisabledEvidence(iface: NetworkInterface, direction: Direction): Evidence {
  return {
    layer: 'port-security',
    check: direction === 'egress' ? 'source-egress' : 'destination-ingress',
    decision: 'allowed',
    objectIds: [iface.id],
    reason: `port security is disabled on ${iface.id}, so Neutron applies no security group rules to its ${direction} traffic`,
  };
}

function statelessNote(ids: string[]): string {
  return `${ids.join(', ')} ${ids.length === 1 ? 'is' : 'are'} stateless: Neutron checks each direction on its own, and each VXLAN direction is a new one-way flow to the peer's port, so the same egress and ingress checks apply`;
}

function withNotes(e: Evidence, notes: string[] | undefined): Evidence {
  if (notes) e.notes = notes;
  return e;
}
