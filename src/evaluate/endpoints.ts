import type { FlowEndpoint } from '../../rules/requirement.js';
import type { IpFamily, NetworkInterface } from '../model/cloud.js';
import type { ClusterNode } from '../model/cluster.js';
import type { ParsedCidr } from '../net/cidr.js';
import { hostKey, type SnapshotIndex } from './snapshot-index.js';

/** One end of a flow, resolved to an address (VTEP) or a block (pod CIDR). */
export interface EndpointAddress {
  kind: 'ip' | 'cidr';
  /** As written in the inputs, for messages. */
  text: string;
  /** hostKey for an ip; canonical identity for a cidr. */
  key: string;
  parsed: ParsedCidr;
  family: IpFamily;
}

export type EndpointResolution = EndpointAddress | { kind: 'missing'; reason: string };

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

export function resolveEndpoint(
  index: SnapshotIndex,
  node: ClusterNode,
  iface: NetworkInterface,
  endpoint: FlowEndpoint,
  family: IpFamily,
): EndpointResolution {
  switch (endpoint) {
    case 'node-vtep':
      if (node.vtepIp === undefined) return missing(`node ${node.name} has no IPv4 VTEP address (flannel public-ip)`);
      return hostAddress(index, node, node.vtepIp, family, 'VTEP');
    case 'node-vtep-v6': {
      if (node.vtepIpv6 === undefined) return missing(`node ${node.name} has no IPv6 VTEP address (flannel public-ipv6)`);
      const resolved = hostAddress(index, node, node.vtepIpv6, family, 'IPv6 VTEP');
      if (resolved.kind === 'missing') return resolved;
      const onInterface = iface.addresses.some((a) => {
        const c = index.cidr(a.ip);
        return c !== undefined && hostKey(c) === resolved.key;
      });
      if (!onInterface) {
        return missing(`the IPv6 VTEP ${node.vtepIpv6} of node ${node.name} is not an address of ${iface.id}, which owns its VTEP`);
      }
      return resolved;
    }
    case 'pod-cidr': {
      for (const text of node.podCidrs) {
        const c = index.cidr(text);
        if (c && c.family === family) return { kind: 'cidr', text, key: `${c.family}:${c.first.toString(16)}/${c.prefix}`, parsed: c, family };
      }
      return missing(`node ${node.name} has no IPv${family} pod CIDR`);
    }
  }
}

function hostAddress(index: SnapshotIndex, node: ClusterNode, ip: string, family: IpFamily, what: string): EndpointResolution {
  const c = index.cidr(ip);
  if (!c) return missing(`the ${what} ${JSON.stringify(ip)} of node ${node.name} is not an IP address`);
  if (c.family !== family) return missing(`the ${what} ${ip} of node ${node.name} is IPv${c.family}, but the flow is IPv${family}`);
  return { kind: 'ip', text: ip, key: hostKey(c), parsed: c, family };
}

function missing(reason: string): EndpointResolution {
  return { kind: 'missing', reason };
}
