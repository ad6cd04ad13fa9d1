import type { NetworkInterface, SecurityGroup, SecurityGroupRule } from '../../src/model/cloud.js';
import { sameSet } from '../../src/model/collections.js';
import type { IssueCollector } from '../../src/model/issues.js';
import type { SourceRef } from '../../src/model/source.js';
import type { InterfaceObservation } from './translate-interfaces.js';
import { describeSource, sameIgnoringSource } from './translate-util.js';
import { AwsWarningCode } from './translate-warnings.js';

/**
 * Collapses objects that share a key. Identical copies (ignoring where they came from)
 * keep the first; differing copies keep the later one, because later documents are
 * the more recent export by convention, and the warning names both so the user can check.
 * The result keeps the order of first appearance.
 */
export function dedupeByKey<T extends { source: SourceRef }>(
  items: readonly T[],
  keyOf: (item: T) => string,
  label: (item: T) => string,
  issues: IssueCollector,
): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) {
    const key = keyOf(item);
    const earlier = byKey.get(key);
    if (earlier === undefined) {
      byKey.set(key, item);
      continue;
    }
    if (sameIgnoringSource(earlier, item)) continue;
    issues.warn(
      AwsWarningCode.duplicateObject,
      `${label(item)} appears in ${describeSource(earlier.source)} and ${describeSource(item.source)} ` +
        'with different content; using the later one',
      item.source,
    );
    byKey.set(key, item);
  }
  return [...byKey.values()];
}

/**
 * Joins the describe-instances and describe-network-interfaces views of each ENI.
 * The ENI's own record wins wherever the two disagree; fields only the instance
 * view has (e.g. the instance id of an ENI exported without its Attachment) are kept.
 */
export function mergeInterfaceViews(observations: readonly InterfaceObservation[], issues: IssueCollector): NetworkInterface[] {
  const label = (i: NetworkInterface) => `network interface ${i.id}`;
  const byId = (i: NetworkInterface) => i.id;
  const fromInstances = dedupeByKey(
    observations.filter((o) => o.view === 'instance').map((o) => o.iface),
    byId,
    label,
    issues,
  );
  const enis = dedupeByKey(
    observations.filter((o) => o.view === 'network-interface').map((o) => o.iface),
    byId,
    label,
    issues,
  );
  // Only one view exported (the usual case): nothing to join.
  if (fromInstances.length === 0) return enis;
  const fromEnis = new Map(enis.map((i) => [i.id, i]));
  const merged: NetworkInterface[] = [];
  for (const instanceView of fromInstances) {
    const eniView = fromEnis.get(instanceView.id);
    if (eniView === undefined) {
      merged.push(instanceView);
      continue;
    }
    fromEnis.delete(instanceView.id);
    reportConflicts(instanceView, eniView, issues);
    const combined: NetworkInterface = { ...eniView };
    if (combined.instanceId === undefined && instanceView.instanceId !== undefined) combined.instanceId = instanceView.instanceId;
    if (combined.networkId === undefined && instanceView.networkId !== undefined) combined.networkId = instanceView.networkId;
    if (combined.sourceDestCheck === undefined && instanceView.sourceDestCheck !== undefined) {
      combined.sourceDestCheck = instanceView.sourceDestCheck;
    }
    merged.push(combined);
  }
  return [...merged, ...fromEnis.values()];
}

function reportConflicts(instanceView: NetworkInterface, eniView: NetworkInterface, issues: IssueCollector): void {
  const fields: [string, string[], string[]][] = [
    ['security groups', instanceView.securityGroupIds, eniView.securityGroupIds],
    ['addresses', instanceView.addresses.map((a) => a.ip), eniView.addresses.map((a) => a.ip)],
    ['delegated prefixes', instanceView.allowedAddressPairs, eniView.allowedAddressPairs],
  ];
  for (const [name, a, b] of fields) {
    if (sameSet(a, b)) continue;
    issues.warn(
      AwsWarningCode.interfaceViewConflict,
      `network interface ${eniView.id}: ${name} differ between ${describeSource(instanceView.source)} ` +
        `[${a.join(', ')}] and ${describeSource(eniView.source)} [${b.join(', ')}]; ` +
        'using the describe-network-interfaces view',
      eniView.source,
    );
  }
  const a = instanceView.sourceDestCheck;
  const b = eniView.sourceDestCheck;
  if (a !== undefined && b !== undefined && a !== b) {
    issues.warn(
      AwsWarningCode.interfaceViewConflict,
      `network interface ${eniView.id}: SourceDestCheck is ${a} in ${describeSource(instanceView.source)} ` +
        `and ${b} in ${describeSource(eniView.source)}; using the describe-network-interfaces view`,
      eniView.source,
    );
  }
}

/**
 * Gives each group its rules. describe-security-group-rules is preferred over the inline
 * permissions of describe-security-groups because its rules carry real `sgr-` ids that
 * a user can find in the console; mixing both would list every rule twice.
 * A group known only from its rules is created without a name.
 */
export function assembleSecurityGroups(
  groups: readonly SecurityGroup[],
  rules: readonly SecurityGroupRule[],
  issues: IssueCollector,
): SecurityGroup[] {
  const rulesByGroup = new Map<string, SecurityGroupRule[]>();
  for (const rule of rules) {
    const list = rulesByGroup.get(rule.groupId) ?? [];
    list.push(rule);
    rulesByGroup.set(rule.groupId, list);
  }
  const result: SecurityGroup[] = groups.map((group) => {
    const standalone = rulesByGroup.get(group.id);
    if (standalone === undefined) return group;
    rulesByGroup.delete(group.id);
    if (group.rules.length > 0) {
      issues.warn(
        AwsWarningCode.inlineRulesReplaced,
        `security group ${group.id}: rules come from both ${describeSource(group.source)} (inline IpPermissions) ` +
          `and ${describeSource(standalone[0]!.source)} (SecurityGroupRules); using the ${standalone.length} ` +
          `SecurityGroupRules and dropping the ${group.rules.length} inline ones`,
        group.source,
      );
    }
    return { ...group, rules: standalone };
  });
  for (const [groupId, groupRules] of rulesByGroup) {
    result.push({ provider: 'aws', id: groupId, stateful: true, rules: groupRules, source: groupRules[0]!.source });
  }
  return result;
}
