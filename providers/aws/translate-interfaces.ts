import type { InterfaceAddress, NetworkInterface, Unavailable } from '../../src/model/cloud.js';
import { isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import {
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
  if (enis.length === 0) {
    const ip = optString(instance, 'PrivateIpAddress', where);
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
  const ipv4 = entryStrings(eni, PRIVATE_IPS, where);
  if (ipv4.length === 0 && eni['PrivateIpAddress'] !== undefined) ipv4.push(reqIp(eni, 'PrivateIpAddress', where));
  const ipv6 = entryStrings(eni, IPV6_ADDRESSES, where);
  const securityGroupIds = entryStrings(eni, GROUPS, where);
  // Delegated prefixes are addresses the ENI may legitimately source traffic from, which
  // is what allowed-address-pairs mean in the model.
  const allowedAddressPairs = entryStrings(eni, IPV4_PREFIXES, where);
  for (const prefix of entryStrings(eni, IPV6_PREFIXES, where)) allowedAddressPairs.push(prefix);
  const id = reqString(eni, 'NetworkInterfaceId', where);
  const networkId = optString(eni, 'VpcId', where);
  const sourceDestCheck = optBool(eni, 'SourceDestCheck', where);

  const addresses = new Array<InterfaceAddress>(ipv4.length + ipv6.length);
  for (let i = 0; i < ipv4.length; i++) addresses[i] = subnetId ? { ip: ipv4[i]!, subnetId } : { ip: ipv4[i]! };
  for (let i = 0; i < ipv6.length; i++) addresses[ipv4.length + i] = subnetId ? { ip: ipv6[i]!, subnetId } : { ip: ipv6[i]! };
  const source = sourceRef(where);
  // EC2 always filters an ENI by its security groups; there is no port-security switch.
  const portSecurity = 'enabled' as const;
  // The usual ENI has every optional field: one literal then, rather than a copy that drops
  // absent ones (left out, not undefined, so duplicates compare exactly) and grows as it goes.
  if (instanceId !== undefined && networkId !== undefined && sourceDestCheck !== undefined) {
    return { provider: 'aws', id, instanceId, networkId, addresses, allowedAddressPairs, securityGroupIds, portSecurity, sourceDestCheck, source };
  }
  return withoutUndefined({ provider: 'aws' as const, id, instanceId, networkId, addresses, allowedAddressPairs, securityGroupIds, portSecurity, sourceDestCheck, source });
}

/** One list of single-field entries on an ENI, such as `Groups: [{GroupId}]`. */
interface EntryList {
  listKey: string;
  key: string;
  what: string;
  /** Reads the field of a valid entry or throws naming it. */
  read: (obj: JsonObject, key: string, where: At) => string;
  /**
   * The field's value when `read` would return it unchanged, else undefined. A plain property
   * read per list keeps this fast; `read` and the positions only a message needs are then skipped.
   */
  fast?: (entry: { readonly [key: string]: unknown }) => string | undefined;
}

const PRIVATE_IPS: EntryList = {
  listKey: 'PrivateIpAddresses',
  key: 'PrivateIpAddress',
  what: 'a PrivateIpAddresses entry',
  read: reqIp,
  fast: (e) => (typeof e.PrivateIpAddress === 'string' && isValidIp(e.PrivateIpAddress) ? e.PrivateIpAddress : undefined),
};
const IPV6_ADDRESSES: EntryList = {
  listKey: 'Ipv6Addresses',
  key: 'Ipv6Address',
  what: 'an Ipv6Addresses entry',
  read: reqIp,
  fast: (e) => (typeof e.Ipv6Address === 'string' && isValidIp(e.Ipv6Address) ? e.Ipv6Address : undefined),
};
const GROUPS: EntryList = {
  listKey: 'Groups',
  key: 'GroupId',
  what: 'a Groups entry',
  read: reqString,
  fast: (e) => (typeof e.GroupId === 'string' && e.GroupId !== '' ? e.GroupId : undefined),
};
// Prefixes are returned canonical, which may differ from the text: always read.
const IPV4_PREFIXES: EntryList = { listKey: 'Ipv4Prefixes', key: 'Ipv4Prefix', what: 'a Ipv4Prefixes entry', read: reqCidr };
const IPV6_PREFIXES: EntryList = { listKey: 'Ipv6Prefixes', key: 'Ipv6Prefix', what: 'a Ipv6Prefixes entry', read: reqCidr };

/** The field of every entry of `list` on `eni`, in order; throws naming the first bad entry. */
function entryStrings(eni: JsonObject, list: EntryList, where: At): string[] {
  const entries = optArray(eni, list.listKey, where);
  // Sized up front: growing by push would allocate room for 17 strings to hold one address.
  const out = new Array<string>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const value = list.fast && isPlainObject(entry) ? list.fast(entry) : undefined;
    if (value !== undefined) {
      out[i] = value;
      continue;
    }
    const entryAt = child(child(where, list.listKey), i);
    out[i] = list.read(asObject(entry, entryAt, list.what), list.key, entryAt);
  }
  return out;
}
