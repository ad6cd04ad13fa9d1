import type { AddressGroup, IpFamily, Subnet } from '../../src/model/cloud.js';
import { formatCidr, tryParseCidr } from '../../src/model/cidr.js';
import type { EntryReader } from './translate-context.js';

/** A Neutron subnet, or undefined after a recorded problem. */
export function translateSubnet(r: EntryReader): Subnet | undefined {
  const id = r.requiredString('id');
  const cidrText = r.requiredString('cidr');
  const networkId = r.optionalString('network_id');
  const version = r.entry.ip_version;
  const family: IpFamily | undefined =
    version === 4 || version === 6 ? version : r.fail('ip_version', 'ip_version must be 4 or 6', version);
  const cidr = cidrText === undefined ? undefined : tryParseCidr(cidrText);
  if (cidrText !== undefined && !cidr) r.fail('cidr', 'not a valid CIDR', cidrText);
  if (cidr && family && cidr.family !== family) {
    r.fail('cidr', `cidr is IPv${cidr.family} but ip_version is ${family}`, cidrText);
    return undefined;
  }
  if (id === undefined || !cidr || !family) return undefined;
  const subnet: Subnet = { provider: 'openstack', id, cidr: formatCidr(cidr), family, source: r.source };
  if (networkId !== undefined) subnet.networkId = networkId;
  return subnet;
}

/** A Neutron address group (`remote_address_group_id` target), or undefined after a recorded problem. */
export function translateAddressGroup(r: EntryReader): AddressGroup | undefined {
  const id = r.requiredString('id');
  const arr = r.array('addresses');
  if (arr === 'absent') return r.fail('addresses', 'missing "addresses"; export address groups without a `fields=` filter');
  if (arr === undefined || id === undefined) return undefined;
  const cidrs: string[] = [];
  let ok = true;
  for (const { value, pointer } of arr.items) {
    const cidr = typeof value === 'string' ? tryParseCidr(value) : undefined;
    if (cidr) cidrs.push(formatCidr(cidr));
    else {
      r.issues.problem(r.document, pointer, 'address group entries must be IP addresses or CIDRs', value);
      ok = false;
    }
  }
  return ok ? { id, cidrs, source: r.source } : undefined;
}
