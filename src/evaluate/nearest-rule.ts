import type { SecurityGroupRule } from '../model/cloud.js';
import type { EndpointAddress } from './endpoints.js';
import { portsCover, protocolMatches, type RequiredTraffic } from './match-protocol-port.js';
import { peerContains, type PeerMissReason } from './peer-membership.js';
import { peerPreposition, peerText, protocolNumberName, requiredPortsText, ruleTrafficText } from './rule-text.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { Evidence } from '../model/evidence.js';

export interface NearestRule {
  entry: NonNullable<Evidence['nearest']>[number];
  /** The mismatch text names the remote address (a peer mismatch). */
  namesRemote: boolean;
}

export const NEAREST_LIMIT = 3;

/**
 * Rules that would have matched but for exactly one dimension (protocol, ports, or
 * remote address), in rule order: the likeliest typo to point a user at.
 */
export function nearestRules(
  index: SnapshotIndex,
  rules: readonly SecurityGroupRule[],
  remote: EndpointAddress,
  traffic: RequiredTraffic,
): NearestRule[] {
  const out: NearestRule[] = [];
  for (const rule of rules) {
    if (out.length >= NEAREST_LIMIT) break;
    const protocolOk = protocolMatches(rule.protocol, traffic.protocol);
    // An ICMP rule's type/code and another protocol's ports are different spaces: only the protocol differs then.
    const portsOk = (!protocolOk && rule.ports.kind === 'icmp') || portsCover(rule.ports, traffic.ports);
    // Two misses already: the peer cannot make this rule a near one, so do not resolve it (a group reference costs a member scan).
    if (!protocolOk && !portsOk) continue;
    const peer = peerContains(index, rule, remote);
    if (peer.kind === 'unknown' || peer.kind === 'partial') continue;
    const misses = (protocolOk ? 0 : 1) + (portsOk ? 0 : 1) + (peer.kind === 'match' ? 0 : 1);
    if (misses !== 1) continue;
    let mismatch: string;
    if (!protocolOk) mismatch = protocolMismatch(rule, traffic);
    else if (!portsOk) mismatch = rule.ports.kind === 'icmp'
      // An ICMP rule names the peer too: `icmp type 3 is allowed from 10.0.0.0/16, type 8 code 0 is not`.
      ? `${allowedPart(rule)}, ${requiredPortsText(traffic)} is not`
      : `${ruleTrafficText(rule.protocol, rule.ports)} is allowed, not ${requiredPortsText(traffic)}`;
    else mismatch = peerMismatch(rule, remote, peer.kind === 'miss' ? peer.why : 'outside');
    out.push({ entry: { rule: index.citeRule(rule), mismatch }, namesRemote: protocolOk && portsOk });
  }
  return out;
}

function allowedPart(rule: SecurityGroupRule): string {
  return `${ruleTrafficText(rule.protocol, rule.ports)} is allowed ${peerPreposition(rule)} ${peerText(rule.peer)}`;
}

function protocolMismatch(rule: SecurityGroupRule, traffic: RequiredTraffic): string {
  if (traffic.protocol === undefined) return `${allowedPart(rule)}, other protocols are not`;
  return `${allowedPart(rule)}, ${protocolNumberName(traffic.protocol)} is not`;
}

function peerMismatch(rule: SecurityGroupRule, remote: EndpointAddress, why: PeerMissReason): string {
  const head = allowedPart(rule);
  switch (why) {
    case 'outside':
      return `${head}, which does not contain ${remote.text}`;
    case 'family':
      return `${head}${rule.family !== undefined ? ` (IPv${rule.family})` : ''}, which is not IPv${remote.family} like ${remote.text}`;
    case 'not-member':
      return `${head}, which do not include ${remote.text}`;
    case 'aws-pod-cidr':
      return `${head}, but AWS matches a group reference only against its members' private IPs, never pod CIDR ${remote.text}`;
    case 'peering-inactive': {
      const status = rule.peer.kind === 'security-group' ? rule.peer.peeringStatus : undefined;
      return `${head}, but that VPC peering is ${status ?? 'not active'}, not active`;
    }
  }
}
