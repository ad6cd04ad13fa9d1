import type { NetworkAcl, PortMatch, ProtocolMatch } from '../model/cloud.js';
import { cidrContainsCidr, type ParsedCidr } from '../net/cidr.js';
import { networkOf } from './cidr-set.js';
import { SLOT_COUNT, type EndpointAddress } from './endpoints.js';
import { portsOverlap, protocolOverlaps, type RequiredTraffic } from './match-protocol-port.js';
import type { PreparedNode } from './prepared-node.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { NodeClass } from './types.js';

/** A class plus its members' prepared data, in the same order as `members`. */
export interface PreparedClass extends NodeClass {
  prepared: PreparedNode[];
}

/**
 * Groups nodes that every requirement treats identically, so that each (source class,
 * destination class, requirement) cell is evaluated once on representatives instead of
 * once per node pair.
 *
 * Two bound nodes share a class when they share everything a check reads about them:
 * provider, group set, subnet, port security, source/dest check, network, which endpoint
 * addresses they have, whether their own allowed-address-pairs cover their pod CIDRs, and
 * an address signature: which address peers of *relevant* rules (rules and NACL entries
 * whose protocol and ports overlap some flow requirement) contain or partly cover each of
 * their endpoint addresses, and which referenced groups count them as members.
 * Evidence texts may still differ inside a class (a nearest-rule hint names the
 * representative's address); verdicts, layers and deciding rules cannot.
 *
 * Sets nodes[i].addressSignature as a side effect; unbound nodes each get their own class.
 */
export function buildClasses(index: SnapshotIndex, nodes: PreparedNode[], flows: RequiredTraffic[], groupNodes = true): PreparedClass[] {
  const bound = nodes.filter((n) => n.iface !== undefined);
  const { cidrs, groups } = relevantPeers(index, bound, flows);
  const marks = markAddresses(index, bound, cidrs, groups);

  const signatures = new Map<string, number>();
  const byKey = new Map<string, PreparedNode[]>();
  for (const n of bound) {
    const iface = n.iface!;
    const availability = n.endpoints.map((e) => (e.kind === 'missing' ? '0' : '1')).join('');
    const addressKey = `${availability}|${(marks.get(n.index) ?? []).sort((a, b) => a - b).join(',')}`;
    let sig = signatures.get(addressKey);
    if (sig === undefined) {
      sig = signatures.size;
      signatures.set(addressKey, sig);
    }
    n.addressSignature = sig;
    const fields = [
      iface.provider,
      `groups [${n.groupIds.join(', ')}]`,
      `subnet ${n.subnetId ?? '?'}`,
      `network ${iface.networkId ?? '?'}`,
      `port security ${iface.portSecurity}`,
      `source/dest check ${iface.sourceDestCheck ?? '?'}`,
      `own pairs cover pods ${ownPairsCoverPods(index, n)}`,
      `address signature ${sig}`,
    ];
    if (!groupNodes) fields.push(`node ${n.index}`);
    const key = fields.join('; ');
    const list = byKey.get(key);
    if (list) list.push(n);
    else byKey.set(key, [n]);
  }

  const groupsOfNodes: { signature: string; members: PreparedNode[] }[] = [...byKey].map(([signature, members]) => ({ signature, members }));
  for (const n of nodes) {
    if (n.iface === undefined && n.bound.binding.kind === 'unbound') {
      groupsOfNodes.push({ signature: `unbound: ${n.bound.binding.reason}`, members: [n] });
    }
  }
  for (const g of groupsOfNodes) g.members.sort(byNodeName);
  groupsOfNodes.sort((x, y) => byNodeName(x.members[0]!, y.members[0]!));
  return groupsOfNodes.map((g, id) => ({ id, signature: g.signature, members: g.members.map((m) => m.bound), prepared: g.members }));
}

function byNodeName(a: PreparedNode, b: PreparedNode): number {
  const x = a.bound.node.name;
  const y = b.bound.node.name;
  return x < y ? -1 : x > y ? 1 : a.index - b.index;
}

function relevant(protocol: ProtocolMatch, ports: PortMatch, flows: RequiredTraffic[]): boolean {
  return flows.some((t) => protocolOverlaps(protocol, t.protocol) && portsOverlap(ports, t.ports));
}

