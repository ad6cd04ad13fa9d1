import type { PrefixList } from '../../src/model/cloud.js';
import type { IssueCollector } from '../../src/model/issues.js';
import {
  asObject,
  child,
  fail,
  optArray,
  optString,
  reqCidr,
  reqString,
  sourceRef,
  type At,
  type JsonObject,
} from './translate-read.js';
import { withoutUndefined } from './translate-util.js';
import { AwsWarningCode } from './translate-warnings.js';

const PREFIX_LIST_ID = /^pl-[0-9a-f]+$/i;
const PREFIX_LIST_ID_IN_NAME = /pl-[0-9a-f]{8,17}(?![0-9a-z])/i;

/**
 * A get-managed-prefix-list-entries document `{Entries: [...]}`. The CLI output does not
 * name the list, so the id comes from a `PrefixListId` key written next to `Entries`
 * (the live provider does this) or from the file name (`pl-0123abcd.json`).
 */
export function parsePrefixListEntries(body: JsonObject, where: At, issues: IssueCollector): PrefixList {
  const id = prefixListId(body, where, issues);
  const entriesAt = child(where, 'Entries');
  const cidrs = optArray(body, 'Entries', where).map((v, i) => {
    const entryAt = child(entriesAt, i);
    return reqCidr(asObject(v, entryAt, 'a prefix list entry'), 'Cidr', entryAt);
  });
  return { id, cidrs, source: sourceRef(entriesAt) };
}

function prefixListId(body: JsonObject, where: At, issues: IssueCollector): string {
  const fromName = basename(where.document).match(PREFIX_LIST_ID_IN_NAME)?.[0];
  if (body['PrefixListId'] !== undefined) {
    const id = reqString(body, 'PrefixListId', where);
    if (!PREFIX_LIST_ID.test(id)) fail(child(where, 'PrefixListId'), 'expected a prefix list id like "pl-0123abcd"', id);
    if (fromName !== undefined && fromName.toLowerCase() !== id.toLowerCase()) {
      issues.warn(
        AwsWarningCode.prefixListIdMismatch,
        `file name names ${fromName} but "PrefixListId" says ${id}; using ${id}`,
        child(where, 'PrefixListId'),
      );
    }
    return id;
  }
  if (fromName !== undefined) return fromName;
  fail(
    where,
    'get-managed-prefix-list-entries output does not say which prefix list it lists: add "PrefixListId": "pl-…" ' +
      'next to "Entries", or put the id in the file name (e.g. pl-0123456789abcdef0.json)',
  );
}

function basename(document: string): string {
  return document.split(/[\\/]/).pop() ?? document;
}

/** One `PrefixLists[i]` entry of describe-managed-prefix-lists: names a list, carries no CIDRs. */
export interface PrefixListMetadata {
  id: string;
  name?: string;
  where: At;
}

export function parsePrefixListMetadata(value: unknown, where: At): PrefixListMetadata {
  const obj = asObject(value, where, 'a prefix list');
  return withoutUndefined({
    id: reqString(obj, 'PrefixListId', where),
    name: optString(obj, 'PrefixListName', where),
    where,
  });
}
