import type { BoundNode, NodeClass } from '../evaluate/types.js';
import type { NetworkInterface } from '../model/cloud.js';
import type { Requirement } from '../model/requirement.js';
import { describeFlow } from '../model/protocol.js';
import { denyingRuleNumber, IMPLICIT_DENY } from './denying-rule.js';
import { shellCommand } from './shell-quote.js';
import { isInterfaceLayer, type FindingGroup } from './finding-groups.js';
import { compareText } from './order.js';
import { cidrContainsCidr, cidrContainsIp, tryParseCidr, type ParsedCidr } from '../model/cidr.js';
import { groupLabel, type CloudLookup } from './cloud-lookup.js';

export function requirementFlow(requirement: Requirement): string {
  return requirement.kind === 'flow'
    ? describeFlow(requirement.protocol, requirement.fromPort, requirement.toPort)
    : requirement.title;
}

/** Members of the classes on one side of a finding, each node once. */
export function sideMembers(group: FindingGroup, side: 'source' | 'destination'): BoundNode[] {
  const seen = new Map<number, NodeClass>();
  for (const c of group.cells) seen.set(c[side].id, c[side]);
  return [...seen.values()].flatMap((c) => c.members);
}

/**
 * One sentence a human can act on: what is missing where, for which addresses,
 * and (where there is one) the exact command that fixes a host-level setting.
 */
export function findingReason(index: CloudLookup, group: FindingGroup): string {
  const flow = requirementFlow(group.requirement);
  const because = trimSentence(group.evidenceReason);
  if (group.verdict === 'unknown') return unknownReason(index, group, flow, because);
  switch (group.layer) {
    case 'security-group':
      return securityGroupReason(index, group, flow);
    case 'network-acl':
      return networkAclReason(index, group, flow);
    case 'source-dest-check':
      return sourceDestCheckReason(index, group);
    case 'allowed-address-pairs':
      return allowedAddressPairsReason(index, group);
    case 'l2-adjacency':
      return `${capitalize(because)}; host-gw routes pod traffic straight to the peer, so every node must sit on one L2 subnet: move the nodes into one subnet or switch flannel to the vxlan backend.`;
    default:
      return `${capitalize(flow)} is blocked at ${group.layer} (${group.target.id}): ${because}.`;
  }
}

function unknownReason(index: CloudLookup, group: FindingGroup, flow: string, because: string): string {
  if (group.check === 'node-mapping') {
    const names = new Set(group.target.id.split(','));
    const unbound = [...sideMembers(group, 'source'), ...sideMembers(group, 'destination')].some(
      (m) => names.has(m.node.name) && m.binding.kind === 'unbound',
    );
    if (unbound) {
      return `${group.target.id} could not be tied to a cloud network interface (${because}), so ${flow} to and from it cannot be checked; supply the interface/port export holding its address or fix its providerID.`;
    }
    return `Cannot tell whether ${flow} is allowed for ${group.target.id}: ${because}.`;
  }
  if (isInterfaceLayer(group.layer)) {
    const ifaces = forwardingInterfaces(index, group);
    const names = nodeNamesByInterface(group);
    const subjects = ifaces.map((i) => `${i.id}${names.get(i.id) ? ` (${names.get(i.id)})` : ''}`);
    // The evaluator read one member of the class; the others hold the same setting by the class key.
    const shared = ifaces.length > 1 ? ', which share the setting' : '';
    return `Cannot tell whether ${flow} is allowed at the ${group.layer} of ${namedList(subjects, 'interfaces')}${shared}: ${because}.`;
  }
  const where = group.layer === 'security-group' ? targetLabel(index, group) : `${group.layer} ${group.target.id}`;
  const direction = group.direction ? ` ${group.direction}` : '';
  return `Cannot tell whether ${flow}${direction} is allowed at ${where}: ${because}.`;
}

/** Remote side of a directional block: sources for ingress, destinations for egress. */
function remoteCidrs(index: CloudLookup, group: FindingGroup, ingress: boolean): string {
  const requirement = group.requirement;
  if (requirement.kind !== 'flow') return 'the peer nodes';
  const endpoint = ingress ? requirement.source : requirement.destination;
  const side = ingress ? 'source' : 'destination';
  const classes = group.cells.map((c) => c[side]);
  const cover = index.coverer.coverClasses(classes, endpoint, requirement.family);
  const vtep = endpoint === 'node-vtep' ? 'vtepIp' : endpoint === 'node-vtep-v6' ? 'vtepIpv6' : undefined;
  if (vtep !== undefined && remoteMemberCount(classes) < index.snapshot.cluster.nodes.length) {
    const blocked = blockedAddresses(classes, vtep);
    // The cover is the rule to add; it is not what is blocked when it also spans node addresses
    // that already get through. Name the blocked addresses then, so the reason stays true.
    if (coverSpansOthers(index, cover.cidrs, blocked, vtep)) return listText([...blocked].sort(compareText), 'the peer nodes');
  }
  return listText(cover.cidrs, 'the peer nodes');
}

