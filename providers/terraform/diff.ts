import type { NetworkAclEntry, SecurityGroupRule } from '../../src/model/cloud.js';
import type { ModelChange } from '../../src/model/changes.js';
import { naclEntryContentKey, ruleContentKey } from '../../src/model/rule-key.js';

const PLACEHOLDER = 'terraform:';

/**
 * Rule edits between the prior and planned rule sets of one resource. Rules present on
 * both sides (same content) are left alone, so an update that only changes a description,
 * or a replace forced by an unrelated attribute, changes nothing in the model.
 */
export function diffRules(address: string, before: SecurityGroupRule[], after: SecurityGroupRule[]): ModelChange[] {
  const afterKeys = new Set(after.map(ruleContentKey));
  const beforeKeys = new Set(before.map(ruleContentKey));
  const changes: ModelChange[] = [];
  for (const rule of before) {
    if (afterKeys.has(ruleContentKey(rule))) continue;
    const change: ModelChange = { kind: 'delete-sg-rule', address, groupId: rule.groupId, rule };
    if (!rule.id.startsWith(PLACEHOLDER)) change.ruleId = rule.id;
    changes.push(change);
  }
  for (const rule of after) {
    if (!beforeKeys.has(ruleContentKey(rule))) changes.push({ kind: 'upsert-sg-rule', address, rule });
  }
  return changes;
}

/** NACL entry edits: entries are keyed by direction and rule number. */
export function diffNaclEntries(address: string, aclId: string, before: NetworkAclEntry[], after: NetworkAclEntry[]): ModelChange[] {
  const slot = (e: NetworkAclEntry): string => `${e.direction}#${e.ruleNumber}`;
  const afterBySlot = new Map(after.map((e) => [slot(e), e]));
  const beforeByKey = new Set(before.map(naclEntryContentKey));
  const changes: ModelChange[] = [];
  for (const e of before) {
    if (!afterBySlot.has(slot(e))) changes.push({ kind: 'delete-nacl-entry', address, aclId, direction: e.direction, ruleNumber: e.ruleNumber });
  }
  for (const e of after) {
    if (!beforeByKey.has(naclEntryContentKey(e))) changes.push({ kind: 'upsert-nacl-entry', address, aclId, entry: e });
  }
  return changes;
}
