import type { Direction, NetworkAcl, NetworkAclEntry } from '../model/cloud.js';
import { cidrContainsCidr } from '../model/cidr.js';
import type { EndpointAddress } from './endpoints.js';
import { intersectsAny, portInterval, subtractInterval, type PortInterval, type RequiredTraffic } from './match-protocol-port.js';
import { citeNetworkAclEntry } from './rule-text.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { Evidence, Verdict } from '../model/evidence.js';

export interface NetworkAclCheck {
  check: 'source-subnet-outbound' | 'destination-subnet-inbound';
  /** Subnet of the interface on this side; undefined when unknown. */
  subnetId: string | undefined;
  /** Subnet on the other side, for messages. */
  otherSubnetId: string | undefined;
  remote: EndpointAddress;
  remoteLabel: string;
  traffic: RequiredTraffic;
  trafficText: string;
}

/**
 * NOTE: callers run this only when the two interfaces are in different subnets (or it
 * is unknown whether they are): a NACL filters traffic crossing its subnet's boundary,
 * not traffic between two interfaces inside the subnet.
 */
export function checkNetworkAcl(index: SnapshotIndex, input: NetworkAclCheck): Evidence {
  const direction: Direction = input.check === 'source-subnet-outbound' ? 'egress' : 'ingress';
  const side = direction === 'egress' ? 'source' : 'destination';
  const unknown = (reason: string, objectIds: string[] = []): Evidence => ({
    layer: 'network-acl',
    check: input.check,
    decision: 'unknown',
    objectIds,
    reason,
  });
  if (input.subnetId === undefined || input.otherSubnetId === undefined) {
    const which = input.subnetId === undefined ? side : side === 'source' ? 'destination' : 'source';
    return unknown(`the subnet of the ${which} interface is unknown, so it cannot be told whether network ACLs apply`);
  }
  const between = `between ${input.subnetId} and ${input.otherSubnetId}`;
  const kindFailure = index.unavailableKind('network-acl');
  if (!index.isProvided('network-acl')) {
    const failure = index.unavailableForSubnet('network-acl', input.subnetId) ?? kindFailure;
    if (failure) return unknown(`the network ACL of ${input.subnetId} could not be read (${failure.reason}); NACLs apply ${between}`);
    return unknown(`no network ACL export given; NACLs apply ${between}`);
  }
  const acls = index.networkAclsOf(input.subnetId);
  if (acls.length === 0) {
    const failure = index.unavailableForSubnet('network-acl', input.subnetId) ?? kindFailure;
    if (failure) return unknown(`the network ACL of ${input.subnetId} could not be read: ${failure.reason}`);
    return unknown(`no network ACL in the inputs is associated with ${input.subnetId} (every subnet has one); it applies ${between}`);
  }
  if (acls.length > 1) {
    const ids = acls.map((a) => a.id).sort();
    return unknown(`${input.subnetId} is associated with several network ACLs in the inputs (${ids.join(', ')})`, ids);
  }
  const acl = acls[0]!;
  const failure = index.unavailableExactly('network-acl', acl.id);
  if (failure) return unknown(`${acl.id} could not be read: ${failure.reason}`, [acl.id]);
  return firstMatch(index, acl, direction, input, between);
}

/**
 * AWS order: lowest rule number first, the first entry matching a packet decides.
 * The required traffic is a set (protocols x ports), so an allow may settle only part
 * of it; evaluation goes on for the rest, and any deny reached while part of the set is
 * still open blocks the flow for that part.
 */
function firstMatch(index: SnapshotIndex, acl: NetworkAcl, direction: Direction, input: NetworkAclCheck, between: string): Evidence {
  const { remote, traffic } = input;
  const prep = direction === 'egress' ? 'to' : 'from';
  const what = `${input.trafficText} ${prep} ${input.remoteLabel}`;
  const notes = [`network ACLs filter at the subnet boundary, and this flow crosses it (${between})`];
  // Keys in the order reports show them; written out because spreading a shared base is slow.
  const evidence = (decision: Verdict, reason: string, entry?: NetworkAclEntry): Evidence =>
    entry
      ? { layer: 'network-acl', check: input.check, objectIds: [acl.id], notes, decision, decidingRule: citeNetworkAclEntry(acl, entry), reason }
      : { layer: 'network-acl', check: input.check, objectIds: [acl.id], notes, decision, reason };
  // Open ports of the required protocol; for an every-protocol requirement, of every protocol not yet named by an entry.
  let rest: PortInterval[] = [traffic.ports];
  const named = new Map<number, PortInterval[]>();
  let partlyAllowed: NetworkAclEntry | undefined;

  for (const { entry, cidr } of index.aclEntries(acl, direction)) {
    if (!cidr || cidr.family !== remote.family) continue;
    const contains = cidrContainsCidr(cidr, remote.parsed);
    if (!contains && !(remote.kind === 'cidr' && cidrContainsCidr(remote.parsed, cidr))) continue;
    const ports = portInterval(entry.ports);
    let touched: PortInterval[][];
    if (entry.protocol.kind === 'any') touched = [rest, ...named.values()];
    else if (traffic.protocol !== undefined) {
      if (entry.protocol.number !== traffic.protocol) continue;
      touched = [rest];
    } else {
      const q = entry.protocol.number;
      if (!named.has(q)) named.set(q, rest);
      touched = [named.get(q)!];
    }
    if (!touched.some((open) => intersectsAny(open, ports))) continue;
    if (entry.action === 'deny') {
      return evidence('blocked', `${acl.id} ${direction} entry #${entry.ruleNumber} denies ${what}`, entry);
    }
    if (!contains) {
      // A pod CIDR partly inside an allow entry: the rest of the block still falls through.
      partlyAllowed ??= entry;
      continue;
    }
    if (entry.protocol.kind === 'any') {
      rest = subtractInterval(rest, ports);
      for (const [q, open] of named) named.set(q, subtractInterval(open, ports));
    } else if (traffic.protocol !== undefined) {
      rest = subtractInterval(rest, ports);
    } else {
      named.set(entry.protocol.number, subtractInterval(named.get(entry.protocol.number)!, ports));
    }
    if (rest.length === 0 && [...named.values()].every((open) => open.length === 0)) {
      return evidence('allowed', `${acl.id} ${direction} entry #${entry.ruleNumber} allows ${what}`, entry);
    }
  }
  if (partlyAllowed) {
    return evidence(
      'unknown',
      `${acl.id} ${direction} entry #${partlyAllowed.ruleNumber} allows only part of ${input.remoteLabel} and no single entry covers the rest (partial blocks are not added up)`,
      partlyAllowed,
    );
  }
  return evidence('blocked', `no ${direction} entry of ${acl.id} allows ${what}, so the implicit deny (*) drops it`);
}
