import type {
  CloudObjectKind,
  Direction,
  NetworkAcl,
  NetworkAclEntry,
  NetworkInterface,
  SecurityGroup,
  SecurityGroupRule,
  Unavailable,
} from '../model/cloud.js';
import type { Snapshot } from '../model/snapshot.js';
import { tryParseCidr, type ParsedCidr } from '../model/cidr.js';
import { CidrSet } from './cidr-set.js';
import { citeSecurityGroupRule } from './rule-text.js';
import type { RuleCitation } from '../model/evidence.js';

/**
 * Identity of a host address, independent of how it was written (`::1` vs `0::1`).
 * IPv4 is the plain number, IPv6 a string; a number never equals a string, so the two
 * families cannot collide. Why not one string for both: `${family}:${first}` made
 * `npm run bench` take 21 ms to evaluate instead of 19.5 (medians).
 */
export type HostKey = number | string;

export function hostKey(c: ParsedCidr): HostKey {
  return c.family === 4 ? Number(c.first) : `6:${c.first.toString(16)}`;
}

/** Addresses of every interface carrying a group: what a group reference matches. */
export interface MemberSet {
  /** hostKey of every fixed / private address of a member interface. */
  ips: Set<HostKey>;
  /** Neutron allowed-address-pairs of member ports (AWS references ignore them). */
  pairs: CidrSet;
}

export type ResolvedCidrs = { kind: 'known'; cidrs: ParsedCidr[] } | { kind: 'unknown'; reason: string };

export interface ParsedAclEntry {
  entry: NetworkAclEntry;
  /** undefined when the entry's CIDR does not parse: it then matches nothing. */
  cidr: ParsedCidr | undefined;
}

const GROUP_SCANS_BEFORE_INDEX = 4;

/**
 * Look-up tables built once per evaluation, so that no check ever scans the whole
 * snapshot or parses a CIDR twice.
 */
export class SnapshotIndex {
  readonly groups = new Map<string, SecurityGroup>();
  readonly interfacesByAddress = new Map<HostKey, NetworkInterface[]>();
  /** Built once group references need it (see interfacesOfGroup). */
  private interfacesByGroup: Map<string, NetworkInterface[]> | undefined;
  private groupScans = 0;
  private readonly aclsBySubnet = new Map<string, NetworkAcl[]>();
  private readonly prefixLists = new Map<string, string[]>();
  private readonly addressGroups = new Map<string, string[]>();
  private readonly provided: Set<CloudObjectKind>;
  private readonly unavailableById = new Map<string, Unavailable>();
  private readonly unavailableByKind = new Map<CloudObjectKind, Unavailable>();
  private readonly unavailableByIp = new Map<HostKey, Unavailable>();
  private readonly unavailableByInstance = new Map<string, Unavailable>();
  private readonly unavailableBySubnet = new Map<string, Unavailable>();
  private readonly memberCache = new Map<string, MemberSet>();
  private readonly resolvedCache = new Map<string, ResolvedCidrs>();
  private readonly aclEntryCache = new Map<string, ParsedAclEntry[]>();
  private readonly rulesBySide = new Map<SecurityGroup, { ingress?: SecurityGroupRule[]; egress?: SecurityGroupRule[] }>();
  private readonly citations = new Map<SecurityGroupRule, RuleCitation>();

  constructor(readonly snapshot: Snapshot) {
    const cloud = snapshot.cloud;
    for (const g of cloud.securityGroups) if (!this.groups.has(g.id)) this.groups.set(g.id, g);
    for (const iface of cloud.interfaces) {
      for (const a of iface.addresses) {
        const parsed = tryParseCidr(a.ip);
        if (parsed) push(this.interfacesByAddress, hostKey(parsed), iface);
      }
    }
    for (const acl of cloud.networkAcls) for (const s of new Set(acl.subnetIds)) push(this.aclsBySubnet, s, acl);
    for (const pl of cloud.prefixLists) if (!this.prefixLists.has(pl.id)) this.prefixLists.set(pl.id, pl.cidrs);
    for (const ag of cloud.addressGroups) if (!this.addressGroups.has(ag.id)) this.addressGroups.set(ag.id, ag.cidrs);
    this.provided = new Set(cloud.providedKinds);
    for (const u of cloud.unavailable) {
      if (u.id !== undefined) {
        const key = `${u.kind}\0${u.id}`;
        if (!this.unavailableById.has(key)) this.unavailableById.set(key, u);
      } else if (u.ip !== undefined) {
        const parsed = tryParseCidr(u.ip);
        if (parsed && !this.unavailableByIp.has(hostKey(parsed))) this.unavailableByIp.set(hostKey(parsed), u);
      } else if (u.instanceId !== undefined) {
        if (!this.unavailableByInstance.has(u.instanceId)) this.unavailableByInstance.set(u.instanceId, u);
      } else if (u.subnetId !== undefined) {
        const key = `${u.kind}\0${u.subnetId}`;
        if (!this.unavailableBySubnet.has(key)) this.unavailableBySubnet.set(key, u);
      } else if (!this.unavailableByKind.has(u.kind)) {
        this.unavailableByKind.set(u.kind, u);
      }
    }
  }

  isProvided(kind: CloudObjectKind): boolean {
    return this.provided.has(kind);
  }

  /** The failure that covers this object: one naming it, else one for its whole kind. */
  unavailable(kind: CloudObjectKind, id: string): Unavailable | undefined {
    return this.unavailableById.get(`${kind}\0${id}`) ?? this.unavailableByKind.get(kind);
  }

  /** A failure of a whole kind of collection (no id, no ip). */
  unavailableKind(kind: CloudObjectKind): Unavailable | undefined {
    return this.unavailableByKind.get(kind);
  }