/** Members of the distinct classes; when that is every node, no other node can sit in the cover. */
function remoteMemberCount(classes: readonly NodeClass[]): number {
  const seen = new Set<number>();
  let count = 0;
  for (const cls of classes) {
    if (seen.has(cls.id)) continue;
    seen.add(cls.id);
    count += cls.members.length;
  }
  return count;
}

function blockedAddresses(classes: readonly NodeClass[], vtep: 'vtepIp' | 'vtepIpv6'): Set<string> {
  const out = new Set<string>();
  for (const cls of classes) {
    for (const m of cls.members) {
      const ip = m.node[vtep];
      if (ip !== undefined) out.add(ip);
    }
  }
  return out;
}

function coverSpansOthers(index: CloudLookup, cidrs: readonly string[], blocked: ReadonlySet<string>, vtep: 'vtepIp' | 'vtepIpv6'): boolean {
  const parsed = cidrs.map((c) => tryParseCidr(c)).filter((c): c is ParsedCidr => c !== undefined);
  if (parsed.length === 0) return false;
  for (const node of index.snapshot.cluster.nodes) {
    const ip = node[vtep];
    if (ip === undefined || blocked.has(ip)) continue;
    if (parsed.some((c) => cidrContainsIp(c, ip))) return true;
  }
  return false;
}

function securityGroupReason(index: CloudLookup, group: FindingGroup, flow: string): string {
  const ingress = group.direction !== 'egress';
  const remote = remoteCidrs(index, group, ingress);
  const nearest = group.cells[0]?.evidence.nearest?.[0];
  const hint = nearest ? `; ${trimSentence(nearest.mismatch)}` : '';
  if (group.target.id === '(none)') {
    return `The ${ingress ? 'destination' : 'source'} interfaces have no security group, so nothing allows ${flow} ${ingress ? 'from' : 'to'} ${remote}; attach a group that allows it.`;
  }
  return `No ${ingress ? 'ingress' : 'egress'} rule in ${targetLabel(index, group)} allows ${flow} ${ingress ? 'from' : 'to'} ${remote}${hint}.`;
}

function networkAclReason(index: CloudLookup, group: FindingGroup, flow: string): string {
  const ingress = group.direction !== 'egress';
  const aclId = group.target.id;
  const acl = index.acls.get(aclId);
  const evidence = group.cells[0]?.evidence;
  const remote = remoteCidrs(index, group, ingress);
  const way = ingress ? 'inbound' : 'outbound';
  const fromTo = ingress ? 'from' : 'to';
  const number = evidence ? denyingRuleNumber(acl, evidence) : IMPLICIT_DENY;
  if (number >= IMPLICIT_DENY) {
    return `Network ACL ${aclId} has no ${way} entry allowing ${flow} ${fromTo} ${remote}, so its final deny-all entry (*) drops it; add an allow entry.`;
  }
  const cited = evidence?.decidingRule ? ` (${evidence.decidingRule.text})` : '';
  return `Network ACL ${aclId} ${way} entry #${number}${cited} denies ${flow} ${fromTo} ${remote}; add an allow entry numbered below ${number}.`;
}

/** How many interfaces a host-level reason names, and gives a command for, before it counts the rest. */
export const MAX_NAMED_INTERFACES = 20;

function sourceDestCheckReason(index: CloudLookup, group: FindingGroup): string {
  const ifaces = forwardingInterfaces(index, group).filter((i) => i.sourceDestCheck === true);
  if (ifaces.length === 0) return `${capitalize(trimSentence(group.evidenceReason))}.`;
  const names = nodeNamesByInterface(group);
  const subjects = ifaces.map((i) => `${i.instanceId ?? i.id}${names.get(i.id) ? ` (${names.get(i.id)})` : ''}`);
  const commands = ifaces.slice(0, MAX_NAMED_INTERFACES).map((i) =>
    i.instanceId
      ? shellCommand(['aws', 'ec2', 'modify-instance-attribute', '--instance-id', i.instanceId, '--no-source-dest-check'])
      : shellCommand(['aws', 'ec2', 'modify-network-interface-attribute', '--network-interface-id', i.id, '--no-source-dest-check']),
  );
  return `Source/destination check is enabled on ${namedList(subjects, 'interfaces')}, so EC2 drops the pod-addressed packets ${group.requirement.backend} routes through ${ifaces.length === 1 ? 'it' : 'them'}; run ${commandList(commands, ifaces.length)}.`;
}

