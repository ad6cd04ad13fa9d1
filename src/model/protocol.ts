import type { ProtocolSpec } from './requirement.js';

export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** Protocols whose rules carry a destination port range (Neutron also knows dccp, sctp, udplite). */
const PORTED = new Set([PROTO_TCP, PROTO_UDP, 33, 132, 136]);

export function hasPorts(protocol: ProtocolSpec): boolean {
  return protocol.number !== undefined && PORTED.has(protocol.number);
}

export function isIcmp(protocol: ProtocolSpec): boolean {
  return protocol.number === PROTO_ICMP || protocol.number === PROTO_ICMPV6;
}

/** The port range a rule should carry: the requirement's, or every port when it names none. */
export function portRange(fromPort: number | undefined, toPort: number | undefined): { from: number; to: number } {
  return { from: fromPort ?? 0, to: toPort ?? fromPort ?? 65535 };
}

/** `udp 8472`, `udp 8472-8473`, `esp`, `all traffic`: how reports name a flow. */
export function describeFlow(protocol: ProtocolSpec, fromPort?: number, toPort?: number): string {
  if (protocol.number === undefined) return 'all traffic';
  if (fromPort === undefined) return protocol.name;
  const to = toPort ?? fromPort;
  return to === fromPort ? `${protocol.name} ${fromPort}` : `${protocol.name} ${fromPort}-${to}`;
}
