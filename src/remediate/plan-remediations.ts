import type { BoundNode, NodeClass } from '../evaluate/types.js';
import type { Direction, NetworkInterface } from '../model/cloud.js';
import type { FlowEndpoint, FlowRequirement, IcmpMessage } from '../model/requirement.js';
import type { Remediation, RemediationCommands } from '../model/report.js';
import type { FindingGroup, GroupedCell } from '../findings/finding-groups.js';
import type { AuditFindings } from '../findings/find-findings.js';
import { compareIds, compareKeys } from '../findings/order.js';
import type { CloudLookup } from '../findings/cloud-lookup.js';
import { isWholeAddressSpace, tryParseCidr } from '../model/cidr.js';
import { chooseGroups } from './choose-groups.js';
import { commandsFor } from './commands/index.js';
import { chooseRuleNumber, usedRuleNumbers } from './nacl-rule-number.js';
import { denyingRuleNumber } from '../findings/denying-rule.js';
import { PROTO_TCP } from '../model/protocol.js';
import { ReferenceReach, ReferenceReachCache, sharedReferenceGroups } from './reference-alternative.js';
import type { ClassesCover } from '../findings/remote-cover.js';
import type { SecurityGroupRuleSpec } from './rule-spec.js';

type Draft = Omit<Remediation, 'id'> & { order: (string | number)[] };

/**
 * The rules that unblock the blocked findings: security-group rules (one chosen group per
 * blocked interface set, one rule per CIDR) and network-ACL allow entries. Host-level
 * blocks (source/dest check, allowed-address-pairs, L2 adjacency) are fixed by the command
 * in their finding's reason, and unknown findings get nothing: there is nothing proven to fix.
 */
export function planRemediations(found: AuditFindings): Remediation[] {
  const index = found.lookup;
  const groups = found.groups.filter((g) => g.verdict === 'blocked' && g.requirement.kind === 'flow');
  const drafts: Draft[] = [];
  for (const [, batch] of batches(groups.filter((g) => g.layer === 'security-group'), (g) => [g.requirement.id, g.direction ?? 'ingress'])) {
    drafts.push(...planSecurityGroupRules(index, batch));
  }
  // Rule numbers taken so far per ACL direction, shared by every requirement's entries.
  const usedNumbers = new Map<string, Set<number>>();
  for (const [, batch] of batches(groups.filter((g) => g.layer === 'network-acl'), (g) => [g.target.id, g.direction ?? 'ingress', g.requirement.id])) {
    drafts.push(...planNetworkAclEntries(index, batch, usedNumbers));
  }
  drafts.sort((a, b) => compareKeys(a.order, b.order));
  return drafts.map(({ order: _order, ...rest }, i) => ({ id: `R${i + 1}`, ...rest }));
}

function batches(groups: FindingGroup[], key: (g: FindingGroup) => string[]): Map<string, FindingGroup[]> {
  const out = new Map<string, FindingGroup[]>();
  for (const g of groups) {
    const k = JSON.stringify(key(g));
    out.set(k, [...(out.get(k) ?? []), g]);
  }
  return out;
}

/** The side whose rules must change (destination for ingress) and the side the rule names. */
function sides(direction: Direction): { local: 'source' | 'destination'; remote: 'source' | 'destination' } {
  return direction === 'egress' ? { local: 'source', remote: 'destination' } : { local: 'destination', remote: 'source' };
}

function flowOf(group: FindingGroup): FlowRequirement {
  if (group.requirement.kind !== 'flow') throw new Error(`finding ${group.id} is not a flow`);
  return group.requirement;
}

function remoteEndpoint(requirement: FlowRequirement, direction: Direction): FlowEndpoint {
  return direction === 'egress' ? requirement.destination : requirement.source;
}

/** The distinct classes on one side of the groups' cells, in first-seen order; optionally only cells whose other side passes `keep`. */
function classesOn(groups: readonly FindingGroup[], side: 'source' | 'destination', keep?: (other: NodeClass) => boolean): NodeClass[] {
  const other = side === 'source' ? 'destination' : 'source';
  const seen = new Map<number, NodeClass>();
  for (const g of groups) {
    const cells = g.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      const cls = cell[side];
      if (!seen.has(cls.id) && (!keep || keep(cell[other]))) seen.set(cls.id, cls);
    }
  }
  return [...seen.values()];
}

/**
 * Directed pairs each CIDR rule unblocks, per finding: for every cell, the remote members
 * inside the CIDR times the local members the rule's group covers, minus self pairs.
 * Members are counted once per class, whatever the number of cells and CIDRs; a cell
 * whose local class has no member the rule covers adds nothing.
 */
