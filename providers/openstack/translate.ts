import { emptyCloud, type AddressGroup, type CloudObjectKind, type NetworkInterface, type SecurityGroup, type SecurityGroupRule, type Subnet } from '../../src/model/cloud.js';
import type { CloudTranslation, RawDocument } from '../../src/model/documents.js';
import { IssueCollector, isPlainObject } from '../../src/model/issues.js';
import type { SourceRef } from '../../src/model/source.js';
import { translateAddressGroup, translateSubnet } from './translate-addressing.js';
import { EntryReader } from './translate-context.js';
import { COLLECTION_KIND, splitDocument, type Collection } from './translate-documents.js';
import { translateGroup } from './translate-group.js';
import { ObjectMerger } from './translate-merge.js';
import { translatePort } from './translate-port.js';
import { translateRule } from './translate-rule.js';
import { mergeStandaloneRules } from './translate-standalone-rules.js';

const KIND_ORDER: CloudObjectKind[] = ['network-interface', 'security-group', 'subnet', 'address-group'];

/**
 * Native Neutron v2.0 bodies (`{"ports": [...]}`, `{"security_groups": [...]}`,
 * `{"security_group_rules": [...]}`, `{"subnets": [...]}`, `{"address_groups": [...]}`
 * and their single-object forms) -> normalized model. Live collection and saved
 * exports both come through here. Throws one InputError listing every unusable field.
 */
export function translateOpenstackDocuments(docs: RawDocument[]): CloudTranslation {
  const issues = new IssueCollector();
  const ports = new ObjectMerger<NetworkInterface>(issues, 'port');
  const groups = new ObjectMerger<SecurityGroup>(issues, 'security group');
  const standaloneRules = new ObjectMerger<SecurityGroupRule>(issues, 'security group rule');
  const subnets = new ObjectMerger<Subnet>(issues, 'subnet');
  const addressGroups = new ObjectMerger<AddressGroup>(issues, 'address group');
  const groupsWithoutRuleField = new WeakSet<SecurityGroup>();
  const seen = new Set<Collection>();

  for (const doc of docs) {
    for (const section of splitDocument(doc, issues)) {
      seen.add(section.collection);
      for (const { value, pointer } of section.items) {
        const reader = readerFor(issues, doc.name, pointer, value, section.collection);
        if (!reader) continue;
        switch (section.collection) {
          case 'ports':
            addIfDefined(ports, translatePort(reader));
            break;
          case 'security_groups': {
            const translated = translateGroup(reader);
            if (!translated) break;
            if (!translated.rulesExported) groupsWithoutRuleField.add(translated.group);
            groups.add(translated.group);
            break;
          }
          case 'security_group_rules':
            addIfDefined(standaloneRules, translateRule(reader));
            break;
          case 'subnets':
            addIfDefined(subnets, translateSubnet(reader));
            break;
          case 'address_groups':
            addIfDefined(addressGroups, translateAddressGroup(reader));
            break;
        }
      }
    }
  }

  const groupsWithStandaloneRules = mergeStandaloneRules(groups, standaloneRules.values(), issues);
  issues.throwIfProblems();

  const cloud = emptyCloud();
  cloud.interfaces = ports.values();
  cloud.securityGroups = groups.values();
  cloud.subnets = subnets.values();
  cloud.addressGroups = addressGroups.values();
  for (const group of cloud.securityGroups) {
    if (groupsWithoutRuleField.has(group) && !groupsWithStandaloneRules.has(group.id)) {
      cloud.unavailable.push({
        kind: 'security-group',
        id: group.id,
        reason: `security group ${group.id} was exported without "security_group_rules" and no standalone rule document names it, so its rules are unknown`,
      });
    }
  }
  const kinds = new Set([...seen].map((c) => COLLECTION_KIND[c]));
  cloud.providedKinds = KIND_ORDER.filter((k) => kinds.has(k));
  return { cloud, warnings: issues.warnings };
}

function readerFor(
  issues: IssueCollector,
  document: string,
  pointer: string,
  value: unknown,
  collection: Collection,
): EntryReader | undefined {
  if (isPlainObject(value)) return new EntryReader(issues, document, pointer, value);
  issues.problem(document, pointer, `each entry of "${collection}" must be a JSON object`, value);
  return undefined;
}

function addIfDefined<T extends { id: string; source: SourceRef }>(merger: ObjectMerger<T>, obj: T | undefined): void {
  if (obj) merger.add(obj);
}
