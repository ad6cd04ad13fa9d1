import type { SecurityGroup, SecurityGroupRule } from '../../src/model/cloud.js';
import { sameSet } from '../../src/model/collections.js';
import { InputError } from '../../src/model/source.js';
import { formatCidr, tryParseCidr } from '../../src/model/cidr.js';
import { IssueCollector } from '../../src/model/issues.js';
import { EntryReader, NEUTRON_STRING_LENGTH } from '../openstack/translate-context.js';
import { translateRule } from '../openstack/translate-rule.js';
import { diffRules } from './diff.js';
import type { PlannedObject } from './planned-object.js';
import { emptyTranslation, guarded, type ResourceContext, type ResourceTranslation } from './resource-context.js';

const WHY_RULE = 'the rule attributes decide whether it matches the overlay traffic';

/**
 * The Neutron rule body a Terraform rule state stands for. The provider writes Neutron's
 * nulls as Go zero values: protocol "" (any), port_range_min/max 0 (all ports; gophercloud
 * omits a 0 port when creating), remote_* "" (not set). After undoing that, the rule goes
 * through the OpenStack translator, so both paths share one protocol/port normalization.
 */
function neutronBody(ctx: ResourceContext, obj: PlannedObject, id: string): Record<string, unknown> {
  for (const key of ['direction', 'ethertype', 'protocol', 'port_range_min', 'port_range_max', 'security_group_id']) obj.requireKnown(key, WHY_RULE);
  const remote = remoteOf(ctx, obj);
  const protocol = obj.values['protocol'];
  const zeroToNull = (v: unknown): unknown => (v === 0 ? null : v);
  return {
    id,
    security_group_id: obj.values['security_group_id'],
    direction: obj.values['direction'],
    ethertype: obj.values['ethertype'],
    protocol: protocol === '' ? null : protocol,
    port_range_min: zeroToNull(obj.values['port_range_min']),
    port_range_max: zeroToNull(obj.values['port_range_max']),
    remote_ip_prefix: remote.ip,
    remote_group_id: remote.group,
    description: obj.values['description'] ?? null,
  };
}

/**
 * remote_ip_prefix and remote_group_id are optional and computed: in a create, the one left
 * out of the configuration is unknown too. Neutron allows only one, so a known value of one
 * settles the other; otherwise the configuration says whether the unknown one is set.
 */
function remoteOf(ctx: ResourceContext, obj: PlannedObject): { ip: unknown; group: unknown } {
  const why = 'the remote side decides which nodes the rule allows';
  const known = (key: string): unknown => (obj.isUnknown(key) ? undefined : (obj.values[key] ?? null));
  const ip = known('remote_ip_prefix');
  const group = known('remote_group_id');
  const set = (v: unknown): boolean => typeof v === 'string' && v !== '';
  if (set(ip)) return { ip, group: null };
  if (set(group)) return { ip: null, group };
  for (const key of ['remote_ip_prefix', 'remote_group_id']) {
    if (obj.isUnknown(key) && !ctx.notConfigured(key)) obj.requireKnown(key, why);
  }
  return { ip: null, group: null };
}

function neutronRule(ctx: ResourceContext, obj: PlannedObject, id: string): SecurityGroupRule {
  // A collector of its own: a bad rule must stop this resource's translation (translateTerraformPlan
  // records the thrown problems), while its warnings go to the plan's collector either way.
  const issues = new IssueCollector();
  const rule = translateRule(new EntryReader(issues, obj.document, obj.pointer, neutronBody(ctx, obj, id), terraformStringLimit));
  ctx.issues.warnings.push(...issues.warnings);
  if (issues.problems.length > 0 || !rule) throw new InputError(issues.problems);
  return rule;
}

/** openstack_networking_secgroup_rule_v2: every attribute forces replacement, so changes arrive as replaces. */
export function translateOpenstackRule(ctx: ResourceContext): ResourceTranslation {
  const out = emptyTranslation();
  const act = ctx.change.action;
  const before = ctx.before();
  const after = ctx.after();
  const old = before && act !== 'create' ? [neutronRule(ctx, before, before.reqString('id', 'id'))] : [];
  const next = after && act !== 'delete' ? guarded(out, () => [neutronRule(ctx, after, ctx.placeholderId())]) : [];
  out.changes.push(...diffRules(ctx.address, old, next ?? []));
  return out;
}

/** Rules Neutron gives every new group: egress to anywhere, for IPv4 and IPv6. */
function defaultEgressRules(groupId: string, obj: PlannedObject): SecurityGroupRule[] {
  return ([4, 6] as const).map((family) => ({
    id: `${groupId}/default-egress-ipv${family}`,
    groupId,
    direction: 'egress' as const,
    family,
    protocol: { kind: 'any' as const },
    ports: { kind: 'all' as const },
    peer: { kind: 'any-address' as const, family },
    description: 'created by Neutron with the group (delete_default_rules is false)',
    source: obj.at(''),
  }));
}

