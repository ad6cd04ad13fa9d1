import type { NetworkAcl, NetworkAclEntry } from '../../src/model/cloud.js';
import type { IssueCollector } from '../../src/model/issues.js';
import { networkAclPorts, parseProtocol } from './translate-protocol.js';
import {
  asObject,
  child,
  fail,
  optArray,
  optBool,
  optString,
  reqBool,
  reqCidr,
  reqInteger,
  reqString,
  sourceRef,
  type At,
  type JsonObject,
} from './translate-read.js';
import { cidrFamily, withoutUndefined } from './translate-util.js';

/** One `NetworkAcls[i]` entry of describe-network-acls. */
export function parseNetworkAcl(value: unknown, where: At, issues: IssueCollector): NetworkAcl {
  const acl = asObject(value, where, 'a network ACL');
  const entriesAt = child(where, 'Entries');
  const entries = optArray(acl, 'Entries', where).map((v, i) =>
    parseEntry(asObject(v, child(entriesAt, i), 'a network ACL entry'), child(entriesAt, i), issues),
  );
  const associationsAt = child(where, 'Associations');
  const subnetIds = optArray(acl, 'Associations', where).map((v, i) => {
    const entryAt = child(associationsAt, i);
    return reqString(asObject(v, entryAt, 'an Associations entry'), 'SubnetId', entryAt);
  });
  return withoutUndefined({
    provider: 'aws' as const,
    id: reqString(acl, 'NetworkAclId', where),
    vpcId: optString(acl, 'VpcId', where),
    // Informational only: the entries decide, and the default ACL's allow-all entries are
    // listed like any others, so a missing flag does not change a verdict.
    isDefault: optBool(acl, 'IsDefault', where) ?? false,
    subnetIds,
    entries,
    source: sourceRef(where),
  });
}

function parseEntry(entry: JsonObject, where: At, issues: IssueCollector): NetworkAclEntry {
  const ruleNumber = reqInteger(entry, 'RuleNumber', where);
  // 1-32766 are user rules; 32767 (IPv4) and 32768 (IPv6) are the implicit "*" deny entries.
  if (ruleNumber < 1 || ruleNumber > 65535) {
    fail(child(where, 'RuleNumber'), 'rule number must be between 1 and 65535', ruleNumber);
  }
  const protocol = parseProtocol(entry['Protocol'], child(where, 'Protocol'));
  return {
    ruleNumber,
    direction: reqBool(entry, 'Egress', where) ? 'egress' : 'ingress',
    action: parseAction(entry, where),
    protocol,
    ports: networkAclPorts(protocol, entry, where, issues),
    cidr: entryCidr(entry, where),
    source: sourceRef(where),
  };
}

function parseAction(entry: JsonObject, where: At): 'allow' | 'deny' {
  const action = reqString(entry, 'RuleAction', where);
  if (action !== 'allow' && action !== 'deny') {
    fail(child(where, 'RuleAction'), 'RuleAction must be "allow" or "deny"', action);
  }
  return action;
}

function entryCidr(entry: JsonObject, where: At): string {
  const has4 = entry['CidrBlock'] !== undefined && entry['CidrBlock'] !== null;
  const has6 = entry['Ipv6CidrBlock'] !== undefined && entry['Ipv6CidrBlock'] !== null;
  if (has4 === has6) {
    fail(where, `a network ACL entry needs exactly one of CidrBlock, Ipv6CidrBlock; found ${has4 ? 'both' : 'none'}`);
  }
  const key = has4 ? 'CidrBlock' : 'Ipv6CidrBlock';
  const cidr = reqCidr(entry, key, where);
  const family = has4 ? 4 : 6;
  if (cidrFamily(cidr) !== family) fail(child(where, key), `"${key}" must be an IPv${family} CIDR`, entry[key]);
  return cidr;
}
