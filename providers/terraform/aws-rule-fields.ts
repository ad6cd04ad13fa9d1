import type { Direction, Peer, PortMatch, ProtocolMatch, SecurityGroupRule } from '../../src/model/cloud.js';
import type { IssueCollector } from '../../src/model/issues.js';
import { pointerJoin } from '../../src/model/source.js';
import { canonicalCidr, tryParseCidr } from '../../src/model/cidr.js';
import { parseProtocol, securityGroupPorts } from '../aws/translate-protocol.js';
import type { PlannedObject } from './planned-object.js';

const TF_PORT_KEYS = { from: 'from_port', to: 'to_port' };

/** The EC2 protocol of a Terraform attribute; the provider also accepts `all` for `-1`. */
export function awsProtocol(obj: PlannedObject, key: string): ProtocolMatch {
  const raw = obj.values[key];
  const value = typeof raw === 'string' && raw.trim().toLowerCase() === 'all' ? '-1' : raw;
  return parseProtocol(value, obj.at(key));
}

/** from_port/to_port with the same meaning as the EC2 translator gives FromPort/ToPort. */
export function awsRulePorts(obj: PlannedObject, protocol: ProtocolMatch, issues: IssueCollector): PortMatch {
  return securityGroupPorts(protocol, obj.values, obj.at(''), issues, TF_PORT_KEYS);
}

export function awsCidr(obj: PlannedObject, segments: (string | number)[], text: string, family: 4 | 6): string {
  const parsed = tryParseCidr(text);
  const cidr = canonicalCidr(text);
  if (!parsed || !cidr || !text.includes('/')) obj.fail(segments, 'not a valid CIDR (expected a.b.c.d/n or x:x::/n)', text);
  if (parsed.family !== family) obj.fail(segments, `must be an IPv${family} CIDR`, text);
  return cidr;
}

/** `sg-…`, or `123456789012/sg-…` for a group of another account. */
export function awsGroupPeer(reference: string): Peer {
  const slash = reference.indexOf('/');
  if (slash > 0) return { kind: 'security-group', groupId: reference.slice(slash + 1), ownerId: reference.slice(0, slash) };
  return { kind: 'security-group', groupId: reference };
}

export interface AwsRuleBase {
  groupId: string;
  direction: Direction;
  protocol: ProtocolMatch;
  ports: PortMatch;
  description?: string;
}

/** One model rule per source, as the EC2 translator does, so evidence can name the source entry. */
export function awsRule(base: AwsRuleBase, id: string, peer: Peer, obj: PlannedObject, sourceSegments: (string | number)[]): SecurityGroupRule {
  const rule: SecurityGroupRule = {
    id,
    groupId: base.groupId,
    direction: base.direction,
    protocol: base.protocol,
    ports: base.ports,
    peer,
    source: { document: obj.document, pointer: pointerJoin(obj.pointer, ...sourceSegments) },
  };
  if (base.description) rule.description = base.description;
  return rule;
}

/**
 * Sources of a legacy rule or an inline block: cidr_blocks, ipv6_cidr_blocks,
 * prefix_list_ids, and either security_groups (inline) or source_security_group_id, plus self.
 */
export function awsRuleSources(
  obj: PlannedObject,
  groupId: string,
  groupKeys: { list?: string; single?: string },
): { key: string; index: number; peer: Peer }[] {
  const why = 'the rule\'s source addresses decide which nodes it allows';
  const out: { key: string; index: number; peer: Peer }[] = [];
  obj.stringList('cidr_blocks', why).forEach((c, i) => out.push({ key: 'cidr_blocks', index: i, peer: { kind: 'cidr', cidr: awsCidr(obj, ['cidr_blocks', i], c, 4) } }));
  obj.stringList('ipv6_cidr_blocks', why).forEach((c, i) =>
    out.push({ key: 'ipv6_cidr_blocks', index: i, peer: { kind: 'cidr', cidr: awsCidr(obj, ['ipv6_cidr_blocks', i], c, 6) } }),
  );
  obj.stringList('prefix_list_ids', why).forEach((p, i) => out.push({ key: 'prefix_list_ids', index: i, peer: { kind: 'prefix-list', prefixListId: p } }));
  if (groupKeys.list) {
    obj.stringList(groupKeys.list, why).forEach((g, i) => out.push({ key: groupKeys.list!, index: i, peer: awsGroupPeer(g) }));
  }
  if (obj.optBool('self', why) === true) out.push({ key: 'self', index: 0, peer: { kind: 'security-group', groupId } });
  return out;
}