function pairsByCidr(groups: readonly FindingGroup[], direction: Direction, cover: ClassesCover, localIn: (n: BoundNode) => boolean): Map<string, Map<string, number>> {
  const { local, remote } = sides(direction);
  const localCounts = new Map<NodeClass, number>();
  const localCount = (cls: NodeClass): number => {
    let l = localCounts.get(cls);
    if (l === undefined) {
      l = 0;
      for (const m of cls.members) if (localIn(m)) l += 1;
      localCounts.set(cls, l);
    }
    return l;
  };
  // Per class: remote members per CIDR from the cover; self pairs only for a class on both sides.
  const selfCounts = new Map<NodeClass, Map<string, number>>();
  const selfCount = (cls: NodeClass): Map<string, number> => {
    let counts = selfCounts.get(cls);
    if (!counts) {
      counts = new Map();
      const cidrs = cover.memberCidrs(cls);
      cls.members.forEach((m, i) => {
        const cidr = cidrs[i];
        if (cidr !== undefined && localIn(m)) counts!.set(cidr, (counts!.get(cidr) ?? 0) + 1);
      });
      selfCounts.set(cls, counts);
    }
    return counts;
  };
  const out = new Map<string, Map<string, number>>();
  for (const group of groups) {
    const cells = group.cells;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]!;
      const l = localCount(cell[local]);
      if (l === 0) continue;
      const same = cell.source.id === cell.destination.id;
      const self = same ? selfCount(cell[remote]) : undefined;
      const counts = cover.countsOf(cell[remote]);
      for (let k = 0; k < counts.length; k++) {
        const { cidr, count } = counts[k]!;
        const n = count * l - (self?.get(cidr) ?? 0);
        if (n <= 0) continue;
        let perFinding = out.get(cidr);
        if (!perFinding) {
          perFinding = new Map<string, number>();
          out.set(cidr, perFinding);
        }
        perFinding.set(group.id, (perFinding.get(group.id) ?? 0) + n);
      }
    }
  }
  return out;
}

/** Each class once, in first-seen order. */
function distinctClasses(classes: Iterable<NodeClass>): NodeClass[] {
  const seen = new Map<number, NodeClass>();
  for (const c of classes) if (!seen.has(c.id)) seen.set(c.id, c);
  return [...seen.values()];
}

/** AWS's default quota of rules per security group and direction. */
const AWS_RULES_PER_GROUP = 60;

function uniqueMembers(classes: NodeClass[]): BoundNode[] {
  const seen = new Map<string, BoundNode>();
  for (const c of distinctClasses(classes)) for (const m of c.members) seen.set(m.node.name, m);
  return [...seen.values()];
}

/** Whether no node name occurs twice among the classes' members. */
function namesAreDistinct(classes: NodeClass[]): boolean {
  const names = new Set<string>();
  let count = 0;
  for (const c of classes) {
    for (const m of c.members) names.add(m.node.name);
    count += c.members.length;
  }
  return names.size === count;
}

function assertNotWholeSpace(cidr: string): void {
  const parsed = tryParseCidr(cidr);
  if (!parsed || isWholeAddressSpace(parsed)) throw new Error(`refusing to propose a rule for ${cidr}: sgaudit never opens a whole address space`);
}

function minFindingIndex(ids: string[]): number {
  return Math.min(...ids.map((id) => Number(id.replace(/^\D+/, ''))));
}