  /** Only failures naming this exact object (a kind-wide failure does not taint objects that were read). */
  unavailableExactly(kind: CloudObjectKind, id: string): Unavailable | undefined {
    return this.unavailableById.size === 0 ? undefined : this.unavailableById.get(`${kind}\0${id}`);
  }

  /** The group's rules of one direction, in rule order. */
  groupRules(group: SecurityGroup, direction: Direction): readonly SecurityGroupRule[] {
    let sides = this.rulesBySide.get(group);
    if (!sides) {
      sides = {};
      this.rulesBySide.set(group, sides);
    }
    return (sides[direction] ??= group.rules.filter((r) => r.direction === direction));
  }

  /** One citation per rule, shared by every evidence that cites it (evidence is read-only). */
  citeRule(rule: SecurityGroupRule): RuleCitation {
    let c = this.citations.get(rule);
    if (!c) {
      c = citeSecurityGroupRule(rule);
      this.citations.set(rule, c);
    }
    return c;
  }

  /** An interface look-up that failed for this address or instance, or the whole interface collection. */
  interfaceLookupFailure(ip: string, instanceId: string | undefined): Unavailable | undefined {
    const parsed = tryParseCidr(ip);
    const byIp = parsed ? this.unavailableByIp.get(hostKey(parsed)) : undefined;
    const byInstance = instanceId !== undefined ? this.unavailableByInstance.get(instanceId) : undefined;
    return byIp ?? byInstance ?? this.unavailableByKind.get('network-interface');
  }

  /** A failed look-up of the object of `kind` associated with a subnet (the NACL of a subnet). */
  unavailableForSubnet(kind: CloudObjectKind, subnetId: string): Unavailable | undefined {
    return this.unavailableBySubnet.get(`${kind}\0${subnetId}`);
  }

  networkAclsOf(subnetId: string): NetworkAcl[] {
    return this.aclsBySubnet.get(subnetId) ?? [];
  }

  /** Entries of one direction, lowest rule number first (AWS evaluation order). */
  aclEntries(acl: NetworkAcl, direction: Direction): ParsedAclEntry[] {
    const key = `${acl.id}\0${direction}`;
    let entries = this.aclEntryCache.get(key);
    if (!entries) {
      entries = acl.entries
        .filter((e) => e.direction === direction)
        .sort((a, b) => a.ruleNumber - b.ruleNumber)
        .map((entry) => ({ entry, cidr: tryParseCidr(entry.cidr) }));
      this.aclEntryCache.set(key, entries);
    }
    return entries;
  }

  /** Fixed IPs (and, for Neutron ports, allowed-address-pairs) of every interface carrying the group. */
  members(groupId: string): MemberSet {
    let m = this.memberCache.get(groupId);
    if (!m) {
      m = { ips: new Set(), pairs: new CidrSet() };
      for (const iface of this.interfacesOfGroup(groupId)) {
        for (const a of iface.addresses) {
          const parsed = tryParseCidr(a.ip);
          if (parsed) m.ips.add(hostKey(parsed));
        }
        if (iface.provider !== 'openstack') continue;
        for (const pair of iface.allowedAddressPairs) {
          const parsed = tryParseCidr(pair);
          if (parsed) m.pairs.add(parsed);
        }
      }
      this.memberCache.set(groupId, m);
    }
    return m;
  }

  /**
   * Interfaces carrying a group. The first few groups asked for are found by a scan, then
   * every group of every interface is indexed at once: an audit usually resolves one or two
   * group references (a cluster-wide group), and a scan is far cheaper than the whole index
   * (on the 5,000-node bench snapshot, members() of one group took 1.1 ms with the scan and
   * 4.4 ms when it built the index; `npm run bench` resolves no group reference).
   */
  private interfacesOfGroup(groupId: string): NetworkInterface[] {
    if (!this.interfacesByGroup && this.groupScans < GROUP_SCANS_BEFORE_INDEX) {
      this.groupScans++;
      return this.snapshot.cloud.interfaces.filter((iface) => iface.securityGroupIds.includes(groupId));
    }
    if (!this.interfacesByGroup) {
      const byGroup = new Map<string, NetworkInterface[]>();
      for (const iface of this.snapshot.cloud.interfaces) {
        for (const g of iface.securityGroupIds) {
          const list = byGroup.get(g);
          // A group listed twice on one interface: the interface is already the last entry.
          if (!list) byGroup.set(g, [iface]);
          else if (list[list.length - 1] !== iface) list.push(iface);
        }
      }
      this.interfacesByGroup = byGroup;
    }
    return this.interfacesByGroup.get(groupId) ?? [];
  }

  prefixListCidrs(id: string): ResolvedCidrs {
    return this.resolve('prefix-list', id, this.prefixLists);
  }

  addressGroupCidrs(id: string): ResolvedCidrs {
    return this.resolve('address-group', id, this.addressGroups);
  }

  private resolve(kind: 'prefix-list' | 'address-group', id: string, table: Map<string, string[]>): ResolvedCidrs {
    const key = `${kind}\0${id}`;
    let r = this.resolvedCache.get(key);
    if (!r) {
      const cidrs = table.get(id);
      const failure = this.unavailableExactly(kind, id) ?? (cidrs ? undefined : this.unavailable(kind, id));
      const label = kind === 'prefix-list' ? 'prefix list' : 'address group';
      if (failure) r = { kind: 'unknown', reason: `${label} ${id} could not be read: ${failure.reason}` };
      else if (!cidrs) r = { kind: 'unknown', reason: `${label} ${id} is referenced but missing from the inputs` };
      else r = { kind: 'known', cidrs: cidrs.map((c) => tryParseCidr(c)).filter((c): c is ParsedCidr => c !== undefined) };
      this.resolvedCache.set(key, r);
    }
    return r;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