/** openstack_networking_secgroup_v2: the group itself (rules are separate resources). */
export function translateOpenstackSecurityGroup(ctx: ResourceContext): ResourceTranslation {
  const out = emptyTranslation();
  const act = ctx.change.action;
  const before = ctx.before();
  const after = ctx.after();
  if (act === 'update' && before && after) {
    const id = before.reqString('id', 'id');
    const stateful = guarded(out, () => after.optBool('stateful', 'stateful decides whether return traffic needs its own rules'));
    const was = before.optBool('stateful', 'stateful') ?? true;
    if (stateful !== undefined && stateful !== was) out.changes.push({ kind: 'set-group-stateful', address: ctx.address, groupId: id, stateful });
    return out;
  }
  if ((act === 'delete' || act === 'replace') && before) {
    out.changes.push({ kind: 'delete-security-group', address: ctx.address, groupId: before.reqString('id', 'id') });
  }
  if ((act === 'create' || act === 'replace') && after) {
    const id = ctx.placeholderId();
    const stateful = after.isUnknown('stateful') ? true : (after.optBool('stateful', 'stateful') ?? true);
    const deleteDefaults = after.isUnknown('delete_default_rules') ? false : (after.optBool('delete_default_rules', 'delete_default_rules') ?? false);
    const group: SecurityGroup = { provider: 'openstack', id, stateful, rules: deleteDefaults ? [] : defaultEgressRules(id, after), source: after.at('') };
    const name = !after.isUnknown('name') ? after.optString('name', 'name') : undefined;
    if (name) group.name = name;
    out.changes.push({ kind: 'upsert-security-group', address: ctx.address, group });
  }
  if (act === 'replace') {
    out.unknown.push({
      attribute: 'id',
      reason: 'the replacement group gets a new id at apply; ports and rules that name the old group are re-pointed by other resources, so the old group is modeled as removed',
    });
  }
  return out;
}

function portGroups(obj: PlannedObject): string[] {
  const why = 'the port\'s security groups decide which rules filter the node';
  if (obj.optBool('no_security_groups', why) === true) return [];
  return obj.stringList('security_group_ids', why);
}

function addressPairs(obj: PlannedObject): string[] {
  const blocks = obj.blocks('allowed_address_pairs', 'allowed address pairs decide which source addresses the port may use');
  return blocks.map((b: PlannedObject) => {
    const text = b.reqString('ip_address', 'allowed address pair');
    const cidr = tryParseCidr(text);
    if (!cidr) b.fail('ip_address', 'not a valid IP address or CIDR', text);
    return formatCidr(cidr);
  });
}

/** openstack_networking_port_v2: security groups, port security and allowed address pairs of an existing port. */
export function translateOpenstackPort(ctx: ResourceContext): ResourceTranslation {
  const out = emptyTranslation();
  const act = ctx.change.action;
  const before = ctx.before();
  const after = ctx.after();
  if (act === 'create') {
    // A new port has no id yet, so no node of the node list can be bound to it.
    return out;
  }
  const id = before!.reqString('id', 'id');
  if (act === 'delete' || act === 'replace') {
    out.changes.push({ kind: 'delete-interface', address: ctx.address, interfaceId: id });
    if (act === 'replace') {
      out.unknown.push({ attribute: 'id', reason: 'the replacement port gets a new id at apply; the node is modeled as having lost its port' });
    }
    return out;
  }
  // update
  const a = after!;
  const b = before!;
  // Compared with the configured ids of the prior state: when none were configured, Neutron's
  // own choice (all_security_group_ids, usually the project default) stays as it is.
  const groups = guarded(out, () => portGroups(a));
  if (groups && !sameSet(groups, portGroups(b))) out.changes.push({ kind: 'set-interface-groups', address: ctx.address, interfaceId: id, securityGroupIds: groups });
  const security = a.isUnknown('port_security_enabled') && ctx.notConfigured('port_security_enabled') ? undefined : guarded(out, () => a.optBool('port_security_enabled', 'port security decides whether the port is filtered at all'));
  const wasSecure = b.optBool('port_security_enabled', 'port security') ?? true;
  if (security !== undefined && security !== wasSecure) {
    out.changes.push({ kind: 'set-port-security', address: ctx.address, interfaceId: id, portSecurity: security ? 'enabled' : 'disabled' });
  }
  const pairs = guarded(out, () => addressPairs(a));
  if (pairs && !sameSet(pairs, addressPairs(b))) out.changes.push({ kind: 'set-allowed-address-pairs', address: ctx.address, interfaceId: id, allowedAddressPairs: pairs });
  if (a.isUnknown('fixed_ip') || JSON.stringify(a.values['fixed_ip'] ?? null) !== JSON.stringify(b.values['fixed_ip'] ?? null)) {
    out.unsupported.push('fixed_ip changes the port\'s addresses; re-binding nodes to new addresses is not modeled');
  }
  return out;
}

/**
 * Planned objects have no Neutron id yet: the plan names them `terraform:<resource address>`, and
 * an address with modules and instance keys can be far longer than a UUID. Other strings keep
 * Neutron's limit, because they are what Neutron will be sent.
 */
const TERRAFORM_ADDRESS_LENGTH = 4096;
const terraformStringLimit = (key: string): number => (key === 'id' || key.endsWith('_id') ? TERRAFORM_ADDRESS_LENGTH : NEUTRON_STRING_LENGTH);
