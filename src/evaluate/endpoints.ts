import type { FlowEndpoint } from '../model/requirement.js';
import type { IpFamily, NetworkInterface } from '../model/cloud.js';
import type { ClusterNode } from '../model/cluster.js';
import { cidrContainsCidr, tryParseCidr, type ParsedCidr } from '../model/cidr.js';
import { hostKey, type HostKey } from './snapshot-index.js';

interface AddressBase {
  /** As written in the inputs, for messages. */
  text: string;
  parsed: ParsedCidr;
  family: IpFamily;
}

/** One end of a flow, resolved to an address (VTEP) or a block (pod CIDR). */
export type EndpointAddress = (AddressBase & { kind: 'ip'; key: HostKey }) | (AddressBase & { kind: 'cidr' });

/** Why a node has no address for an endpoint; missingReason() turns it into text. */
export type MissingWhy = 'absent' | 'not-an-address' | 'other-family' | 'not-on-interface';

export interface MissingEndpoint {
  kind: 'missing';
  why: MissingWhy;
}

export type EndpointResolution = EndpointAddress | MissingEndpoint;

export const ENDPOINT_KINDS: readonly FlowEndpoint[] = ['node-vtep', 'node-vtep-v6', 'pod-cidr'];
export const SLOT_COUNT = ENDPOINT_KINDS.length * 2;

/** Dense index of (endpoint kind, family), so per-node resolutions live in a small array. */
export function endpointSlot(endpoint: FlowEndpoint, family: IpFamily): number {
  return ENDPOINT_KINDS.indexOf(endpoint) * 2 + (family === 6 ? 1 : 0);
}

/** How evidence names an endpoint without naming a node, so one reason fits a whole class. */
export function endpointLabel(endpoint: FlowEndpoint, side: 'source' | 'destination'): string {
  switch (endpoint) {
    case 'node-vtep':
      return `the ${side} VTEP address`;
    case 'node-vtep-v6':
      return `the ${side} IPv6 VTEP address`;
    case 'pod-cidr':
      return `the ${side} pod CIDR`;
  }
}

/**
 * Shared, one per cause: every node resolves all slots, most have some slot missing, and
 * only the few nodes that represent a class in a cell ever need the reason as text.
 */
const MISSING: Record<MissingWhy, MissingEndpoint> = {
  absent: Object.freeze({ kind: 'missing', why: 'absent' }),
  'not-an-address': Object.freeze({ kind: 'missing', why: 'not-an-address' }),
  'other-family': Object.freeze({ kind: 'missing', why: 'other-family' }),
  'not-on-interface': Object.freeze({ kind: 'missing', why: 'not-on-interface' }),
};

/**
 * Every endpoint slot of a node (laid out as endpointSlot gives: node-vtep 0/1, node-vtep-v6 2/3,
 * pod-cidr 4/5), parsing each address once: a VTEP or
 * pod CIDR fills the slot of its own family, and the other family's slot says why not.
 */
export function resolveEndpoints(node: ClusterNode, iface: NetworkInterface): EndpointResolution[] {
  const slots: EndpointResolution[] = [MISSING.absent, MISSING.absent, MISSING.absent, MISSING.absent, MISSING.absent, MISSING.absent];
  if (node.vtepIp !== undefined) hostAddress(node.vtepIp, slots, 0);
  if (node.vtepIpv6 !== undefined) {
    const own = hostAddress(node.vtepIpv6, slots, 2);
    if (own) {
      // A Neutron port may also send from its allowed-address pairs (see bind-nodes.ts).
      const onInterface =
        iface.addresses.some((a) => {
          const c = tryParseCidr(a.ip);
          return c !== undefined && hostKey(c) === own.key;
        }) ||
        (iface.provider === 'openstack' &&
          iface.allowedAddressPairs.some((p) => {
            const c = tryParseCidr(p);
            return c !== undefined && cidrContainsCidr(c, own.parsed);
          }));
      if (!onInterface) slots[2 + (own.family === 6 ? 1 : 0)] = MISSING['not-on-interface'];
    }
  }
  for (const text of node.podCidrs) {
    const c = tryParseCidr(text);
    if (!c) continue;
    const slot = 4 + (c.family === 6 ? 1 : 0);
    // The first pod CIDR of each family.
    if (slots[slot] === MISSING.absent) slots[slot] = { kind: 'cidr', text, parsed: c, family: c.family };
  }
  return slots;
}

/** The text of a missing resolution, as resolveEndpoint(index, node, iface, endpoint, family) found it. */
export function missingReason(node: ClusterNode, iface: NetworkInterface, endpoint: FlowEndpoint, family: IpFamily, why: MissingWhy): string {
  const name = node.name;
  if (endpoint === 'pod-cidr') return `node ${name} has no IPv${family} pod CIDR`;
  const v6 = endpoint === 'node-vtep-v6';
  const ip = (v6 ? node.vtepIpv6 : node.vtepIp) ?? '';
  const what = v6 ? 'IPv6 VTEP' : 'VTEP';
  switch (why) {
    case 'absent':
      return v6 ? `node ${name} has no IPv6 VTEP address (flannel public-ipv6)` : `node ${name} has no IPv4 VTEP address (flannel public-ip)`;
    case 'not-an-address':
      return `the ${what} ${JSON.stringify(ip)} of node ${name} is not an IP address`;
    case 'other-family':
      return `the ${what} ${ip} of node ${name} is IPv${family === 4 ? 6 : 4}, but the flow is IPv${family}`;
    case 'not-on-interface':
      return `the IPv6 VTEP ${ip} of node ${name} is not an address of ${iface.id}, which owns its VTEP`;
  }
}

/** Fills the two slots from `base` for one host address: its own family's, and the other one's cause. */
function hostAddress(ip: string, slots: EndpointResolution[], base: number): (EndpointAddress & { kind: 'ip' }) | undefined {
  const c = tryParseCidr(ip);
  if (!c) {
    slots[base] = slots[base + 1] = MISSING['not-an-address'];
    return undefined;
  }
  const address = { kind: 'ip' as const, text: ip, key: hostKey(c), parsed: c, family: c.family };
  slots[base + (c.family === 6 ? 1 : 0)] = address;
  slots[base + (c.family === 6 ? 0 : 1)] = MISSING['other-family'];
  return address;
}
