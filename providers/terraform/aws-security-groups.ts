import type { Direction, Peer, SecurityGroup, SecurityGroupRule } from '../../src/model/cloud.js';
import { awsCidr, awsGroupPeer, awsProtocol, awsRule, awsRulePorts, awsRuleSources, type AwsRuleBase } from './aws-rule-fields.js';
import { diffRules } from './diff.js';
import type { PlannedObject } from './planned-object.js';
import { emptyTranslation, guarded, type ResourceContext, type ResourceTranslation } from './resource-context.js';

const WHY_GROUP = 'the group a rule belongs to decides which nodes it applies to';
const WHY_MATCH = 'protocol and ports decide whether the rule matches the overlay traffic';

/** Inline `ingress`/`egress` blocks of aws_security_group; blocks with unknown values are reported and left out. */
function inlineRules(ctx: ResourceContext, obj: PlannedObject, groupId: string, out: ResourceTranslation): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const blocks = guarded(out, () => obj.blocks(direction, `the ${direction} rules of the group are computed at apply`)) ?? [];
    blocks.forEach((block, i) => {
      const read = guarded(out, () => {
        const protocol = awsProtocol(block, 'protocol');
        block.requireKnown('protocol', WHY_MATCH);
        block.requireKnown('from_port', WHY_MATCH);
        block.requireKnown('to_port', WHY_MATCH);
        const base: AwsRuleBase = { groupId, direction, protocol, ports: awsRulePorts(block, protocol, ctx.issues) };
        const description = block.optString('description', 'description');
        if (description) base.description = description;
        return awsRuleSources(block, groupId, { list: 'security_groups' }).map((s) =>
          awsRule(base, `terraform:${ctx.address}/${direction}/${i}/${s.key}/${s.index}`, s.peer, block, [s.key, s.index]),
        );
      });
      if (read) rules.push(...read);
    });
  }
  return rules;
}

function newGroup(ctx: ResourceContext, after: PlannedObject, out: ResourceTranslation): SecurityGroup {
  const known = !after.isUnknown('id') ? after.optString('id', 'id') : undefined;
  const id = known ?? ctx.placeholderId();
  const group: SecurityGroup = { provider: 'aws', id, stateful: true, rules: inlineRules(ctx, after, id, out), source: after.at('') };
  const name = !after.isUnknown('name') ? after.optString('name', 'name') : undefined;
  if (name) group.name = name;
  const vpcId = !after.isUnknown('vpc_id') ? after.optString('vpc_id', 'vpc_id') : undefined;
  if (vpcId) group.vpcId = vpcId;
  return group;
}

/** aws_security_group: inline rules; the group id of an existing group is `before.id`. */
export function translateAwsSecurityGroup(ctx: ResourceContext): ResourceTranslation {
  const out = emptyTranslation();
  const action = ctx.change.action;
  const before = ctx.before();
  const after = ctx.after();
  if (action === 'update' && before && after) {
    const id = before.reqString('id', 'id');
    // Prior state is fully known; diffing keeps rules that did not change untouched.
    const scratch = emptyTranslation();
    const old = inlineRules(ctx, before, id, scratch);
    const next = inlineRules(ctx, after, id, out);
    out.changes.push(...diffRules(ctx.address, old, next));
    return out;
  }
  if ((action === 'delete' || action === 'replace') && before) {
    out.changes.push({ kind: 'delete-security-group', address: ctx.address, groupId: before.reqString('id', 'id') });
  }
  if ((action === 'create' || action === 'replace') && after) {
    out.changes.push({ kind: 'upsert-security-group', address: ctx.address, group: newGroup(ctx, after, out) });
  }
  if (action === 'replace') {
    out.unknown.push({
      attribute: 'id',
      reason:
        'the replacement group gets a new id at apply; which interfaces carry it is decided by the resources that attach it ' +
        '(their vpc_security_group_ids / security_groups), so the old group is modeled as removed from every interface',
    });
  }
  return out;
}

