import { cidrContainsCidr, tryParseCidr } from '../model/cidr.js';
import { markAddresses, relevantPeers } from './address-marks.js';
import { SLOT_COUNT } from './endpoints.js';
import type { RequiredTraffic } from './match-protocol-port.js';
import { PairIds } from './pair-memo.js';
import type { PreparedNode } from './prepared-node.js';
import type { SnapshotIndex } from './snapshot-index.js';
import type { NodeClass } from './types.js';

/**
 * A prepared node with the signatures that memo keys of cell checks are built from.
 * Both are -1 for an unbound node.
 */
export interface SignedNode extends PreparedNode {
  /**
   * Interned address signature: which address peers of *relevant* rules (rules and NACL entries
   * whose protocol and ports overlap some flow requirement) contain or partly cover each of the
   * node's endpoint addresses, which referenced groups count them as members, and which endpoint
   * addresses the node has. Nodes with one signature match the same rule peers.
   */
  addressSignature: number;
  /** Interned (subnet, address signature): what a NACL check reads about the remote side. */
  subnetSignature: number;
}

/** A class plus its members' prepared data, in the same order as `members`. */
export interface PreparedClass extends NodeClass {
  prepared: SignedNode[];
}

/** The nodes with their signatures (see SignedNode), in the same order. */
export function signNodes(index: SnapshotIndex, nodes: readonly PreparedNode[], flows: RequiredTraffic[]): SignedNode[] {
  const bound = nodes.filter((n) => n.iface !== undefined);
  const { cidrs, groups } = relevantPeers(index, bound, flows);
  const markSets = markAddresses(index, bound, cidrs, groups);
  // (mark set, which endpoints are present) and (subnet, address signature), numbered.
  const signatures = new PairIds(2 ** SLOT_COUNT);
  const subnetSignatures = new PairIds(bound.length + 1);
  let position = 0;
  return nodes.map((n) => {
    if (n.iface === undefined) return sign(n, -1, -1);
    let present = 0;
    n.endpoints.forEach((e, slot) => {
      if (e.kind !== 'missing') present |= 1 << slot;
    });
    const addressSignature = signatures.id(markSets[position++]!, present);
    return sign(n, addressSignature, subnetSignatures.id(n.subnetNumber, addressSignature));
  });
}

/**
 * A copy of the node with its signatures. Why every field is named: with `{ ...n, addressSignature,
 * subnetSignature }` copies, `npm run bench` took 52 ms to evaluate instead of 24, and 306 instead
 * of 112 with one group per pool (medians): every cell reads these objects.
 */
function sign(n: PreparedNode, addressSignature: number, subnetSignature: number): SignedNode {
  const { index, bound, iface, subnetId, groupIds, profile, endpoints, subnetNumber } = n;
  return { index, bound, iface, subnetId, groupIds, profile, endpoints, subnetNumber, addressSignature, subnetSignature };
}

/**
 * Groups nodes that every requirement treats identically, so that each (source class,
 * destination class, requirement) cell is evaluated once on representatives instead of
 * once per node pair.
 *
 * Two bound nodes share a class when they share everything a check reads about them:
 * provider, group set, subnet, port security, source/dest check, network, whether their
 * own allowed-address-pairs cover their pod CIDRs, and their address signature (see SignedNode).
 * Evidence texts may still differ inside a class (a nearest-rule hint names the
 * representative's address); verdicts, layers and deciding rules cannot.
 *
 * When some requirement is role-scoped (sourceRole/destinationRole), the node's roles join the
 * key too, so that one representative answers whether the flow exists for the whole class.
 * Otherwise roles are ignored and never split a class.
 *
 * The readable signature is written once per class, from its first member. Unbound nodes
 * each get their own class.
 */
export function buildClasses(nodes: readonly SignedNode[], groupNodes = true, roleScoped = false): PreparedClass[] {
  const networks = new Map<string | undefined, number>();
  const byKey = new Map<string, SignedNode[]>();
  for (const n of nodes) {
    const iface = n.iface;
    if (iface === undefined) continue;
    const network = intern(networks, iface.networkId);
    const own = iface.provider === 'openstack' ? ownPairsCoverPods(n) : '-';
    // The profile covers provider, port security and the group set.
    let key = `${n.profile} ${n.subnetNumber} ${network} ${iface.sourceDestCheck} ${own} ${n.addressSignature}`;
    if (!groupNodes) key += ` ${n.index}`;
    if (roleScoped) key += ` ${rolesKey(n)}`;
    const list = byKey.get(key);
    if (list) list.push(n);
    else byKey.set(key, [n]);
  }

  const groupsOfNodes: { signature: string; members: SignedNode[] }[] = [];
  for (const members of byKey.values()) groupsOfNodes.push({ signature: describe(members[0]!, groupNodes, roleScoped), members });
  for (const n of nodes) {
    if (n.iface === undefined && n.bound.binding.kind === 'unbound') {
      groupsOfNodes.push({ signature: `unbound: ${n.bound.binding.reason}`, members: [n] });
    }
  }
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
function describe(n: SignedNode, groupNodes: boolean, roleScoped: boolean): string {
  const iface = n.iface!;
  const fields = [
    iface.provider,
    `groups [${n.groupIds.join(', ')}]`,
    `subnet ${n.subnetId ?? '?'}`,
    `network ${iface.networkId ?? '?'}`,
    `port security ${iface.portSecurity}`,
    `source/dest check ${iface.sourceDestCheck ?? '?'}`,
    `own pairs cover pods ${iface.provider === 'openstack' ? ownPairsCoverPods(n) : '-'}`,
    `address signature ${n.addressSignature}`,
  ];
  if (roleScoped) fields.push(`roles [${rolesKey(n)}]`);
  if (!groupNodes) fields.push(`node ${n.index}`);
  return fields.join('; ');
}

/** The node's roles in a fixed order, so label order does not split a class. */
function rolesKey(n: SignedNode): string {
  const roles = n.bound.node.roles;
  return roles === undefined || roles.length === 0 ? '' : [...new Set(roles)].sort().join(',');
}

/** Neutron anti-spoofing: which of the node's pod CIDRs its own port's allowed-address-pairs cover. */
function ownPairsCoverPods(n: PreparedNode): string {
  const pairs = n.iface!.allowedAddressPairs.map((p) => tryParseCidr(p)).filter((p) => p !== undefined);
  return n.bound.node.podCidrs
    .map((text) => {
      const pod = tryParseCidr(text);
      return pod && pairs.some((p) => cidrContainsCidr(p, pod)) ? '1' : '0';
    })
    .join('');
}
