import type { SecurityGroup, SecurityGroupRule } from '../../src/model/cloud.js';
import type { IssueCollector } from '../../src/model/issues.js';
import { describeSource, sameContent, type ObjectMerger } from './translate-merge.js';

/**
 * Folds rules from `security_group_rules` bodies into their groups. A rule that is
 * also nested in a group body is kept once when identical; when the two differ the
 * standalone copy wins (it comes from the rules API, typically the fresher, narrower
 * export) and a warning names both places. Returns the ids of groups that got at
 * least one standalone rule.
 */
export function mergeStandaloneRules(
  groups: ObjectMerger<SecurityGroup>,
  standalone: SecurityGroupRule[],
  issues: IssueCollector,
): Set<string> {
  const ownerOfRule = new Map<string, SecurityGroup>();
  for (const group of groups.values()) for (const rule of group.rules) ownerOfRule.set(rule.id, group);

  const touched = new Set<string>();
  for (const rule of standalone) {
    const group = groups.get(rule.groupId) ?? createUnexportedGroup(groups, rule, issues);
    touched.add(group.id);
    const owner = ownerOfRule.get(rule.id);
    const nested = owner?.rules.find((r) => r.id === rule.id);
    if (owner && nested && sameContent(nested, rule)) continue;
    if (owner && nested) {
      issues.warn(
        'openstack-rule-conflict',
        `security group rule ${rule.id} differs between ${describeSource(nested.source)} and ${describeSource(rule.source)}; using the standalone rule`,
        rule.source,
      );
      owner.rules = owner.rules.filter((r) => r !== nested);
    }
    group.rules.push(rule);
    ownerOfRule.set(rule.id, group);
  }
  return touched;
}

/**
 * A standalone rule names a group whose body was not exported. The model needs a
 * `stateful` flag; true is assumed. That cannot make a node-to-node overlay flow
 * (VXLAN/WireGuard UDP, ESP, IP-in-IP) pass wrongly: each direction of such a flow is
 * a new flow to the peer's fixed port, checked against its own rule, and never
 * relies on conntrack return traffic. Only reply traffic of TCP flows could differ,
 * which the warning tells the user.
 */
function createUnexportedGroup(
  groups: ObjectMerger<SecurityGroup>,
  rule: SecurityGroupRule,
  issues: IssueCollector,
): SecurityGroup {
  const group: SecurityGroup = { provider: 'openstack', id: rule.groupId, stateful: true, rules: [], source: rule.source };
  issues.warn(
    'openstack-stateful-assumed',
    `security group ${rule.groupId} was not exported (only its rules were); assuming it is stateful. ` +
      'Export {"security_groups": [...]} to know whether replies need explicit rules.',
    rule.source,
  );
  groups.add(group);
  return group;
}
