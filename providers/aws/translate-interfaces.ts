import type { InterfaceAddress, NetworkInterface, Unavailable } from '../../src/model/cloud.js';
import { isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import {
  AWS_STRING_LENGTH,
  asObject,
  child,
  optArray,
  optBool,
  optInteger,
  optString,
  reqCidr,
  reqIp,
  reqString,
  sourceRef,
  type At,
  type JsonObject,
} from './translate-read.js';
import { isValidIp } from '../../src/model/cidr.js';
import { withoutUndefined } from './translate-util.js';
import { AwsWarningCode } from './translate-warnings.js';

/**
 * Which export an interface was read from. The same ENI can appear in both; the
 * describe-network-interfaces view is the ENI's own record and wins on conflicts.
 */
export type InterfaceView = 'instance' | 'network-interface';

export interface InterfaceObservation {
  view: InterfaceView;
  iface: NetworkInterface;
}

export interface InstanceInterfaces {
  observations: InterfaceObservation[];
  /** Instance addresses whose ENI the export did not describe. */
  unavailable: Unavailable[];
}

/** One `Reservations[r].Instances[i]` entry of describe-instances. */
export function parseInstance(value: unknown, where: At, issues: IssueCollector): InstanceInterfaces {
  const instance = asObject(value, where, 'an instance');
  const instanceId = reqString(instance, 'InstanceId', where);
  const instanceSourceDestCheck = optBool(instance, 'SourceDestCheck', where);
  const enisAt = child(where, 'NetworkInterfaces');
  const enis = optArray(instance, 'NetworkInterfaces', where);
  const ip = instance['PrivateIpAddress'] !== undefined && instance['PrivateIpAddress'] !== null ? reqIp(instance, 'PrivateIpAddress', where) : undefined;
  if (enis.length === 0) {
    issues.warn(
      AwsWarningCode.instanceWithoutInterfaces,
      `instance ${instanceId} lists no NetworkInterfaces, so its security groups per interface are unknown` +
        ' (terminated instance, or an export trimmed with --query?)',
      where,
    );
    const unavailable: Unavailable[] = ip
      ? [
          {
            kind: 'network-interface',
            ip,
            reason: `instance ${instanceId} in ${where.document} has no NetworkInterfaces entry for ${ip}`,
          },
        ]
      : [];
    return { observations: [], unavailable };
  }
  const observations = enis.map((eniValue, n) => {
    const eniAt = child(enisAt, n);
    const eni = asObject(eniValue, eniAt, 'a network interface');
    const iface = parseInterfaceFields(eni, eniAt, instanceId);
    // The instance-level SourceDestCheck is the primary ENI's attribute.
    if (iface.sourceDestCheck === undefined && isPrimaryAttachment(eni, eniAt) && instanceSourceDestCheck !== undefined) {
      iface.sourceDestCheck = instanceSourceDestCheck;
    }
    return { view: 'instance' as const, iface };
  });
  return { observations, unavailable: [] };
}

/** One `NetworkInterfaces[n]` entry of describe-network-interfaces. */
export function parseNetworkInterface(value: unknown, where: At): InterfaceObservation {
  const eni = asObject(value, where, 'a network interface');
  const attachment = eni['Attachment'];
  const instanceId = isPlainObject(attachment) ? optString(attachment, 'InstanceId', child(where, 'Attachment')) : undefined;
  return { view: 'network-interface', iface: parseInterfaceFields(eni, where, instanceId) };
}

function isPrimaryAttachment(eni: JsonObject, where: At): boolean {
  const attachment = eni['Attachment'];
  if (!isPlainObject(attachment)) return false;
  return optInteger(attachment, 'DeviceIndex', child(where, 'Attachment')) === 0;
}

/** Fields common to an ENI in describe-instances and in describe-network-interfaces. */
function parseInterfaceFields(eni: JsonObject, where: At, instanceId: string | undefined): NetworkInterface {
  // Fields are validated in the order of the export's own layout so the first bad one is the one reported.
  const subnetId = optString(eni, 'SubnetId', where);
  // The primary address is checked even when PrivateIpAddresses lists it again: a bad one is a bad export either way.
  const primary = eni['PrivateIpAddress'] !== undefined && eni['PrivateIpAddress'] !== null ? reqIp(eni, 'PrivateIpAddress', where) : undefined;
  let ipv4 = entryFields(eni, ENI_LISTS.privateIps, where);
  if (ipv4.length === 0 && primary !== undefined) ipv4 = [primary];
  const ipv6 = entryFields(eni, ENI_LISTS.ipv6Addresses, where);
  const securityGroupIds = entryFields(eni, ENI_LISTS.groups, where);
  // Delegated prefixes are addresses the ENI may legitimately source traffic from, which
  // is what allowed-address-pairs mean in the model.
  const allowedAddressPairs = entryFields(eni, ENI_LISTS.ipv4Prefixes, where);
  for (const prefix of entryFields(eni, ENI_LISTS.ipv6Prefixes, where)) allowedAddressPairs.push(prefix);

  const addresses: InterfaceAddress[] = [];
  for (const ip of ipv4) addresses.push(subnetId ? { ip, subnetId } : { ip });
  for (const ip of ipv6) addresses.push(subnetId ? { ip, subnetId } : { ip });
  return awsInterface({
    id: reqString(eni, 'NetworkInterfaceId', where),
    instanceId,
    networkId: optString(eni, 'VpcId', where),
    addresses,
    allowedAddressPairs,
    securityGroupIds,
    sourceDestCheck: optBool(eni, 'SourceDestCheck', where),
    source: sourceRef(where),
  });
}

/** The fields of an AWS ENI that vary; the rest are the same for every ENI. */
export type AwsInterfaceFields = Omit<NetworkInterface, 'provider' | 'portSecurity' | 'hostId'>;

/**
 * The model ENI: `withoutUndefined({ provider: 'aws', ...fields, portSecurity: 'enabled' })` in the
 * field order below, absent optional fields left out (not undefined) so duplicates compare exactly.
 * An ENI with every optional field, the usual one, is built as one literal instead of copied:
 * copying every ENI through withoutUndefined added ~0.8 ms (5%) to the bench's translate stage.
 */
export function awsInterface(f: AwsInterfaceFields): NetworkInterface {
  const { id, instanceId, networkId, addresses, allowedAddressPairs, securityGroupIds, sourceDestCheck, source } = f;
  // EC2 always filters an ENI by its security groups; there is no port-security switch.
  const portSecurity = 'enabled';
  if (instanceId !== undefined && networkId !== undefined && sourceDestCheck !== undefined) {
    return { provider: 'aws', id, instanceId, networkId, addresses, allowedAddressPairs, securityGroupIds, portSecurity, sourceDestCheck, source };
  }
  return withoutUndefined({ provider: 'aws' as const, id, instanceId, networkId, addresses, allowedAddressPairs, securityGroupIds, portSecurity, sourceDestCheck, source });
}

/** A list of single-field entries on an ENI, such as `Groups: [{GroupId}]`. */
export interface EntryList {
  listKey: string;
  key: string;
  what: string;
  /** Reads the field of an entry, or throws naming it. */
  read: (obj: JsonObject, key: string, where: At) => string;
  /**
   * The field when `read` would return it as it is, else undefined. Absent when `read`
   * rewrites the field: prefixes are returned canonical, which may differ from the text.
   */
  readValid?: (entry: { readonly [key: string]: unknown }) => string | undefined;
}

export const ENI_LISTS = {
  privateIps: {
    listKey: 'PrivateIpAddresses',
    key: 'PrivateIpAddress',
    what: 'a PrivateIpAddresses entry',
    read: reqIp,
    readValid: (e) => (typeof e.PrivateIpAddress === 'string' && isValidIp(e.PrivateIpAddress) ? e.PrivateIpAddress : undefined),
  },
  ipv6Addresses: {
    listKey: 'Ipv6Addresses',
    key: 'Ipv6Address',
    what: 'an Ipv6Addresses entry',
    read: reqIp,
    readValid: (e) => (typeof e.Ipv6Address === 'string' && isValidIp(e.Ipv6Address) ? e.Ipv6Address : undefined),
  },
  groups: {
    listKey: 'Groups',
    key: 'GroupId',
    what: 'a Groups entry',
    read: reqString,
    readValid: (e) => (typeof e.GroupId === 'string' && e.GroupId !== '' && e.GroupId.length <= AWS_STRING_LENGTH ? e.GroupId : undefined),
  },
  ipv4Prefixes: { listKey: 'Ipv4Prefixes', key: 'Ipv4Prefix', what: 'a Ipv4Prefixes entry', read: reqCidr },
  ipv6Prefixes: { listKey: 'Ipv6Prefixes', key: 'Ipv6Prefix', what: 'a Ipv6Prefixes entry', read: reqCidr },
} satisfies Record<string, EntryList>;

/**
 * The field of every entry of `list` on `eni`, in order; throws naming the first bad entry.
 * The same as `optArray(eni, listKey).map((e, i) => read(asObject(e, at, what), key, at))`, `at`
 * being the entry's position, except that a valid field is taken by `readValid` and the position
 * is built only to name a bad entry. The bench's 5,000 ENIs hold 60,000 entries: that plain map
 * took its translate stage from ~20 to ~44 ms (median; 11 MB more garbage, hence scavenges).
 */
export function entryFields(eni: JsonObject, list: EntryList, where: At): string[] {
  const entries = optArray(eni, list.listKey, where);
  const values = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const valid = list.readValid && isPlainObject(entry) ? list.readValid(entry) : undefined;
    if (valid !== undefined) {
      values[i] = valid;
    } else {
      const entryAt = child(child(where, list.listKey), i);
      values[i] = list.read(asObject(entry, entryAt, list.what), list.key, entryAt);
    }
  }
  return values;
}
