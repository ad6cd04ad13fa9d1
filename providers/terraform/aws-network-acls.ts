import type { Direction, NetworkAcl, NetworkAclEntry } from '../../src/model/cloud.js';
import { sameSet } from '../../src/model/collections.js';
import type { IssueCollector } from '../../src/model/issues.js';
import { networkAclPortValues, type IcmpValues } from '../aws/translate-protocol.js';
import { awsCidr, awsProtocol } from './aws-rule-fields.js';
import { diffNaclEntries } from './diff.js';
import type { PlannedObject } from './planned-object.js';
import { emptyTranslation, guarded, type ResourceContext, type ResourceTranslation } from './resource-context.js';

const WHY_ENTRY = 'the entry decides whether the ACL allows or denies the overlay traffic';

function action(obj: PlannedObject, key: string): 'allow' | 'deny' {
  const v = obj.reqString(key, WHY_ENTRY).toLowerCase();
  if (v !== 'allow' && v !== 'deny') obj.fail(key, `"${key}" must be "allow" or "deny"`, obj.values[key]);
  return v;
}

function entryCidr(obj: PlannedObject): string {
  const v4 = obj.optString('cidr_block', WHY_ENTRY);
  const v6 = obj.optString('ipv6_cidr_block', WHY_ENTRY);
  if ((v4 === undefined) === (v6 === undefined)) {
    obj.fail('', `a network ACL entry needs exactly one of cidr_block, ipv6_cidr_block; found ${v4 ? 'both' : 'none'}`);
  }
  return v4 !== undefined ? awsCidr(obj, ['cidr_block'], v4, 4) : awsCidr(obj, ['ipv6_cidr_block'], v6!, 6);
}

function entry(obj: PlannedObject, direction: Direction, numberKey: string, actionKey: string, issues: IssueCollector): NetworkAclEntry {
  const ruleNumber = obj.reqInteger(numberKey, WHY_ENTRY);
  if (ruleNumber < 1 || ruleNumber > 32766) obj.fail(numberKey, 'rule number must be between 1 and 32766', ruleNumber);
  obj.requireKnown('protocol', WHY_ENTRY);
  const protocol = awsProtocol(obj, 'protocol');
  const from = obj.optInteger('from_port', WHY_ENTRY) ?? 0;
  const to = obj.optInteger('to_port', WHY_ENTRY) ?? 0;
  return {
    ruleNumber,
    direction,
    action: action(obj, actionKey),
    protocol,
    ports: networkAclPortValues(protocol, from, to, obj.at('from_port'), obj.at('to_port'), () => icmpValues(obj), obj.at(''), issues),
    cidr: entryCidr(obj),
    source: obj.at(''),
  };
}

/** icmp_type/icmp_code: the AWS provider's names for IcmpTypeCode {Type, Code}. */
function icmpValues(obj: PlannedObject): IcmpValues {
  return {
    type: obj.optInteger('icmp_type', WHY_ENTRY),
    code: obj.optInteger('icmp_code', WHY_ENTRY),
    typeAt: obj.at('icmp_type'),
    codeAt: obj.at('icmp_code'),
  };
}

function inlineEntries(obj: PlannedObject, out: ResourceTranslation, issues: IssueCollector): NetworkAclEntry[] {
  const entries: NetworkAclEntry[] = [];
  for (const direction of ['ingress', 'egress'] as const) {
    const blocks = guarded(out, () => obj.blocks(direction, `the ${direction} entries of the ACL are computed at apply`)) ?? [];
    for (const block of blocks) {
      const e = guarded(out, () => entry(block, direction, 'rule_no', 'action', issues));
      if (e) entries.push(e);
    }
  }
  return entries;
}

function subnetIds(obj: PlannedObject): string[] {
  return obj.stringList('subnet_ids', 'the associated subnets decide which nodes the ACL filters');
}

/** aws_network_acl: inline entries and subnet associations. */
export function translateAwsNetworkAcl(ctx: ResourceContext): ResourceTranslation {
  const out = emptyTranslation();
  const act = ctx.change.action;
  const before = ctx.before();
  const after = ctx.after();
  if (act === 'update' && before && after) {
    const id = before.reqString('id', 'id');
    const old = inlineEntries(before, emptyTranslation(), ctx.issues);
    out.changes.push(...diffNaclEntries(ctx.address, id, old, inlineEntries(after, out, ctx.issues)));
    const subnets = guarded(out, () => subnetIds(after));
    if (subnets && !sameSet(subnets, subnetIds(before))) out.changes.push({ kind: 'set-nacl-subnets', address: ctx.address, aclId: id, subnetIds: subnets });
    return out;
  }
  if ((act === 'delete' || act === 'replace') && before) {
    out.changes.push({ kind: 'delete-network-acl', address: ctx.address, aclId: before.reqString('id', 'id') });
  }
  if ((act === 'create' || act === 'replace') && after) {
    // The new ACL's id is unknown, but it takes effect through its subnet associations, which are usually known.
    const acl: NetworkAcl = {
      provider: 'aws',
      id: ctx.placeholderId(),
      isDefault: false,
      subnetIds: guarded(out, () => subnetIds(after)) ?? [],
      entries: inlineEntries(after, out, ctx.issues),
      source: after.at(''),
    };
    const vpcId = !after.isUnknown('vpc_id') ? after.optString('vpc_id', 'vpc_id') : undefined;
    if (vpcId) acl.vpcId = vpcId;
    out.changes.push({ kind: 'upsert-network-acl', address: ctx.address, acl });
  }
  return out;
}

function standaloneEntry(obj: PlannedObject, issues: IssueCollector): { aclId: string; entry: NetworkAclEntry } {
  const aclId = obj.reqString('network_acl_id', 'the ACL the entry belongs to decides which subnets it filters');
  const egress = obj.optBool('egress', WHY_ENTRY) ?? false;
  return { aclId, entry: entry(obj, egress ? 'egress' : 'ingress', 'rule_number', 'rule_action', issues) };
}

/** aws_network_acl_rule: one entry of an existing (or planned) ACL. */
export function translateAwsNetworkAclRule(ctx: ResourceContext): ResourceTranslation {
  const out = emptyTranslation();
  const act = ctx.change.action;
  const before = ctx.before();
  const after = ctx.after();
  const old = before && act !== 'create' ? standaloneEntry(before, ctx.issues) : undefined;
  const next = after && act !== 'delete' ? guarded(out, () => standaloneEntry(after, ctx.issues)) : undefined;
  if (old && (!next || next.aclId !== old.aclId)) {
    out.changes.push(...diffNaclEntries(ctx.address, old.aclId, [old.entry], []));
  }
  if (next) out.changes.push(...diffNaclEntries(ctx.address, next.aclId, old && old.aclId === next.aclId ? [old.entry] : [], [next.entry]));
  return out;
}

