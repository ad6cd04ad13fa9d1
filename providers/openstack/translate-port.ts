import type { InterfaceAddress, NetworkInterface } from '../../src/model/cloud.js';
import { bigIntToIp, formatCidr, ipFamily, ipToBigInt, isValidIp, tryParseCidr } from '../../src/model/cidr.js';
import type { EntryReader } from './translate-context.js';

/** Keys of `openstack port list -f json` rows; their presence means the user exported CLI table output. */
export const OSC_PORT_LIST_KEYS = ['ID', 'Fixed IP Addresses', 'MAC Address', 'Security Groups'];

export const OSC_PORT_LIST_REASON =
  'this is `openstack port list -f json` output, which is lossy (no port_security_enabled, ' +
  'allowed_address_pairs or device_id); export the Neutron API body instead: ' +
  '`curl -H "X-Auth-Token: $(openstack token issue -f value -c id)" "$NEUTRON/v2.0/ports"` ' +
  'or copy the RESP BODY printed by `openstack --debug port list`';

export function looksLikeOscPortRow(value: unknown): boolean {
  return typeof value === 'object' && value !== null && OSC_PORT_LIST_KEYS.some((k) => k in value);
}

/** A Neutron port, or undefined after a recorded problem. */
export function translatePort(r: EntryReader): NetworkInterface | undefined {
  if (looksLikeOscPortRow(r.entry) && !r.has('id')) {
    r.issues.problem(r.document, r.pointer, OSC_PORT_LIST_REASON);
    return undefined;
  }
  const id = r.requiredString('id');
  const addresses = readFixedIps(r);
  const securityGroupIds = r.stringArray('security_groups');
  if (securityGroupIds === 'absent') {
    r.fail('security_groups', 'missing "security_groups"; export ports without a `fields=` filter');
  }
  // Neutron's default when the port-security extension does not report the field.
  const portSecurityEnabled = r.booleanOr('port_security_enabled', true);
  const allowedAddressPairs = readAllowedAddressPairs(r);
  const instanceId = r.optionalString('device_id');
  const networkId = r.optionalString('network_id');
  const hostId = r.optionalString('binding:host_id');

  if (
    id === undefined ||
    addresses === undefined ||
    securityGroupIds === undefined ||
    securityGroupIds === 'absent' ||
    portSecurityEnabled === undefined ||
    allowedAddressPairs === undefined
  ) {
    return undefined;
  }
  const port: NetworkInterface = {
    provider: 'openstack',
    id,
    addresses,
    allowedAddressPairs,
    securityGroupIds,
    portSecurity: portSecurityEnabled ? 'enabled' : 'disabled',
    source: r.source,
  };
  if (instanceId !== undefined) port.instanceId = instanceId;
  if (networkId !== undefined) port.networkId = networkId;
  if (hostId !== undefined) port.hostId = hostId;
  return port;
}

function readFixedIps(r: EntryReader): InterfaceAddress[] | undefined {
  const arr = r.array('fixed_ips');
  if (arr === 'absent') return r.fail('fixed_ips', 'missing "fixed_ips"; export ports without a `fields=` filter');
  if (arr === undefined) return undefined;
  const out: InterfaceAddress[] = [];
  let ok = true;
  for (const { value, pointer } of arr.items) {
    const entry = r.child(value, pointer, 'a fixed_ips entry');
    const ip = entry?.requiredString('ip_address');
    const subnetId = entry?.optionalString('subnet_id');
    if (entry && ip !== undefined && !isValidIp(ip)) {
      entry.fail('ip_address', 'not a valid IP address', ip);
      ok = false;
    } else if (ip === undefined) {
      ok = false;
    } else {
      const address: InterfaceAddress = { ip: bigIntToIp(ipToBigInt(ip), ipFamily(ip)) };
      if (subnetId !== undefined) address.subnetId = subnetId;
      out.push(address);
    }
  }
  return ok ? out : undefined;
}

/** `allowed_address_pairs[].ip_address` is an IP or a CIDR; the model keeps canonical CIDRs. */
function readAllowedAddressPairs(r: EntryReader): string[] | undefined {
  const arr = r.array('allowed_address_pairs');
  // Absent: the allowed-address-pairs extension is off, so the port cannot have any.
  if (arr === 'absent') return [];
  if (arr === undefined) return undefined;
  const out: string[] = [];
  let ok = true;
  for (const { value, pointer } of arr.items) {
    const entry = r.child(value, pointer, 'an allowed_address_pairs entry');
    const text = entry?.requiredString('ip_address');
    const cidr = text === undefined ? undefined : tryParseCidr(text);
    if (entry && text !== undefined && !cidr) entry.fail('ip_address', 'not a valid IP address or CIDR', text);
    if (cidr) out.push(formatCidr(cidr));
    else ok = false;
  }
  return ok ? out : undefined;
}
