import type { DriverDependentProtocol, IpFamily, ProtocolMatch } from '../../src/model/cloud.js';
import { ownEntry } from '../../src/model/collections.js';

/**
 * Protocol names the Neutron security-group API accepts, with their IANA numbers
 * (neutron-lib `IP_PROTOCOL_MAP`, plus `icmpv6`, the legacy alias of `ipv6-icmp`, and `encap`).
 * `any` is not here: it means "every protocol", not a number.
 */
export const NEUTRON_PROTOCOL_NUMBERS: Readonly<Record<string, number>> = {
  icmp: 1,
  igmp: 2,
  ipip: 4,
  tcp: 6,
  egp: 8,
  udp: 17,
  dccp: 33,
  'ipv6-encap': 41,
  'ipv6-route': 43,
  'ipv6-frag': 44,
  rsvp: 46,
  gre: 47,
  esp: 50,
  ah: 51,
  'ipv6-icmp': 58,
  icmpv6: 58,
  'ipv6-nonxt': 59,
  'ipv6-opts': 60,
  ospf: 89,
  encap: 98,
  vrrp: 112,
  pgm: 113,
  sctp: 132,
  udplite: 136,
};

/**
 * Names whose number the iptables(-hybrid) firewall driver reads differently from the API and
 * the OVS driver. The iptables driver hands a stored name to `iptables -p <name>`
 * (`iptables_firewall.py`, `_iptables_protocol_name`), so the host's /etc/protocols decides,
 * and there `ipip` is 94 (`ipencap` is 4). The OVS driver converts names through neutron-lib's
 * `IP_PROTOCOL_MAP` (`openvswitch_firewall/firewall.py`), where `ipip` is 4. Every other name
 * in NEUTRON_PROTOCOL_NUMBERS has the same number in /etc/protocols, or is rewritten by the
 * driver's own `IPTABLES_PROTOCOL_NAME_MAP` (`ipv6-encap`, `icmpv6`).
 */
const IPTABLES_NUMBERS: Readonly<Record<string, number>> = { ipip: 94 };

/**
 * How each firewall driver reads a stored `protocol`, when they disagree; undefined when every
 * driver applies the same number (any number, and every other name). Neutron stores a name
 * lower-cased (`convert_protocol` in `neutron/extensions/securitygroup.py`).
 */
export function driverDependentProtocol(value: unknown): DriverDependentProtocol | undefined {
  if (typeof value !== 'string') return undefined;
  const name = value.trim().toLowerCase();
  const iptables = ownEntry(IPTABLES_NUMBERS, name);
  const ovs = ownEntry(NEUTRON_PROTOCOL_NUMBERS, name);
  if (iptables === undefined || ovs === undefined || iptables === ovs) return undefined;
  return { name, ovsFirewall: ovs, iptablesFirewall: iptables };
}

export const PROTOCOL_ICMP = 1;
export const PROTOCOL_ICMPV6 = 58;

/** Protocols whose `port_range_min`/`port_range_max` are destination ports (neutron `SG_PORT_PROTO_NUMS`). */
const PORTED_PROTOCOLS: ReadonlySet<number> = new Set([6, 17, 33, 132, 136]);

export function hasPorts(protocol: ProtocolMatch): boolean {
  return protocol.kind === 'number' && PORTED_PROTOCOLS.has(protocol.number);
}

export function isIcmp(protocol: ProtocolMatch): boolean {
  return protocol.kind === 'number' && (protocol.number === PROTOCOL_ICMP || protocol.number === PROTOCOL_ICMPV6);
}

export type ProtocolParse = { ok: true; protocol: ProtocolMatch } | { ok: false; reason: string };

const ANY: ProtocolMatch = { kind: 'any' };

/**
 * Normalizes a Neutron rule `protocol` (null, `any`, a name, or a number 0-255 as
 * number or numeric string) for a rule of the given ethertype family.
 *
 * Protocol 0 means "any": Neutron's firewall drivers emit no protocol match for it.
 * On an IPv6 rule, `icmp`/`icmpv6`/`1` are applied as ICMPv6 (58): Neutron's
 * `_get_ip_proto_name_and_num` and the iptables driver rewrite these legacy forms.
 */
export function parseNeutronProtocol(value: unknown, family: IpFamily): ProtocolParse {
  const parsed = parseProtocolValue(value);
  if (!parsed.ok) return parsed;
  if (family === 6 && parsed.protocol.kind === 'number' && parsed.protocol.number === PROTOCOL_ICMP) {
    return { ok: true, protocol: { kind: 'number', number: PROTOCOL_ICMPV6 } };
  }
  return parsed;
}

function parseProtocolValue(value: unknown): ProtocolParse {
  if (value === null || value === undefined) return { ok: true, protocol: ANY };
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value !== 'string') {
    return { ok: false, reason: 'protocol must be null, a protocol name or a number 0-255' };
  }
  const text = value.trim().toLowerCase();
  if (text === 'any') return { ok: true, protocol: ANY };
  if (/^\d+$/.test(text)) return fromNumber(Number(text));
  const number = ownEntry(NEUTRON_PROTOCOL_NUMBERS, text);
  if (number === undefined) {
    return {
      ok: false,
      reason: `unknown protocol name; expected any, a number 0-255 or one of ${Object.keys(NEUTRON_PROTOCOL_NUMBERS).join(', ')}`,
    };
  }
  return { ok: true, protocol: { kind: 'number', number } };
}

function fromNumber(n: number): ProtocolParse {
  if (!Number.isInteger(n) || n < 0 || n > 255) {
    return { ok: false, reason: 'protocol number must be an integer 0-255' };
  }
  return { ok: true, protocol: n === 0 ? ANY : { kind: 'number', number: n } };
}
