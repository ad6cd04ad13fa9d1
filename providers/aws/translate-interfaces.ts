import type { InterfaceAddress, NetworkInterface, Unavailable } from '../../src/model/cloud.js';
import type { Warning } from '../../src/model/source.js';
import {
  asObject,
  child,
  isJsonObject,
  optArray,
  optBool,
  optInteger,
  optString,
  reqCidr,
  reqIp,
  reqString,
  sourceRef,
  warning,
  type At,
  type JsonObject,
} from './translate-read.js';
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
export function parseInstance(value: unknown, where: At, warnings: Warning[]): InstanceInterfaces {
  const instance = asObject(value, where, 'an instance');
  const instanceId = reqString(instance, 'InstanceId', where);
  const instanceSourceDestCheck = optBool(instance, 'SourceDestCheck', where);
  const enisAt = child(where, 'NetworkInterfaces');
  const enis = optArray(instance, 'NetworkInterfaces', where);
  if (enis.length === 0) {
    const ip = optString(instance, 'PrivateIpAddress', where);
    warnings.push(
      warning(
        AwsWarningCode.instanceWithoutInterfaces,
        `instance ${instanceId} lists no NetworkInterfaces, so its security groups per interface are unknown` +
          ' (terminated instance, or an export trimmed with --query?)',
        where,
      ),
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
  const attachmentAt = child(where, 'Attachment');
  const instanceId = isJsonObject(attachment) ? optString(attachment, 'InstanceId', attachmentAt) : undefined;
  return { view: 'network-interface', iface: parseInterfaceFields(eni, where, instanceId) };
}

function isPrimaryAttachment(eni: JsonObject, where: At): boolean {
  const attachment = eni['Attachment'];
  if (!isJsonObject(attachment)) return false;
  return optInteger(attachment, 'DeviceIndex', child(where, 'Attachment')) === 0;
}

/** Fields common to an ENI in describe-instances and in describe-network-interfaces. */
function parseInterfaceFields(eni: JsonObject, where: At, instanceId: string | undefined): NetworkInterface {
  const subnetId = optString(eni, 'SubnetId', where);
  const withSubnet = (ip: string): InterfaceAddress => (subnetId ? { ip, subnetId } : { ip });

  const privateAt = child(where, 'PrivateIpAddresses');
  let ipv4 = optArray(eni, 'PrivateIpAddresses', where).map((v, i) => {
    const entryAt = child(privateAt, i);
    return reqIp(asObject(v, entryAt, 'a PrivateIpAddresses entry'), 'PrivateIpAddress', entryAt);
  });
  if (ipv4.length === 0 && eni['PrivateIpAddress'] !== undefined) ipv4 = [reqIp(eni, 'PrivateIpAddress', where)];

  const ipv6At = child(where, 'Ipv6Addresses');
  const ipv6 = optArray(eni, 'Ipv6Addresses', where).map((v, i) => {
    const entryAt = child(ipv6At, i);
    return reqIp(asObject(v, entryAt, 'an Ipv6Addresses entry'), 'Ipv6Address', entryAt);
  });

  const groupsAt = child(where, 'Groups');
  const securityGroupIds = optArray(eni, 'Groups', where).map((v, i) => {
    const entryAt = child(groupsAt, i);
    return reqString(asObject(v, entryAt, 'a Groups entry'), 'GroupId', entryAt);
  });

  // Delegated prefixes are addresses the ENI may legitimately source traffic from, which
  // is what allowed-address-pairs mean in the model.
  const allowedAddressPairs = [
    ...prefixes(eni, 'Ipv4Prefixes', 'Ipv4Prefix', where),
    ...prefixes(eni, 'Ipv6Prefixes', 'Ipv6Prefix', where),
  ];

  return withoutUndefined({
    provider: 'aws' as const,
    id: reqString(eni, 'NetworkInterfaceId', where),
    instanceId,
    networkId: optString(eni, 'VpcId', where),
    addresses: [...ipv4, ...ipv6].map(withSubnet),
    allowedAddressPairs,
    securityGroupIds,
    // EC2 always filters an ENI by its security groups; there is no port-security switch.
    portSecurity: 'enabled' as const,
    sourceDestCheck: optBool(eni, 'SourceDestCheck', where),
    source: sourceRef(where),
  });
}

function prefixes(eni: JsonObject, listKey: string, key: string, where: At): string[] {
  const listAt = child(where, listKey);
  return optArray(eni, listKey, where).map((v, i) => {
    const entryAt = child(listAt, i);
    return reqCidr(asObject(v, entryAt, `a ${listKey} entry`), key, entryAt);
  });
}
