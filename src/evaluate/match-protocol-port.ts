import type { PortMatch, ProtocolMatch, SecurityGroupRule } from '../model/cloud.js';
import type { FlowRequirement } from '../model/requirement.js';

/** An inclusive destination-port interval. */
export interface PortInterval {
  from: number;
  to: number;
}

export const ALL_PORTS: PortInterval = { from: 0, to: 65535 };

/** What one flow requirement needs from a rule, in the model's terms. */
export interface RequiredTraffic {
  /** IANA number; undefined means every protocol must pass. */
  protocol: number | undefined;
  /**
   * Requirements without ports need the whole port space (a rule with `ports: all`). For an
   * ICMP flow this is the interval of the ICMP messages it needs (see icmpInterval).
   */
  ports: PortInterval;
}

/**
 * ICMP has no ports; its rules select messages by type and code instead. Both are 0-255, so
 * `type * 256 + code` maps every ICMP message onto 0-65535 one to one, and a rule's selection
 * (every type, one type with every code, one type and code) is an interval there. Reusing the
 * port intervals for it lets every check (cover, overlap, NACL first match) handle ICMP
 * without a branch, and type 3 can never stand in for type 8.
 */
export function icmpInterval(match: { type: number | 'any'; code: number | 'any' }): PortInterval {
  if (match.type === 'any') return ALL_PORTS;
  const base = match.type * 256;
  return match.code === 'any' ? { from: base, to: base + 255 } : { from: base + match.code, to: base + match.code };
}

export function requiredTraffic(req: FlowRequirement): RequiredTraffic {
  const protocol = req.protocol.number;
  if (req.icmp !== undefined) return { protocol, ports: icmpInterval(req.icmp) };
  if (req.fromPort === undefined) return { protocol, ports: ALL_PORTS };
  return { protocol, ports: { from: req.fromPort, to: req.toPort ?? req.fromPort } };
}

/**
 * A rule protocol matches when it is `any` or the same number. A requirement for
 * every protocol is only met by an `any` rule: a udp rule lets part of it through, not all.
 */
export function protocolMatches(rule: ProtocolMatch, needed: number | undefined): boolean {
  if (rule.kind === 'any') return true;
  return needed !== undefined && rule.number === needed;
}

/** True when the rule's protocol carries at least some of the required traffic. */
export function protocolOverlaps(rule: ProtocolMatch, needed: number | undefined): boolean {
  return rule.kind === 'any' || needed === undefined || rule.number === needed;
}

/**
 * True when the cloud's firewall drivers disagree on whether the rule carries `needed`: a
 * Neutron rule stored as `ipip` is protocol 4 under the OVS driver and 94 under iptables. Such
 * a rule proves nothing on its own, whichever number is required.
 */
export function driverDependentMatch(rule: Pick<SecurityGroupRule, 'protocolByDriver'>, needed: number | undefined): boolean {
  const d = rule.protocolByDriver;
  if (d === undefined || needed === undefined) return false;
  return (d.ovsFirewall === needed) !== (d.iptablesFirewall === needed);
}

/** protocolOverlaps, counting every number some driver reads the rule as. */
export function ruleProtocolOverlaps(rule: Pick<SecurityGroupRule, 'protocol' | 'protocolByDriver'>, needed: number | undefined): boolean {
  return protocolOverlaps(rule.protocol, needed) || driverDependentMatch(rule, needed);
}

/** The rule's selection as an interval: of ports, or of ICMP messages (see icmpInterval). */
export function portInterval(ports: PortMatch): PortInterval {
  if (ports.kind === 'all') return ALL_PORTS;
  if (ports.kind === 'icmp') return icmpInterval(ports);
  return { from: ports.from, to: ports.to };
}

export function portsCover(ports: PortMatch, need: PortInterval): boolean {
  if (ports.kind === 'all') return true;
  const iv = portInterval(ports);
  return iv.from <= need.from && need.to <= iv.to;
}

export function portsOverlap(ports: PortMatch, need: PortInterval): boolean {
  if (ports.kind === 'all') return true;
  const iv = portInterval(ports);
  return iv.from <= need.to && need.from <= iv.to;
}

/** Removes `cut` from a sorted list of disjoint intervals. */
export function subtractInterval(list: readonly PortInterval[], cut: PortInterval): PortInterval[] {
  const out: PortInterval[] = [];
  for (const iv of list) {
    if (cut.to < iv.from || iv.to < cut.from) {
      out.push(iv);
      continue;
    }
    if (iv.from < cut.from) out.push({ from: iv.from, to: cut.from - 1 });
    if (cut.to < iv.to) out.push({ from: cut.to + 1, to: iv.to });
  }
  return out;
}

export function intersectsAny(list: readonly PortInterval[], iv: PortInterval): boolean {
  return list.some((x) => x.from <= iv.to && iv.from <= x.to);
}