function allowedAddressPairsReason(index: CloudLookup, group: FindingGroup): string {
  const ifaces = forwardingInterfaces(index, group);
  const podCidrs = podCidrsByInterface(group);
  const fixes = ifaces
    .map((i) => ({ iface: i, missing: uncoveredCidrs(podCidrs.get(i.id) ?? [], i.allowedAddressPairs) }))
    .filter((f) => f.missing.length > 0);
  if (fixes.length === 0) return `${capitalize(trimSentence(group.evidenceReason))}.`;
  const names = nodeNamesByInterface(group);
  const subjects = fixes.map((f) => `port ${f.iface.id}${names.get(f.iface.id) ? ` (${names.get(f.iface.id)})` : ''} lacks ${f.missing.join(', ')}`);
  const commands = fixes.slice(0, MAX_NAMED_INTERFACES).map((f) =>
    shellCommand(['openstack', 'port', 'set', ...f.missing.flatMap((c) => ['--allowed-address', `ip-address=${c}`]), f.iface.id]),
  );
  const shown = subjects.slice(0, MAX_NAMED_INTERFACES).join('; ');
  const more = subjects.length > MAX_NAMED_INTERFACES ? `; ${subjects.length - MAX_NAMED_INTERFACES} more ports lack their own pod CIDRs` : '';
  return `Neutron port security drops pod-addressed packets because ${shown}${more} in allowed_address_pairs; run ${commandList(commands, fixes.length)}.`;
}

/** The pod CIDRs no allowed-address pair contains (a wider pair covers a narrower pod CIDR, as Neutron matches it). */
function uncoveredCidrs(podCidrs: readonly string[], pairs: readonly string[]): string[] {
  const parsed = pairs.map((p) => tryParseCidr(p)).filter((p): p is ParsedCidr => p !== undefined);
  return podCidrs.filter((text) => {
    const pod = tryParseCidr(text);
    return pod === undefined ? !pairs.includes(text) : !parsed.some((p) => cidrContainsCidr(p, pod));
  });
}

/** `a, b and c`, or the first MAX_NAMED_INTERFACES and `and N more <noun>`. */
function namedList(items: string[], noun: string): string {
  if (items.length <= MAX_NAMED_INTERFACES) return listText(items, `no ${noun}`, MAX_NAMED_INTERFACES);
  return `${items.slice(0, MAX_NAMED_INTERFACES).join(', ')} and ${items.length - MAX_NAMED_INTERFACES} more ${noun}`;
}

/** Back-quoted commands joined with `and`; when some were left off, says how many more need the same. */
function commandList(commands: string[], total: number): string {
  const quoted = commands.map((c) => `\`${c}\``);
  const rest = total - commands.length;
  return rest > 0 ? `${quoted.join(', ')}, and the same for the other ${rest}` : listText(quoted, 'nothing', MAX_NAMED_INTERFACES);
}

/** The interfaces the finding is about (its target, by interface or instance id), else every bound member's interface. */
function forwardingInterfaces(index: CloudLookup, group: FindingGroup): NetworkInterface[] {
  const found = new Map<string, NetworkInterface>();
  const ids = group.target.kind === 'network-interface' || group.target.kind === 'network-interfaces' ? group.target.id.split(',') : [];
  for (const id of ids) {
    const direct = index.interfaces.get(id);
    if (direct) found.set(direct.id, direct);
    for (const i of index.interfacesByInstance.get(id) ?? []) found.set(i.id, i);
  }
  if (found.size === 0) {
    for (const m of [...sideMembers(group, 'source'), ...sideMembers(group, 'destination')]) {
      if (m.binding.kind === 'bound') found.set(m.binding.iface.id, m.binding.iface);
    }
  }
  return [...found.values()].sort((a, b) => compareText(a.id, b.id));
}

function nodeNamesByInterface(group: FindingGroup): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of [...sideMembers(group, 'source'), ...sideMembers(group, 'destination')]) {
    if (m.binding.kind === 'bound') names.set(m.binding.iface.id, m.node.name);
  }
  return names;
}

function podCidrsByInterface(group: FindingGroup): Map<string, string[]> {
  const cidrs = new Map<string, string[]>();
  for (const m of [...sideMembers(group, 'source'), ...sideMembers(group, 'destination')]) {
    if (m.binding.kind === 'bound') cidrs.set(m.binding.iface.id, m.node.podCidrs);
  }
  return cidrs;
}

function targetLabel(index: CloudLookup, group: FindingGroup): string {
  if (group.target.kind === 'security-group') return groupLabel(index, group.target.id);
  if (group.target.kind === 'security-groups') {
    return group.target.id.split('+').map((g) => groupLabel(index, g)).join(' or ');
  }
  return group.target.id;
}

/** `a`, `a and b`, `a, b, c and 4 more`. */
export function listText(items: string[], empty: string, max = 3): string {
  if (items.length === 0) return empty;
  if (items.length === 1) return items[0] as string;
  if (items.length <= max) return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

function trimSentence(text: string): string {
  return text.trim().replace(/[.\s]+$/, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