function planSecurityGroupRules(index: CloudLookup, groups: FindingGroup[]): Draft[] {
  const first = groups[0];
  if (!first) return [];
  const requirement = flowOf(first);
  const direction: Direction = first.direction ?? 'ingress';
  const { local, remote } = sides(direction);

  const localIfaces = new Map<string, NetworkInterface>();
  for (const cls of classesOn(groups, local)) {
    for (const m of cls.members) if (m.binding.kind === 'bound') localIfaces.set(m.binding.iface.id, m.binding.iface);
  }
  const assignment = chooseGroups([...localIfaces.values()]);
  const ifaceOf = (n: BoundNode): string | undefined => (n.binding.kind === 'bound' ? n.binding.iface.id : undefined);
  const chosenGroups = [...new Set(assignment.values())].sort();
  const endpoint = remoteEndpoint(requirement, direction);
  const reaches = new ReferenceReachCache(endpoint, requirement.family);
  // Remote nodes are counted once per name; with distinct names that is once per class member,
  // so a class's reach can be worked out once and shared by every chosen group.
  const distinctNames = namesAreDistinct(classesOn(groups, remote));

  const drafts: Draft[] = [];
  for (const groupId of chosenGroups) {
    const assigned = (n: BoundNode): boolean => {
      const id = ifaceOf(n);
      return id !== undefined && assignment.get(id) === groupId;
    };
    const hasAssigned = new Map<NodeClass, boolean>();
    const covered = (cls: NodeClass): boolean => {
      let yes = hasAssigned.get(cls);
      if (yes === undefined) {
        yes = cls.members.some(assigned);
        hasAssigned.set(cls, yes);
      }
      return yes;
    };
    // The remote classes of the cells whose blocked interfaces get this group's rule.
    const remoteClasses = classesOn(groups, remote, covered);
    const remoteReach = distinctNames
      ? remoteClasses.map((c) => reaches.ofClass(c))
      : [new ReferenceReach(uniqueMembers(remoteClasses), endpoint, requirement.family)];
    const cover = index.coverer.coverClasses(remoteClasses, endpoint, requirement.family);
    const sg = index.groups.get(groupId);
    const provider = sg?.provider ?? localIfaces.values().next().value?.provider ?? 'aws';
    const alternative = referenceAlternative(index, requirement, direction, groupId, remoteReach, provider);
    const sharedNotes = [...cover.notes, ...choiceNotes(groupId, direction, [...localIfaces.values()].filter((i) => assignment.get(i.id) === groupId))];
    if (sg && !sg.stateful) sharedNotes.push(`${groupId} is stateless: replies need their own rule in the opposite direction.`);
    if (alternative && cover.cidrs.length > 1) {
      sharedNotes.push(`The security-group-reference alternative replaces all ${cover.cidrs.length} CIDR rules for ${groupId}.`);
    }
    if (provider === 'aws' && cover.cidrs.length > AWS_RULES_PER_GROUP) {
      sharedNotes.push(`${cover.cidrs.length} CIDR rules exceed AWS's default quota of ${AWS_RULES_PER_GROUP} ${direction} rules per security group; export the subnets (describe-subnets) so addresses group by subnet, or use a group reference.`);
    }
    const byCidr = pairsByCidr(groups, direction, cover, assigned);

    cover.cidrs.forEach((cidr, position) => {
      assertNotWholeSpace(cidr);
      const perGroup = byCidr.get(cidr);
      if (!perGroup) return;
      const findingIds = [...perGroup.keys()].sort(compareIds);
      const spec: SecurityGroupRuleSpec = {
        kind: 'security-group', provider, groupId, direction, protocol: requirement.protocol,
        ...matchFields(requirement), family: requirement.family, peer: { kind: 'cidr', cidr }, requirementId: requirement.id,
      };
      drafts.push({
        provider,
        target: { kind: 'security-group', id: groupId, ...(sg?.name ? { name: sg.name } : {}) },
        direction,
        ...protocolFields(requirement),
        family: requirement.family,
        cidr,
        requirement: requirement.id,
        findingIds,
        pairCount: [...perGroup.values()].reduce((a, b) => a + b, 0),
        commands: commandsFor(spec),
        ...(alternative ? { alternative } : {}),
        notes: [...sharedNotes, ...(cover.cidrNotes.get(cidr) ?? [])],
        order: [minFindingIndex(findingIds), 0, groupId, direction, position],
      });
    });
  }
  return drafts;
}

function ports(r: FlowRequirement): { fromPort?: number; toPort?: number } {
  return { ...(r.fromPort !== undefined ? { fromPort: r.fromPort } : {}), ...(r.toPort !== undefined ? { toPort: r.toPort } : {}) };
}

/** What a proposed rule must match beyond the protocol: the ports, or the one ICMP message. */
function matchFields(r: FlowRequirement): { fromPort?: number; toPort?: number; icmp?: IcmpMessage } {
  return { ...ports(r), ...(r.icmp !== undefined ? { icmp: r.icmp } : {}) };
}

/** The reply a stateless NACL must pass back for an ICMP request (RFC 792 / RFC 4443): echo 8 -> 0, 128 -> 129. */
const ICMP_REPLY: ReadonlyMap<string, number> = new Map([['1/8', 0], ['58/128', 129]]);

function protocolFields(r: FlowRequirement): Pick<Remediation, 'protocol' | 'protocolNumber' | 'fromPort' | 'toPort' | 'icmpType'> {
  return {
    protocol: r.protocol.name,
    ...(r.protocol.number !== undefined ? { protocolNumber: r.protocol.number } : {}),
    ...ports(r),
    // The proposed rule admits this message type with every code, as its commands do.
    ...(r.icmp !== undefined ? { icmpType: r.icmp.type } : {}),
  };
}

function choiceNotes(groupId: string, direction: Direction, ifaces: NetworkInterface[]): string[] {
  if (!ifaces.some((i) => i.securityGroupIds.length > 1)) return [];
  const side = direction === 'ingress' ? 'destination' : 'source';
  return [`${groupId} is attached to all ${ifaces.length} blocked ${side} interface${ifaces.length === 1 ? '' : 's'} this rule covers; any of their groups would work.`];
}