/** Distinct address blocks and referenced groups that some relevant rule or NACL entry names. */
function relevantPeers(index: SnapshotIndex, bound: PreparedNode[], flows: RequiredTraffic[]): { cidrs: ParsedCidr[]; groups: string[] } {
  const cidrs = new Map<string, ParsedCidr>();
  const groups = new Set<string>();
  const addCidr = (c: ParsedCidr | undefined): void => {
    if (c) cidrs.set(`${c.family}:${c.first.toString(16)}/${c.prefix}`, c);
  };
  const groupIds = new Set(bound.flatMap((n) => n.groupIds));
  for (const id of [...groupIds].sort()) {
    for (const rule of index.groups.get(id)?.rules ?? []) {
      if (!relevant(rule.protocol, rule.ports, flows)) continue;
      const peer = rule.peer;
      if (peer.kind === 'cidr') addCidr(index.cidr(peer.cidr));
      else if (peer.kind === 'security-group') groups.add(peer.groupId);
      else if (peer.kind === 'prefix-list' || peer.kind === 'address-group') {
        const resolved = peer.kind === 'prefix-list' ? index.prefixListCidrs(peer.prefixListId) : index.addressGroupCidrs(peer.addressGroupId);
        if (resolved.kind === 'known') for (const c of resolved.cidrs) addCidr(c);
      }
    }
  }
  const acls = new Set<NetworkAcl>();
  for (const n of bound) if (n.subnetId !== undefined) for (const acl of index.networkAclsOf(n.subnetId)) acls.add(acl);
  for (const acl of acls) {
    for (const e of acl.entries) if (relevant(e.protocol, e.ports, flows)) addCidr(index.cidr(e.cidr));
  }
  return { cidrs: [...cidrs.values()], groups: [...groups].sort() };
}

interface AddressEntry {
  node: number;
  slot: number;
  address: EndpointAddress;
}

/**
 * Mark ids per node: for each relevant block, which endpoint slots it contains (or, for pod
 * CIDRs, covers in part); for each referenced group, which slots are members. Computed by
 * range queries over sorted endpoint addresses, so the cost grows with blocks x log(nodes),
 * not blocks x nodes.
 */
function markAddresses(index: SnapshotIndex, bound: PreparedNode[], cidrs: ParsedCidr[], groups: string[]): Map<number, number[]> {
  const marks = new Map<number, number[]>();
  const mark = (node: number, id: number): void => {
    const list = marks.get(node);
    if (list) list.push(id);
    else marks.set(node, [id]);
  };
  const entries: AddressEntry[] = [];
  for (const n of bound) {
    n.endpoints.forEach((e, slot) => {
      if (e.kind !== 'missing') entries.push({ node: n.index, slot, address: e });
    });
  }
  const sorted = { 4: entries.filter((e) => e.address.family === 4), 6: entries.filter((e) => e.address.family === 6) };
  for (const list of Object.values(sorted)) list.sort((a, b) => (a.address.parsed.first < b.address.parsed.first ? -1 : a.address.parsed.first > b.address.parsed.first ? 1 : 0));
  // Pod CIDRs by (family, prefix, network), to find those that strictly contain a rule's block.
  const blocks = new Map<string, AddressEntry[]>();
  const blockPrefixes = { 4: new Set<number>(), 6: new Set<number>() };
  for (const e of entries) {
    if (e.address.kind !== 'cidr') continue;
    const p = e.address.parsed;
    const key = `${p.family}/${p.prefix}/${p.first}`;
    const list = blocks.get(key);
    if (list) list.push(e);
    else blocks.set(key, [e]);
    blockPrefixes[p.family].add(p.prefix);
  }

  cidrs.forEach((c, i) => {
    const list = sorted[c.family];
    for (let k = lowerBound(list, c.first); k < list.length && list[k]!.address.parsed.first <= c.last; k++) {
      const e = list[k]!;
      if (cidrContainsCidr(c, e.address.parsed)) mark(e.node, (i * SLOT_COUNT + e.slot) * 2);
    }
    for (const prefix of blockPrefixes[c.family]) {
      if (prefix >= c.prefix) continue;
      for (const e of blocks.get(`${c.family}/${prefix}/${networkOf(c.first, c.family, prefix)}`) ?? []) {
        mark(e.node, (i * SLOT_COUNT + e.slot) * 2 + 1);
      }
    }
  });

  const groupBase = cidrs.length * SLOT_COUNT * 2;
  const byHost = new Map<string, AddressEntry[]>();
  for (const e of entries) {
    if (e.address.kind !== 'ip') continue;
    const list = byHost.get(e.address.key);
    if (list) list.push(e);
    else byHost.set(e.address.key, [e]);
  }
  groups.forEach((groupId, g) => {
    const members = index.members(groupId);
    const hit = new Set<AddressEntry>();
    for (const ip of members.ips) for (const e of byHost.get(ip) ?? []) hit.add(e);
    if (members.pairs.size > 0) for (const e of entries) if (members.pairs.containsCidr(e.address.parsed)) hit.add(e);
    for (const e of hit) mark(e.node, groupBase + g * SLOT_COUNT + e.slot);
  });
  return marks;
}

function lowerBound(list: AddressEntry[], first: bigint): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.address.parsed.first < first) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Neutron anti-spoofing: which of the node's pod CIDRs its own port's allowed-address-pairs cover. */
function ownPairsCoverPods(index: SnapshotIndex, n: PreparedNode): string {
  const iface = n.iface!;
  if (iface.provider !== 'openstack') return '-';
  const pairs = iface.allowedAddressPairs.map((p) => index.cidr(p)).filter((p) => p !== undefined);
  return n.bound.node.podCidrs
    .map((text) => {
      const pod = index.cidr(text);
      return pod && pairs.some((p) => cidrContainsCidr(p, pod)) ? '1' : '0';
    })
    .join('');
}
