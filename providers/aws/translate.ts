import type {
  Cloud,
  CloudObjectKind,
  NetworkAcl,
  PrefixList,
  SecurityGroup,
  SecurityGroupRule,
  Subnet,
  Unavailable,
} from '../../src/model/cloud.js';
import type { CloudTranslation, RawDocument } from '../../src/model/documents.js';
import { IssueCollector } from '../../src/model/issues.js';
import { parseInstance, parseNetworkInterface, type InterfaceObservation } from './translate-interfaces.js';
import { assembleSecurityGroups, dedupeByKey, mergeInterfaceViews } from './translate-merge.js';
import { parseNetworkAcl } from './translate-network-acls.js';
import {
  parsePrefixListEntries,
  parsePrefixListMetadata,
  type PrefixListMetadata,
} from './translate-prefix-lists.js';
import { asObject, at, child, fail, optArray, type At, type JsonObject } from './translate-read.js';
import { parseSecurityGroup, parseSecurityGroupRule } from './translate-security-groups.js';
import { parseSubnet } from './translate-subnets.js';
import { AwsWarningCode } from './translate-warnings.js';

/** Top-level keys that identify an export, and the model kind each provides (null: metadata only). */
const EXPORT_KEYS: Readonly<Record<string, CloudObjectKind | null>> = {
  Reservations: 'network-interface',
  NetworkInterfaces: 'network-interface',
  SecurityGroups: 'security-group',
  SecurityGroupRules: 'security-group',
  NetworkAcls: 'network-acl',
  Subnets: 'subnet',
  Entries: 'prefix-list',
  PrefixLists: null,
};

/** Envelope keys of SDK v3 outputs (`$metadata`) and paginated responses. */
const ENVELOPE_KEYS = new Set(['$metadata', 'NextToken']);

/** Everything read from the documents, before duplicates are merged. */
interface Collected {
  interfaces: InterfaceObservation[];
  groups: SecurityGroup[];
  rules: SecurityGroupRule[];
  acls: NetworkAcl[];
  subnets: Subnet[];
  prefixLists: PrefixList[];
  prefixListMetadata: PrefixListMetadata[];
  unavailable: Unavailable[];
  kinds: Set<CloudObjectKind>;
}

/**
 * Translates native EC2 exports (`aws ec2 describe-…` JSON or AWS SDK v3 command outputs)
 * into the normalized cloud model. One document may hold several exports (several
 * recognized top-level keys). Every unusable entry across all documents is reported in
 * one InputError; odd but usable input becomes a Warning.
 */
export function translateAwsDocuments(docs: RawDocument[]): CloudTranslation {
  const issues = new IssueCollector();
  const collected: Collected = {
    interfaces: [],
    groups: [],
    rules: [],
    acls: [],
    subnets: [],
    prefixLists: [],
    prefixListMetadata: [],
    unavailable: [],
    kinds: new Set(),
  };
  for (const doc of docs) {
    issues.absorb(() => readDocument(doc, collected, issues));
  }
  issues.throwIfProblems();
  return { cloud: assemble(collected, issues), warnings: issues.warnings };
}

function readDocument(doc: RawDocument, out: Collected, issues: IssueCollector): void {
  const root = at(doc.name, '');
  const body = asObject(doc.body, root, 'an EC2 export (the JSON output of an `aws ec2 describe-…` command)');
  const keys = Object.keys(body);
  const recognized = keys.filter((k) => Object.hasOwn(EXPORT_KEYS, k));
  if (recognized.length === 0) {
    fail(
      root,
      `not a recognized EC2 export: found top-level keys [${keys.join(', ')}], ` +
        `expected at least one of [${Object.keys(EXPORT_KEYS).join(', ')}]`,
    );
  }
  for (const key of keys) {
    if (Object.hasOwn(EXPORT_KEYS, key) || ENVELOPE_KEYS.has(key)) continue;
    if (key === 'PrefixListId' && recognized.includes('Entries')) continue;
    issues.warn(AwsWarningCode.ignoredKey, `top-level key "${key}" is not an EC2 export this tool reads; ignored`, child(root, key));
  }
  if (typeof body['NextToken'] === 'string' && body['NextToken'] !== '') {
    issues.warn(
      AwsWarningCode.partialPage,
      'document is one page of a paginated result (NextToken is set); objects on later pages are missing ' +
        'unless another document holds them',
      child(root, 'NextToken'),
    );
  }
  for (const key of recognized) {
    const kind = EXPORT_KEYS[key];
    if (kind) out.kinds.add(kind);
    readExport(key, body, root, out, issues);
  }
}

