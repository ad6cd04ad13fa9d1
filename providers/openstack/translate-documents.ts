import type { CloudObjectKind } from '../../src/model/cloud.js';
import type { RawDocument } from '../../src/model/documents.js';
import { isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import { pointerJoin } from '../../src/model/source.js';
import { looksLikeOscPortRow, OSC_PORT_LIST_REASON } from './translate-port.js';

export type Collection = 'ports' | 'security_groups' | 'security_group_rules' | 'subnets' | 'address_groups';

/** Top-level keys of the Neutron v2.0 bodies we read: list bodies and single-object (`show`) bodies. */
const TOP_LEVEL_KEYS: Readonly<Record<string, { collection: Collection; single: boolean }>> = {
  ports: { collection: 'ports', single: false },
  port: { collection: 'ports', single: true },
  security_groups: { collection: 'security_groups', single: false },
  security_group: { collection: 'security_groups', single: true },
  security_group_rules: { collection: 'security_group_rules', single: false },
  security_group_rule: { collection: 'security_group_rules', single: true },
  subnets: { collection: 'subnets', single: false },
  subnet: { collection: 'subnets', single: true },
  address_groups: { collection: 'address_groups', single: false },
  address_group: { collection: 'address_groups', single: true },
};

export const COLLECTION_KIND: Readonly<Record<Collection, CloudObjectKind>> = {
  ports: 'network-interface',
  security_groups: 'security-group',
  security_group_rules: 'security-group',
  subnets: 'subnet',
  address_groups: 'address-group',
};

export interface Section {
  collection: Collection;
  items: { value: unknown; pointer: string }[];
}

/**
 * Splits one Neutron body into its collections. Pagination links
 * (`ports_links`, …) carry no objects and are skipped; any other key is an
 * error, because silently ignoring it could hide a mis-exported file.
 */
export function splitDocument(doc: RawDocument, issues: IssueCollector): Section[] {
  const body = doc.body;
  if (Array.isArray(body)) {
    issues.problem(doc.name, '', topLevelArrayReason(body));
    return [];
  }
  if (!isPlainObject(body)) {
    issues.problem(doc.name, '', 'a Neutron API body must be a JSON object such as {"ports": [...]}', body);
    return [];
  }
  const keys = Object.keys(body).filter((k) => !k.endsWith('_links'));
  const unknown = keys.filter((k) => !Object.hasOwn(TOP_LEVEL_KEYS, k));
  if (unknown.length > 0 || keys.length === 0) {
    issues.problem(doc.name, '', unknownKeysReason(Object.keys(body)));
    return [];
  }
  const sections: Section[] = [];
  for (const key of keys) {
    const spec = TOP_LEVEL_KEYS[key]!;
    const value = body[key];
    const pointer = pointerJoin('', key);
    if (spec.single) {
      sections.push({ collection: spec.collection, items: [{ value, pointer }] });
    } else if (Array.isArray(value)) {
      sections.push({
        collection: spec.collection,
        items: value.map((item, i) => ({ value: item, pointer: pointerJoin(pointer, i) })),
      });
    } else {
      issues.problem(doc.name, pointer, `"${key}" must be an array`, value);
    }
  }
  return sections;
}

function topLevelArrayReason(body: unknown[]): string {
  if (body.some(looksLikeOscPortRow)) return OSC_PORT_LIST_REASON;
  return (
    'the document is a bare JSON array, which looks like `openstack ... list -f json` table output; ' +
    'that output is lossy, so export the Neutron API body instead (e.g. {"security_groups": [...]} from ' +
    '`curl -H "X-Auth-Token: $(openstack token issue -f value -c id)" "$NEUTRON/v2.0/security-groups"`)'
  );
}

function unknownKeysReason(found: string[]): string {
  const expected = Object.keys(TOP_LEVEL_KEYS).join(', ');
  const shown = found.length === 0 ? 'none' : found.join(', ');
  const hint = found.includes('id')
    ? ' It looks like a single object without its wrapper key (e.g. `openstack port show -f json`); use the API body {"port": {...}}.'
    : '';
  return `not a recognized Neutron v2.0 body: top-level keys found: ${shown}; expected one of: ${expected} (plus *_links pagination keys).${hint}`;
}
