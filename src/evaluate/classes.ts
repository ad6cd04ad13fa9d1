import { cidrContainsCidr } from '../model/cidr.js';
import { markAddresses, relevantPeers } from './address-marks.js';
import type { RequiredTraffic } from './match-protocol-port.js';
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
 * The key of a node is a few interned numbers; the readable signature is written once per
 * class, from its first member. Sets nodes[i].addressSignature and subnetSignature as a
 * side effect; unbound nodes each get their own class.
 */
export function buildClasses(index: SnapshotIndex, nodes: PreparedNode[], flows: RequiredTraffic[], groupNodes = true): PreparedClass[] {
  const bound = nodes.filter((n) => n.iface !== undefined);
  const { cidrs, groups } = relevantPeers(index, bound, flows);
  const markSets = markAddresses(index, bound, cidrs, groups);

  const signatures = new Map<number, number>();
  const subnetSignatures = new Map<number, number>();
  const networks = new Map<string | undefined, number>();
  const ownCovers = new Map<string, number>();
  // A class key is a path in a trie of (key so far, next field) -> key, root 0. Every field and
  // every key stays below `radix`, so the steps are exact integers: no per-node key text.
  const radix = 8 * (nodes.length + 1);
  const keys = new Map<number, number>();
  const step = (key: number, field: number): number => intern(keys, key * radix + field) + 1;
  const byKey = new Map<number, PreparedNode[]>();
  bound.forEach((n, p) => {
    const iface = n.iface!;
    let availability = 0;
    for (let slot = 0; slot < n.endpoints.length; slot++) if (n.endpoints[slot]!.kind !== 'missing') availability |= 1 << slot;
    n.addressSignature = intern(signatures, markSets[p]! * 2 ** n.endpoints.length + availability);
    n.subnetSignature = intern(subnetSignatures, n.subnetNumber * bound.length + n.addressSignature);
    const network = intern(networks, iface.networkId);
    const own = iface.provider === 'openstack' ? intern(ownCovers, ownPairsCoverPods(index, n)) + 1 : 0;
    const sourceDestCheck = iface.sourceDestCheck === undefined ? 2 : iface.sourceDestCheck ? 1 : 0;
    // The profile covers provider, port security and the group set.
    let key = step(step(step(step(step(step(0, n.profile), n.subnetNumber), network), sourceDestCheck), own), n.addressSignature);
    if (!groupNodes) key = step(key, n.index);
    const list = byKey.get(key);
    if (list) list.push(n);
    else byKey.set(key, [n]);
  });

  const groupsOfNodes: { signature: string; members: PreparedNode[] }[] = [];
  for (const members of byKey.values()) groupsOfNodes.push({ signature: describe(index, members[0]!, groupNodes), members });
  nodes.forEach((n) => {
    if (n.iface === undefined && n.bound.binding.kind === 'unbound') {
      groupsOfNodes.push({ signature: `unbound: ${n.bound.binding.reason}`, members: [n] });
    }
  });
  const names = nodes.map((n) => n.bound.node.name);
  const byNodeName = (a: PreparedNode, b: PreparedNode): number => {
    const x = names[a.index]!;
    const y = names[b.index]!;
    return x < y ? -1 : x > y ? 1 : a.index - b.index;
  };
  for (const g of groupsOfNodes) g.members.sort(byNodeName);
  groupsOfNodes.sort((x, y) => byNodeName(x.members[0]!, y.members[0]!));
  return groupsOfNodes.map((g, id) => ({ id, signature: g.signature, members: g.members.map((m) => m.bound), prepared: g.members }));
}

function intern<K>(table: Map<K, number>, key: K): number {
  let id = table.get(key);
  if (id === undefined) {
    id = table.size;
    table.set(key, id);
  }
  return id;
}

/** What the members of a class share, in words; every field is equal across the class. */
function describe(index: SnapshotIndex, n: PreparedNode, groupNodes: boolean): string {
  const iface = n.iface!;
  const fields = [
    iface.provider,
    `groups [${n.groupIds.join(', ')}]`,
    `subnet ${n.subnetId ?? '?'}`,
    `network ${iface.networkId ?? '?'}`,
    `port security ${iface.portSecurity}`,
    `source/dest check ${iface.sourceDestCheck ?? '?'}`,
    `own pairs cover pods ${iface.provider === 'openstack' ? ownPairsCoverPods(index, n) : '-'}`,
    `address signature ${n.addressSignature}`,
  ];
  if (!groupNodes) fields.push(`node ${n.index}`);
  return fields.join('; ');
}

/** Neutron anti-spoofing: which of the node's pod CIDRs its own port's allowed-address-pairs cover. */
function ownPairsCoverPods(index: SnapshotIndex, n: PreparedNode): string {
  const pairs = n.iface!.allowedAddressPairs.map((p) => index.cidr(p)).filter((p) => p !== undefined);
  return n.bound.node.podCidrs
    .map((text) => {
      const pod = index.cidr(text);
      return pod && pairs.some((p) => cidrContainsCidr(p, pod)) ? '1' : '0';
    })
    .join('');
}
