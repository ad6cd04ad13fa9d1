import type { Direction, Peer, SecurityGroup, SecurityGroupRule } from '../../src/model/cloud.js';
import type { IssueCollector } from '../../src/model/issues.js';
import { parseProtocol, securityGroupPorts } from './translate-protocol.js';
import {
  asObject,
  child,
  fail,
  optArray,
  optString,
  presentArray,
  reqBool,
  reqCidr,
  reqString,
  sourceRef,
  type At,
  type JsonObject,
} from './translate-read.js';
import { cidrFamily, withoutUndefined } from './translate-util.js';
import { AwsWarningCode } from './translate-warnings.js';

/**
 * One `SecurityGroups[i]` entry of describe-security-groups, inline permissions included;
 * undefined when a permission was bad (its problems are then recorded in `issues`).
 */
export function parseSecurityGroup(value: unknown, where: At, issues: IssueCollector): SecurityGroup | undefined {
  const obj = asObject(value, where, 'a security group');
  const id = reqString(obj, 'GroupId', where);
  // Each permission is checked even after a bad one, so one run reports them all.
  const problemsBefore = issues.problems.length;
  const rules = [
    ...inlineRules(id, 'ingress', obj, 'IpPermissions', where, issues),
    ...inlineRules(id, 'egress', obj, 'IpPermissionsEgress', where, issues),
  ];
  if (issues.problems.length > problemsBefore) return undefined;
  return withoutUndefined({
    provider: 'aws' as const,
    id,
    name: optString(obj, 'GroupName', where),
    // EC2 security groups have no stateless mode.
    stateful: true,
    vpcId: optString(obj, 'VpcId', where),
    rules,
    source: sourceRef(where),
  });
}

/**
 * An `IpPermission` bundles one protocol/port selection with lists of sources. The model
 * has one rule per (permission × source) so that evidence can name the exact source entry;
 * the synthesized id `sg-…/ingress/<permission>/<list>/<entry>` is stable for a given export.
 */
function inlineRules(
  groupId: string,
  direction: Direction,
  group: JsonObject,
  key: string,
  groupAt: At,
  issues: IssueCollector,
): SecurityGroupRule[] {
  const listAt = child(groupAt, key);
  return presentArray(group, key, groupAt).flatMap(
    (perm, i) => issues.absorb(() => permissionRules(groupId, direction, perm, child(listAt, i), i, issues)) ?? [],
  );
}

function permissionRules(
  groupId: string,
  direction: Direction,
  permValue: unknown,
  permAt: At,
  i: number,
  issues: IssueCollector,
): SecurityGroupRule[] {
  const perm = asObject(permValue, permAt, 'an IpPermission');
  const protocol = parseProtocol(perm['IpProtocol'], child(permAt, 'IpProtocol'));
  const ports = securityGroupPorts(protocol, perm, permAt, issues);
  const rules: SecurityGroupRule[] = [];
  for (const [sourceKey, readPeer] of PERMISSION_SOURCES) {
    const entries = optArray(perm, sourceKey, permAt);
    const entriesAt = child(permAt, sourceKey);
    for (let j = 0; j < entries.length; j++) {
      const entryAt = child(entriesAt, j);
      const entry = asObject(entries[j], entryAt, `a ${sourceKey} entry`);
      rules.push(
        withoutUndefined({
          id: `${groupId}/${direction}/${i}/${sourceKey}/${j}`,
          groupId,
          direction,
          protocol,
          ports,
          peer: readPeer(entry, entryAt),
          description: optString(entry, 'Description', entryAt),
          source: sourceRef(entryAt),
        }),
      );
    }
  }
  if (rules.length === 0) {
    issues.warn(
      AwsWarningCode.permissionWithoutSources,
      'permission lists no IpRanges, Ipv6Ranges, PrefixListIds or UserIdGroupPairs; it allows nothing',
      permAt,
    );
  }
  return rules;
}

const PERMISSION_SOURCES: ReadonlyArray<[string, (entry: JsonObject, where: At) => Peer]> = [
  ['IpRanges', (e, w) => ({ kind: 'cidr', cidr: familyCidr(e, 'CidrIp', 4, w) })],
  ['Ipv6Ranges', (e, w) => ({ kind: 'cidr', cidr: familyCidr(e, 'CidrIpv6', 6, w) })],
  ['PrefixListIds', (e, w) => ({ kind: 'prefix-list', prefixListId: reqString(e, 'PrefixListId', w) })],
  ['UserIdGroupPairs', (e, w) => groupPeer(e, w)],
];

function familyCidr(obj: JsonObject, key: string, family: 4 | 6, where: At): string {
  const cidr = reqCidr(obj, key, where);
  if (cidrFamily(cidr) !== family) fail(child(where, key), `"${key}" must be an IPv${family} CIDR`, obj[key]);
  return cidr;
}

/** `UserIdGroupPairs[j]` and `ReferencedGroupInfo` share this shape. */
function groupPeer(obj: JsonObject, where: At): Peer {
  return withoutUndefined({
    kind: 'security-group' as const,
    groupId: reqString(obj, 'GroupId', where),
    ownerId: optString(obj, 'UserId', where),
    vpcId: optString(obj, 'VpcId', where),
    peeringStatus: optString(obj, 'PeeringStatus', where),
    vpcPeeringConnectionId: optString(obj, 'VpcPeeringConnectionId', where),
  });
}

const RULE_PEER_KEYS = ['CidrIpv4', 'CidrIpv6', 'PrefixListId', 'ReferencedGroupInfo'] as const;

/** One `SecurityGroupRules[i]` entry of describe-security-group-rules. */
export function parseSecurityGroupRule(value: unknown, where: At, issues: IssueCollector): SecurityGroupRule {
  const obj = asObject(value, where, 'a security group rule');
  const id = reqString(obj, 'SecurityGroupRuleId', where);
  const groupId = reqString(obj, 'GroupId', where);
  const direction: Direction = reqBool(obj, 'IsEgress', where) ? 'egress' : 'ingress';
  const protocol = parseProtocol(obj['IpProtocol'], child(where, 'IpProtocol'));
  const ports = securityGroupPorts(protocol, obj, where, issues);
  const present = RULE_PEER_KEYS.filter((k) => obj[k] !== undefined && obj[k] !== null);
  if (present.length !== 1) {
    fail(
      where,
      `a security group rule needs exactly one of ${RULE_PEER_KEYS.join(', ')}; found ${
        present.length === 0 ? 'none' : present.join(', ')
      }`,
    );
  }
  return withoutUndefined({
    id,
    groupId,
    direction,
    protocol,
    ports,
    peer: rulePeer(obj, present[0]!, where),
    description: optString(obj, 'Description', where),
    source: sourceRef(where),
  });
}

function rulePeer(obj: JsonObject, key: (typeof RULE_PEER_KEYS)[number], where: At): Peer {
  switch (key) {
    case 'CidrIpv4':
      return { kind: 'cidr', cidr: familyCidr(obj, key, 4, where) };
    case 'CidrIpv6':
      return { kind: 'cidr', cidr: familyCidr(obj, key, 6, where) };
    case 'PrefixListId':
      return { kind: 'prefix-list', prefixListId: reqString(obj, key, where) };
    case 'ReferencedGroupInfo': {
      const refAt = child(where, key);
      return groupPeer(asObject(obj[key], refAt, 'ReferencedGroupInfo'), refAt);
    }
  }
}