function legacyRules(ctx: ResourceContext, obj: PlannedObject, side: 'before' | 'after'): SecurityGroupRule[] {
  const groupId = obj.reqString('security_group_id', WHY_GROUP);
  const type = obj.reqString('type', 'type decides the direction');
  if (type !== 'ingress' && type !== 'egress') obj.fail('type', '"type" must be "ingress" or "egress"', type);
  const direction: Direction = type;
  obj.requireKnown('protocol', WHY_MATCH);
  const protocol = awsProtocol(obj, 'protocol');
  obj.requireKnown('from_port', WHY_MATCH);
  obj.requireKnown('to_port', WHY_MATCH);
  const base: AwsRuleBase = { groupId, direction, protocol, ports: awsRulePorts(obj, protocol, ctx.issues) };
  const description = obj.optString('description', 'description');
  if (description) base.description = description;
  const sources = awsRuleSources(obj, groupId, {});
  const exclusive = sources.some((s) => s.key === 'cidr_blocks' || s.key === 'ipv6_cidr_blocks' || s.key === 'self');
  // source_security_group_id is computed: unknown both when left out and when it names a group created by this plan.
  if (!exclusive && !(obj.isUnknown('source_security_group_id') && ctx.notConfigured('source_security_group_id'))) {
    const ref = obj.optString('source_security_group_id', 'the referenced group decides which nodes the rule allows');
    if (ref) sources.push({ key: 'source_security_group_id', index: 0, peer: awsGroupPeer(ref) });
  }
  if (sources.length === 0) obj.fail('', 'a security group rule needs one of cidr_blocks, ipv6_cidr_blocks, prefix_list_ids, self, source_security_group_id');
  // The real sgr- id is known only for single-source rules; otherwise content matching applies.
  const realId = sources.length === 1 && side === 'before' ? obj.optString('security_group_rule_id', 'id') : undefined;
  return sources.map((s) =>
    awsRule(base, realId ?? `terraform:${ctx.address}/${s.key}/${s.index}`, s.peer, obj, s.key === 'self' || s.key === 'source_security_group_id' ? [s.key] : [s.key, s.index]),
  );
}

function vpcRules(ctx: ResourceContext, obj: PlannedObject, direction: Direction, side: 'before' | 'after'): SecurityGroupRule[] {
  const groupId = obj.reqString('security_group_id', WHY_GROUP);
  obj.requireKnown('ip_protocol', WHY_MATCH);
  obj.requireKnown('from_port', WHY_MATCH);
  obj.requireKnown('to_port', WHY_MATCH);
  const protocol = awsProtocol(obj, 'ip_protocol');
  const base: AwsRuleBase = { groupId, direction, protocol, ports: awsRulePorts(obj, protocol, ctx.issues) };
  const description = obj.optString('description', 'description');
  if (description) base.description = description;
  const why = 'the rule\'s peer decides which nodes it allows';
  const peers: [string, Peer | undefined][] = [
    ['cidr_ipv4', ((v) => (v ? { kind: 'cidr' as const, cidr: awsCidr(obj, ['cidr_ipv4'], v, 4) } : undefined))(obj.optString('cidr_ipv4', why))],
    ['cidr_ipv6', ((v) => (v ? { kind: 'cidr' as const, cidr: awsCidr(obj, ['cidr_ipv6'], v, 6) } : undefined))(obj.optString('cidr_ipv6', why))],
    ['prefix_list_id', ((v) => (v ? { kind: 'prefix-list' as const, prefixListId: v } : undefined))(obj.optString('prefix_list_id', why))],
    ['referenced_security_group_id', ((v) => (v ? awsGroupPeer(v) : undefined))(obj.optString('referenced_security_group_id', why))],
  ];
  const set = peers.filter(([, p]) => p !== undefined) as [string, Peer][];
  if (set.length !== 1) {
    obj.fail('', `exactly one of cidr_ipv4, cidr_ipv6, prefix_list_id, referenced_security_group_id must be set; found ${set.length === 0 ? 'none' : set.map(([k]) => k).join(', ')}`);
  }
  const [key, peer] = set[0]!;
  const realId = side === 'before' ? (obj.optString('security_group_rule_id', 'id') ?? obj.optString('id', 'id')) : undefined;
  return [awsRule(base, realId ?? `terraform:${ctx.address}`, peer, obj, [key])];
}

/** Shared shape of one-rule resources: rules of the prior state vs the planned state. */
function ruleResource(ctx: ResourceContext, read: (obj: PlannedObject, side: 'before' | 'after') => SecurityGroupRule[]): ResourceTranslation {
  const out = emptyTranslation();
  const action = ctx.change.action;
  const before = ctx.before();
  const after = ctx.after();
  const old = before && action !== 'create' ? read(before, 'before') : [];
  const next = after && action !== 'delete' ? guarded(out, () => read(after, 'after')) : [];
  if (next === undefined) {
    // The new rule cannot be placed; the removal of the old one is still certain.
    out.changes.push(...diffRules(ctx.address, old, []));
    return out;
  }
  out.changes.push(...diffRules(ctx.address, old, next));
  return out;
}

export function translateAwsSecurityGroupRule(ctx: ResourceContext): ResourceTranslation {
  return ruleResource(ctx, (obj, side) => legacyRules(ctx, obj, side));
}

export function translateAwsVpcIngressRule(ctx: ResourceContext): ResourceTranslation {
  return ruleResource(ctx, (obj, side) => vpcRules(ctx, obj, 'ingress', side));
}

export function translateAwsVpcEgressRule(ctx: ResourceContext): ResourceTranslation {
  return ruleResource(ctx, (obj, side) => vpcRules(ctx, obj, 'egress', side));
}