/**
 * A rule naming a security group instead of CIDRs, when every remote interface carries
 * one group and the flow uses addresses such a reference matches: the interface's own
 * private IPs (AWS) or fixed IPs and allowed address pairs (Neutron). Pod addresses and
 * public/NAT VTEPs never match a group reference.
 */
function referenceAlternative(
  index: CloudLookup,
  requirement: FlowRequirement,
  direction: Direction,
  groupId: string,
  remote: ReferenceReach[],
  provider: 'aws' | 'openstack',
): Remediation['alternative'] {
  if (remoteEndpoint(requirement, direction) === 'pod-cidr') return undefined;
  const shared = sharedReferenceGroups(remote, provider);
  if (shared === undefined || shared.length === 0) return undefined;
  const referenced = shared.includes(groupId) ? groupId : (shared[0] as string);
  const a = index.groups.get(groupId)?.vpcId;
  const b = index.groups.get(referenced)?.vpcId;
  if (provider === 'aws' && a !== undefined && b !== undefined && a !== b) return undefined;
  const commands: RemediationCommands = commandsFor({
    kind: 'security-group', provider, groupId, direction, protocol: requirement.protocol, ...matchFields(requirement),
    family: requirement.family, peer: { kind: 'security-group', groupId: referenced }, requirementId: requirement.id,
  });
  return { kind: 'security-group-reference', groupId: referenced, commands };
}

function planNetworkAclEntries(index: CloudLookup, groups: FindingGroup[], usedNumbers: Map<string, Set<number>>): Draft[] {
  const first = groups[0];
  if (!first) return [];
  const acl = index.acls.get(first.target.id);
  // Without the ACL's entries no free rule number can be chosen; the finding still names the ACL.
  if (!acl) return [];
  const requirement = flowOf(first);
  const direction: Direction = first.direction ?? 'ingress';
  const { remote } = sides(direction);
  // Cells share evidence objects; a loop, since cells can outnumber the arguments a spread may pass.
  let denying = Infinity;
  const seen = new Set<GroupedCell['evidence']>();
  for (const g of groups) {
    for (const cell of g.cells) {
      if (seen.has(cell.evidence)) continue;
      seen.add(cell.evidence);
      denying = Math.min(denying, denyingRuleNumber(acl, cell.evidence));
    }
  }
  const cover = index.coverer.coverClasses(classesOn(groups, remote), remoteEndpoint(requirement, direction), requirement.family);
  const usedKey = `${acl.id}/${direction}`;
  const used = usedNumbers.get(usedKey) ?? usedRuleNumbers(acl, direction);
  usedNumbers.set(usedKey, used);
  const notes = [...cover.notes];
  if (acl.isDefault) notes.push(`${acl.id} is the VPC's default network ACL: the entry applies to every subnet associated with it.`);
  if (requirement.protocol.number === PROTO_TCP) {
    notes.push('Network ACLs are stateless: the replies (tcp ephemeral ports 1024-65535) need an allow entry in the opposite direction.');
  }
  const reply = requirement.icmp !== undefined ? ICMP_REPLY.get(`${requirement.protocol.number}/${requirement.icmp.type}`) : undefined;
  if (reply !== undefined) {
    notes.push(`Network ACLs are stateless: the replies (${requirement.protocol.name} type ${reply}, echo reply) need an allow entry in the opposite direction.`);
  }

  const byCidr = pairsByCidr(groups, direction, cover, () => true);
  const drafts: Draft[] = [];
  cover.cidrs.forEach((cidr, position) => {
    assertNotWholeSpace(cidr);
    const perGroup = byCidr.get(cidr);
    if (!perGroup) return;
    const ruleNumber = chooseRuleNumber(used, denying);
    if (ruleNumber === undefined) return;
    used.add(ruleNumber);
    const findingIds = [...perGroup.keys()].sort(compareIds);
    drafts.push({
      provider: 'aws',
      target: { kind: 'network-acl', id: acl.id },
      direction,
      ...protocolFields(requirement),
      family: requirement.family,
      cidr,
      ruleNumber,
      requirement: requirement.id,
      findingIds,
      pairCount: [...perGroup.values()].reduce((a, b) => a + b, 0),
      commands: commandsFor({
        kind: 'network-acl', aclId: acl.id, direction, ruleNumber, protocol: requirement.protocol, ...matchFields(requirement),
        family: requirement.family, cidr, requirementId: requirement.id,
      }),
      notes: [...notes, ...(cover.cidrNotes.get(cidr) ?? [])],
      order: [minFindingIndex(findingIds), 1, acl.id, direction, position],
    });
  });
  return drafts;
}