function readExport(key: string, body: JsonObject, root: At, out: Collected, issues: IssueCollector): void {
  if (key === 'Entries') {
    const list = issues.absorb(() => parsePrefixListEntries(body, root, issues));
    if (list) out.prefixLists.push(list);
    return;
  }
  const listAt = child(root, key);
  const items = listItems(body, key, root);
  for (let i = 0; i < items.length; i++) {
    issues.absorb(() => readItem(key, items[i], child(listAt, i), out, issues));
  }
}

function listItems(body: JsonObject, key: string, root: At): unknown[] {
  if (!Array.isArray(body[key])) fail(child(root, key), `expected "${key}" to be a list`, body[key]);
  return optArray(body, key, root);
}

function readItem(key: string, item: unknown, where: At, out: Collected, issues: IssueCollector): void {
  switch (key) {
    case 'Reservations': {
      const reservation = asObject(item, where, 'a reservation');
      const instancesAt = child(where, 'Instances');
      optArray(reservation, 'Instances', where).forEach((instance, i) => {
        const parsed = issues.absorb(() => parseInstance(instance, child(instancesAt, i), issues));
        if (parsed) {
          out.interfaces.push(...parsed.observations);
          out.unavailable.push(...parsed.unavailable);
        }
      });
      return;
    }
    case 'NetworkInterfaces':
      out.interfaces.push(parseNetworkInterface(item, where));
      return;
    case 'SecurityGroups': {
      const group = parseSecurityGroup(item, where, issues);
      if (group) out.groups.push(group);
      return;
    }
    case 'SecurityGroupRules':
      out.rules.push(parseSecurityGroupRule(item, where, issues));
      return;
    case 'NetworkAcls':
      out.acls.push(parseNetworkAcl(item, where, issues));
      return;
    case 'Subnets':
      out.subnets.push(...parseSubnet(item, where, issues));
      return;
    case 'PrefixLists':
      out.prefixListMetadata.push(parsePrefixListMetadata(item, where));
      return;
    default:
      throw new Error(`internal: no reader for EC2 export key ${key}`);
  }
}

function assemble(c: Collected, issues: IssueCollector): Cloud {
  const interfaces = mergeInterfaceViews(c.interfaces, issues);
  const groups = dedupeByKey(c.groups, (g) => g.id, (g) => `security group ${g.id}`, issues);
  const rules = dedupeByKey(c.rules, (r) => r.id, (r) => `security group rule ${r.id}`, issues);
  const prefixLists = dedupeByKey(c.prefixLists, (p) => p.id, (p) => `prefix list ${p.id}`, issues);
  const unavailable = [
    ...c.unavailable.filter((u) => !ownedBy(u, interfaces)),
    ...applyPrefixListMetadata(prefixLists, c.prefixListMetadata, issues),
  ];
  return {
    interfaces,
    securityGroups: assembleSecurityGroups(groups, rules, issues),
    networkAcls: dedupeByKey(c.acls, (a) => a.id, (a) => `network ACL ${a.id}`, issues),
    subnets: dedupeByKey(c.subnets, (s) => `${s.id}/${s.family}`, (s) => `subnet ${s.id} (IPv${s.family})`, issues),
    prefixLists,
    addressGroups: [],
    unavailable,
    providedKinds: [...c.kinds],
  };
}

/** An instance address reported as unavailable is resolved if some exported ENI owns it. */
function ownedBy(u: Unavailable, interfaces: readonly { addresses: { ip: string }[] }[]): boolean {
  return u.ip !== undefined && interfaces.some((i) => i.addresses.some((a) => a.ip === u.ip));
}

/**
 * Applies describe-managed-prefix-lists names to exported lists, and turns lists that were
 * described but whose entries were not exported into Unavailable, so rules that reference
 * them evaluate to unknown rather than to "matches nothing".
 */
function applyPrefixListMetadata(
  lists: PrefixList[],
  metadata: readonly PrefixListMetadata[],
  issues: IssueCollector,
): Unavailable[] {
  const unavailable: Unavailable[] = [];
  const seen = new Set<string>();
  for (const meta of metadata) {
    if (seen.has(meta.id)) continue;
    seen.add(meta.id);
    const list = lists.find((l) => l.id === meta.id);
    if (list) {
      if (meta.name !== undefined) list.name = meta.name;
      continue;
    }
    const reason =
      `prefix list ${meta.id} is described in ${meta.where.document} but its entries were not exported ` +
      `(run aws ec2 get-managed-prefix-list-entries --prefix-list-id ${meta.id})`;
    issues.warn(AwsWarningCode.prefixListEntriesMissing, reason, meta.where);
    unavailable.push({ kind: 'prefix-list', id: meta.id, reason });
  }
  return unavailable;
}
