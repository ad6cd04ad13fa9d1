import type { IcmpMatch, PortMatch, ProtocolMatch } from '../../src/model/cloud.js';
import { ownEntry } from '../../src/model/collections.js';
import { isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import { child, fail, optInteger, type At, type JsonObject } from './translate-read.js';
import { AwsWarningCode } from './translate-warnings.js';

const TCP = 6;
const UDP = 17;
const ICMP = 1;
const ICMPV6 = 58;

const NAMED: Record<string, number> = { tcp: TCP, udp: UDP, icmp: ICMP, icmpv6: ICMPV6 };

/**
 * EC2 protocol field (`IpProtocol` of a security-group rule, `Protocol` of a NACL entry).
 * The CLI and SDK give strings; a bare JSON number is accepted too because hand-written
 * exports use it and it is unambiguous.
 */
export function parseProtocol(value: unknown, where: At): ProtocolMatch {
  const text = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
  if (typeof text === 'string') {
    const lower = text.trim().toLowerCase();
    if (lower === '-1') return { kind: 'any' };
    const named = ownEntry(NAMED, lower);
    if (named !== undefined) return { kind: 'number', number: named };
    if (/^\d{1,3}$/.test(lower)) {
      const n = Number(lower);
      if (n <= 255) return { kind: 'number', number: n };
    }
  }
  fail(where, 'unknown IP protocol: expected tcp, udp, icmp, icmpv6, "-1" (all) or a protocol number 0-255', value);
}

/** Only TCP and UDP rules are port-scoped; AWS ignores the range for every other protocol. */
function hasPorts(protocol: ProtocolMatch): boolean {
  return protocol.kind === 'number' && (protocol.number === TCP || protocol.number === UDP);
}

function isIcmp(protocol: ProtocolMatch): boolean {
  return protocol.kind === 'number' && (protocol.number === ICMP || protocol.number === ICMPV6);
}

function portRange(
  from: number,
  to: number,
  fromAt: At,
  toAt: At,
): PortMatch {
  if (from < 0 || from > 65535) fail(fromAt, 'port must be between 0 and 65535', from);
  if (to < 0 || to > 65535) fail(toAt, 'port must be between 0 and 65535', to);
  if (from > to) fail(toAt, `port range end is lower than its start (${from})`, to);
  return { kind: 'range', from, to };
}

/**
 * ICMP type and code from EC2's two fields, -1 meaning all (EC2 API reference, IpPermission:
 * "If the protocol is ICMP or ICMPv6, this is the ICMP type or -1 (all ICMP types)" for
 * FromPort, the ICMP code or -1 for ToPort; IcmpTypeCode: "A value of -1 means all types",
 * "-1 means all codes for the specified ICMP type"). Absent fields are read as -1, which is how
 * an unconstrained rule is written, with a warning. A code under "all types" cannot narrow
 * anything, so it is refused rather than guessed at.
 */
function icmpMatch(
  type: number | undefined,
  code: number | undefined,
  typeAt: At,
  codeAt: At,
  where: At,
  issues: IssueCollector,
): IcmpMatch {
  if (type !== undefined && (type < -1 || type > 255)) fail(typeAt, 'ICMP type must be -1 (all types) or 0-255', type);
  if (code !== undefined && (code < -1 || code > 255)) fail(codeAt, 'ICMP code must be -1 (all codes) or 0-255', code);
  if (type === undefined || code === undefined) {
    issues.warn(AwsWarningCode.portsMissing, `ICMP rule has no ${type === undefined ? 'type' : 'code'}; treated as -1 (all)`, where);
  }
  const t = type === undefined || type === -1 ? 'any' : type;
  const c = code === undefined || code === -1 ? 'any' : code;
  if (t === 'any' && c !== 'any') fail(codeAt, 'an ICMP code needs an ICMP type; with type -1 (all types) the code must be -1 too', code);
  return { kind: 'icmp', type: t, code: c };
}

/** Ports of a security-group permission or rule (`FromPort`/`ToPort` on `obj`); for ICMP they hold type and code. */
export function securityGroupPorts(
  protocol: ProtocolMatch,
  obj: JsonObject,
  where: At,
  issues: IssueCollector,
  // Terraform's aws_security_group* resources name the same fields from_port/to_port.
  keys: { from: string; to: string } = { from: 'FromPort', to: 'ToPort' },
): PortMatch {
  const from = optInteger(obj, keys.from, where);
  const to = optInteger(obj, keys.to, where);
  if (isIcmp(protocol)) return icmpMatch(from, to, child(where, keys.from), child(where, keys.to), where, issues);
  if (!hasPorts(protocol)) return { kind: 'all' };
  if ((from === undefined && to === undefined) || (from === -1 && to === -1)) {
    // EC2 refuses to create a TCP/UDP rule without ports, so this comes from a trimmed or
    // hand-written export. All ports is what an unconstrained rule means; say so loudly.
    issues.warn(
      AwsWarningCode.portsMissing,
      'TCP/UDP rule has no port range (FromPort/ToPort absent or -1); treated as all ports',
      where,
    );
    return { kind: 'all' };
  }
  if (from === undefined) fail(child(where, keys.from), `${keys.from} is missing while ${keys.to} is ${to}`);
  if (to === undefined) fail(child(where, keys.to), `${keys.to} is missing while ${keys.from} is ${from}`);
  return portRange(from, to, child(where, keys.from), child(where, keys.to));
}

/** Type and code of an ICMP NACL entry given as two separate values (Terraform's icmp_type/icmp_code). */
export interface IcmpValues {
  type: number | undefined;
  code: number | undefined;
  typeAt: At;
  codeAt: At;
}

/** Ports of a NACL entry given as separate values (Terraform's from_port/to_port, icmp_type/icmp_code). */
export function networkAclPortValues(
  protocol: ProtocolMatch,
  from: number,
  to: number,
  fromAt: At,
  toAt: At,
  /** Read only for ICMP entries, so a computed icmp_type on a TCP entry is no reason to stop. */
  readIcmp: () => IcmpValues,
  where: At,
  issues: IssueCollector,
): PortMatch {
  if (isIcmp(protocol)) {
    const icmp = readIcmp();
    return icmpMatch(icmp.type, icmp.code, icmp.typeAt, icmp.codeAt, where, issues);
  }
  if (!hasPorts(protocol)) return { kind: 'all' };
  return portRange(from, to, fromAt, toAt);
}

/**
 * Ports of a network-ACL entry: `PortRange: {From, To}` for TCP and UDP, `IcmpTypeCode:
 * {Type, Code}` for ICMP and ICMPv6 (EC2 API reference, NetworkAclEntry).
 */
export function networkAclPorts(
  protocol: ProtocolMatch,
  entry: JsonObject,
  where: At,
  issues: IssueCollector,
): PortMatch {
  if (isIcmp(protocol)) {
    const value = entry['IcmpTypeCode'];
    const at = child(where, 'IcmpTypeCode');
    if (value === undefined || value === null) return icmpMatch(undefined, undefined, at, at, where, issues);
    if (!isPlainObject(value)) fail(at, 'expected "IcmpTypeCode" to be an object {Type, Code}', value);
    return icmpMatch(optInteger(value, 'Type', at), optInteger(value, 'Code', at), child(at, 'Type'), child(at, 'Code'), where, issues);
  }
  if (!hasPorts(protocol)) return { kind: 'all' };
  const range = entry['PortRange'];
  const rangeAt = child(where, 'PortRange');
  if (range === undefined || range === null) {
    issues.warn(AwsWarningCode.portsMissing, 'TCP/UDP network ACL entry has no PortRange; treated as all ports', where);
    return { kind: 'all' };
  }
  if (!isPlainObject(range)) fail(rangeAt, 'expected "PortRange" to be an object {From, To}', range);
  const from = optInteger(range, 'From', rangeAt);
  const to = optInteger(range, 'To', rangeAt);
  if (from === undefined) fail(child(rangeAt, 'From'), 'required field "From" is missing');
  if (to === undefined) fail(child(rangeAt, 'To'), 'required field "To" is missing');
  return portRange(from, to, child(rangeAt, 'From'), child(rangeAt, 'To'));
}
