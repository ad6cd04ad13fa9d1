import type { SecurityGroup, SecurityGroupRule } from '../../src/model/cloud.js';
import type { EntryReader } from './translate-context.js';
import { translateRule } from './translate-rule.js';

export interface TranslatedGroup {
  group: SecurityGroup;
  /**
   * False when the body had no `security_group_rules` field (e.g. a `fields=` filtered
   * list): the group's rules are then known only from standalone rule documents.
   */
  rulesExported: boolean;
}

/** A Neutron security group with its nested rules, or undefined after a recorded problem. */
export function translateGroup(r: EntryReader): TranslatedGroup | undefined {
  const id = r.requiredString('id');
  const name = r.optionalString('name');
  // `tenant_id` is the pre-Keystone-v3 name of the same field; Neutron still returns both.
  const projectId = r.optionalString('project_id') ?? r.optionalString('tenant_id');
  // `stateful` exists only with the stateful-security-group extension; without it every group is stateful.
  const stateful = r.booleanOr('stateful', true);
  const rawRules = r.array('security_group_rules');
  if (rawRules === undefined) return undefined;

  const rules: SecurityGroupRule[] = [];
  let rulesOk = true;
  if (id !== undefined && rawRules !== 'absent') {
    for (const { value, pointer } of rawRules.items) {
      const child = r.child(value, pointer, 'a security group rule');
      const rule = child ? translateRule(child, id) : undefined;
      if (rule) rules.push(rule);
      else rulesOk = false;
    }
  }
  if (id === undefined || stateful === undefined || !rulesOk) return undefined;

  const group: SecurityGroup = { provider: 'openstack', id, stateful, rules, source: r.source };
  if (name !== undefined) group.name = name;
  if (projectId !== undefined) group.projectId = projectId;
  return { group, rulesExported: rawRules !== 'absent' };
}
