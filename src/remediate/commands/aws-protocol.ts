import type { IcmpMessage, ProtocolSpec } from '../../model/requirement.js';
import { hasPorts, isIcmp, portRange, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../../model/protocol.js';

/**
 * EC2 `IpProtocol` plus the From/To ports a permission needs. EC2 ignores ports for
 * protocols other than tcp/udp/icmp/icmpv6, so those get a bare protocol number.
 */
export interface AwsPermissionProtocol {
  ipProtocol: string;
  ports?: { from: number; to: number };
}

const NAMES: Record<number, string> = { [PROTO_TCP]: 'tcp', [PROTO_UDP]: 'udp', [PROTO_ICMP]: 'icmp', [PROTO_ICMPV6]: 'icmpv6' };

export function awsPermissionProtocol(protocol: ProtocolSpec, fromPort?: number, toPort?: number, icmp?: IcmpMessage): AwsPermissionProtocol {
  if (protocol.number === undefined) return { ipProtocol: '-1' };
  const name = NAMES[protocol.number];
  if (name === undefined) return { ipProtocol: String(protocol.number) };
  // ICMP "ports" are FromPort = type, ToPort = code (EC2 IpPermission); -1 is all. A flow that
  // names its message gets exactly that type with every code; one that does not, every type.
  if (isIcmp(protocol)) return { ipProtocol: name, ports: { from: icmp?.type ?? -1, to: -1 } };
  return { ipProtocol: name, ports: portRange(fromPort, toPort) };
}

/** Network ACL entries take the protocol as a number string; `-1` is every protocol. */
export function awsAclProtocol(protocol: ProtocolSpec): string {
  return protocol.number === undefined ? '-1' : String(protocol.number);
}

/** IcmpTypeCode of a NACL entry: the flow's type with every code, or every type. */
export function awsAclIcmp(protocol: ProtocolSpec, icmp?: IcmpMessage): { type: number; code: number } | undefined {
  if (!isIcmp(protocol)) return undefined;
  return { type: icmp?.type ?? -1, code: -1 };
}

export function aclNeedsPortRange(protocol: ProtocolSpec): boolean {
  return hasPorts(protocol) && (protocol.number === PROTO_TCP || protocol.number === PROTO_UDP);
}
