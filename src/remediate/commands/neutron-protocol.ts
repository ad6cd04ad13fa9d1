import type { IcmpMessage, ProtocolSpec } from '../../model/requirement.js';
import { hasPorts, isIcmp, portRange, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../../model/protocol.js';

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

/**
 * The ICMP type for port_range_min (`--icmp-type`); port_range_max (the code) stays unset, so
 * every code of the type passes. Undefined for other protocols and for every-type flows.
 */
export function neutronIcmpType(protocol: ProtocolSpec, icmp?: IcmpMessage): number | undefined {
  return isIcmp(protocol) ? icmp?.type : undefined;
}

export function ethertype(family: 4 | 6): 'IPv4' | 'IPv6' {
  return family === 4 ? 'IPv4' : 'IPv6';
}
