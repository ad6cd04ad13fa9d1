import type { ProtocolSpec } from '../../model/requirement.js';
import { hasPorts, portRange, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../../model/protocol.js';

const NAMES: Record<number, string> = { [PROTO_TCP]: 'tcp', [PROTO_UDP]: 'udp', [PROTO_ICMP]: 'icmp', [PROTO_ICMPV6]: 'ipv6-icmp' };

/**
 * Neutron `protocol`: a well-known name, otherwise the number as a string
 * (Neutron accepts 0-255), and null for every protocol.
 */
export function neutronProtocol(protocol: ProtocolSpec): string | null {
  if (protocol.number === undefined) return null;
  return NAMES[protocol.number] ?? String(protocol.number);
}

/** port_range_min/max, only for protocols that have ports. */
export function neutronPorts(protocol: ProtocolSpec, fromPort?: number, toPort?: number): { min: number; max: number } | undefined {
  if (!hasPorts(protocol)) return undefined;
  const r = portRange(fromPort, toPort);
  return { min: r.from, max: r.to };
}

export function ethertype(family: 4 | 6): 'IPv4' | 'IPv6' {
  return family === 4 ? 'IPv4' : 'IPv6';
}
