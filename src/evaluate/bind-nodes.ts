import type { ClusterNode } from '../model/cluster.js';
import { cidrContainsCidr, tryParseCidr, type ParsedCidr } from '../model/cidr.js';
import type { NetworkInterface, Subnet } from '../model/cloud.js';
import type { Snapshot } from '../model/snapshot.js';
import { hostKey, SnapshotIndex, type HostKey } from './snapshot-index.js';
import type { BoundNode, NodeBinding } from './types.js';

/**
 * Ties each node to the interface (ENI / Neutron port) that may send from its tunnel address:
 * that interface's groups are the ones filtering overlay traffic, whichever NIC is primary.
 * An interface may send from its own addresses (Neutron fixed IPs; an ENI's primary and
 * secondary private IPs) and, on Neutron, from its allowed-address pairs: the port's
 * anti-spoofing rules admit them, and a remote-group rule counts them as members
 * (`_select_ips_for_remote_group` in neutron/db/securitygroups_rpc_base.py joins
 * AllowedAddressPair). When several interfaces qualify, the node's providerID decides.
 */
export function bindNodes(snapshot: Snapshot): BoundNode[] {
  return bindNodesWithIndex(new SnapshotIndex(snapshot));
}

export function bindNodesWithIndex(index: SnapshotIndex): BoundNode[] {
  const pairs = new PairLookup(index.snapshot.cloud.interfaces);
  return index.snapshot.cluster.nodes.map((node) => ({ node, binding: bindNode(node, index, pairs) }));
}

/** An interface that may send from the address, and how. */
interface Candidate {
  iface: NetworkInterface;
  /** undefined: one of the interface's own addresses; else the allowed-address pair covering it. */
  pair: string | undefined;
}

function bindNode(node: ClusterNode, index: SnapshotIndex, pairs: PairLookup): NodeBinding {
  // IPv6-only clusters have no public-ip, only public-ipv6: bind by that instead.
  const ip = node.vtepIp ?? node.vtepIpv6;
  if (ip === undefined) {
    return { kind: 'unbound', cause: 'no-vtep', reason: `node ${node.name} has no VTEP address (no flannel public-ip annotation and no InternalIP)` };
  }
  const parsed = tryParseCidr(ip);
  if (!parsed || parsed.prefix !== (parsed.family === 4 ? 32 : 128) || ip.includes('/')) {
    return { kind: 'unbound', cause: 'no-vtep', reason: `node ${node.name} has VTEP address ${JSON.stringify(ip)}, which is not an IP address` };
  }
  const key = hostKey(parsed);
  const owners = unique(index.interfacesByAddress.get(key) ?? []);
  const claimed = claimedInstance(node);
  // The usual case, decided without looking at allowed-address pairs: one interface owns the address.
  const only = owners.length === 1 ? owners[0]! : undefined;
  if (only && (claimed === undefined || only.instanceId === claimed)) {
    return bound(index.snapshot.cloud.subnets, only, ip, key, undefined);
  }
  if (only && only.instanceId === undefined) {
    // An owner attached to no server (a Neutron VIP port) cannot send; the claimed server's port with the address as a pair can.
    const viaPair = claimed === undefined ? [] : pairs.ofInstance(claimed, parsed);
    if (viaPair.length === 0) return bound(index.snapshot.cloud.subnets, only, ip, key, undefined);
  }

  const own: Candidate[] = owners.map((iface) => ({ iface, pair: undefined }));
  let pool = own;
  if (claimed !== undefined) {
    const onClaimed = own.filter((c) => c.iface.instanceId === claimed);
    // The claimed server's ports may send from the address through a pair even when another port owns it (a VIP).
    if (onClaimed.length === 0) onClaimed.push(...pairs.ofInstance(claimed, parsed));
    if (onClaimed.length > 0) {
      const how = own.length > 0 || onClaimed.length > 1 ? `by providerID ${claimed}` : undefined;
      return decide(index.snapshot.cloud.subnets, node, ip, key, onClaimed, how, `all of them belong to ${claimed}`);
    }
    const elsewhere = own.filter((c) => c.iface.instanceId !== undefined);
    pool = own.filter((c) => c.iface.instanceId === undefined);
    if (pool.length === 0 && elsewhere.length > 0) {
      const owned = elsewhere.map((c) => `${c.iface.id}, which belongs to ${c.iface.instanceId}`).sort();
      return {
        kind: 'unbound',
        cause: 'provider-id-mismatch',
        reason: `node ${node.name} has providerID instance ${claimed}, but its VTEP address ${ip} is owned by ${owned.join('; ')}`,
      };
    }
  }
  if (pool.length === 0) pool = pairs.covering(parsed).filter((c) => claimed === undefined || c.iface.instanceId === undefined);
  if (pool.length === 0) {
    const failure = index.interfaceLookupFailure(ip, claimed);
    if (failure) {
      return {
        kind: 'unbound',
        cause: 'collection',
        reason: `no network interface with address ${ip} (node ${node.name}) is known because collection failed: ${failure.reason}`,
      };
    }
    return { kind: 'unbound', cause: 'no-match', reason: `no network interface in the inputs has address ${ip} (VTEP of node ${node.name})` };
  }
  const hint = claimed === undefined ? 'the node has no providerID to choose between them' : `none of them names the instance to compare with providerID ${claimed}`;
  return decide(index.snapshot.cloud.subnets, node, ip, key, pool, undefined, hint);
}

/**
 * One candidate binds. Among several, an interface's own address outranks an allowed-address
 * pair that covers it (many clusters give every node port a broad pair such as the pod network
 * or 0.0.0.0/0); a tie left after that is ambiguous, with every candidate named.
 */
function decide(
  subnets: readonly Subnet[],
  node: ClusterNode,
  ip: string,
  key: HostKey,
  candidates: Candidate[],
  chosenHow: string | undefined,
  whyUndecided: string,
): NodeBinding {
  const owning = candidates.filter((c) => c.pair === undefined);
  const best = owning.length > 0 ? owning : candidates;
  if (best.length === 1) {
    const c = best[0]!;
    return bound(subnets, c.iface, ip, key, c.pair, chosenHow);
  }
  const names = best.map((c) => (c.pair === undefined ? c.iface.id : `${c.iface.id} (allowed-address pair ${c.pair})`)).sort();
  const verb = owning.length > 0 ? 'is owned by' : 'is an allowed-address pair of';
  return {
    kind: 'unbound',
    cause: 'ambiguous',
    reason: `ambiguous: address ${ip} (VTEP of node ${node.name}) ${verb} ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}; ${whyUndecided}`,
  };
}

function bound(subnets: readonly Subnet[], iface: NetworkInterface, ip: string, key: HostKey, pair: string | undefined, chosenHow?: string): NodeBinding {
  // The interface was found under the key of one of its addresses: with a single address, that is the one.
  // Through a pair, the address is none of the port's own: its subnet is the one of the port's network that holds it, if any.
  const subnetId =
    pair !== undefined
      ? subnets.find((s) => s.networkId === iface.networkId && s.family === parsedFamily(ip) && cidrHolds(s.cidr, ip))?.id
      : iface.addresses.length === 1
        ? iface.addresses[0]!.subnetId
        : iface.addresses.find((a) => sameHost(a.ip, key))?.subnetId;
  const b: NodeBinding = subnetId !== undefined ? { kind: 'bound', iface, ip, subnetId } : { kind: 'bound', iface, ip };
  if (pair !== undefined) {
    b.allowedAddressPair = pair;
    b.note = `VTEP ${ip} is an allowed-address pair (${pair}) of ${iface.id}, so Neutron lets that port send from it and counts it as a member of its groups`;
  }
  if (chosenHow !== undefined) {
    const what = pair === undefined ? `VTEP ${ip} is an address of ${iface.id}` : b.note!;
    b.note = `${what}; chosen ${chosenHow}`;
  }
  return b;
}

/** Neutron ports by what their allowed-address pairs cover, looked at only when no single owner decides. */
class PairLookup {
  private all: { cidr: ParsedCidr; text: string; iface: NetworkInterface }[] | undefined;
  private byInstance: Map<string, NetworkInterface[]> | undefined;

  constructor(private readonly interfaces: readonly NetworkInterface[]) {}

  covering(address: ParsedCidr): Candidate[] {
    this.all ??= this.interfaces.flatMap((iface) => pairsOf(iface).map(([text, cidr]) => ({ cidr, text, iface })));
    return uniqueCandidates(this.all.filter((p) => cidrContainsCidr(p.cidr, address)).map((p) => ({ iface: p.iface, pair: p.text })));
  }

  ofInstance(instanceId: string, address: ParsedCidr): Candidate[] {
    if (!this.byInstance) {
      this.byInstance = new Map();
      for (const iface of this.interfaces) {
        if (iface.instanceId === undefined || pairsOf(iface).length === 0) continue;
        const list = this.byInstance.get(iface.instanceId);
        if (list) list.push(iface);
        else this.byInstance.set(iface.instanceId, [iface]);
      }
    }
    const out: Candidate[] = [];
    for (const iface of this.byInstance.get(instanceId) ?? []) {
      const hit = pairsOf(iface).find(([, cidr]) => cidrContainsCidr(cidr, address));
      if (hit) out.push({ iface, pair: hit[0] });
    }
    return uniqueCandidates(out);
  }
}

/**
 * Allowed-address pairs an interface may send from. AWS delegated prefixes sit in the same model
 * field but are not bound by: they serve pod addresses, and a group reference on AWS matches
 * only the members' private IPs.
 */
function pairsOf(iface: NetworkInterface): [string, ParsedCidr][] {
  if (iface.provider !== 'openstack' || iface.allowedAddressPairs.length === 0) return [];
  const out: [string, ParsedCidr][] = [];
  for (const text of iface.allowedAddressPairs) {
    const c = tryParseCidr(text);
    if (c) out.push([text, c]);
  }
  return out;
}

function claimedInstance(node: ClusterNode): string | undefined {
  const p = node.providerId;
  if (!p) return undefined;
  if (p.provider === 'aws') return p.instanceId;
  if (p.provider === 'openstack') return p.serverId;
  return undefined;
}

function parsedFamily(ip: string): number | undefined {
  return tryParseCidr(ip)?.family;
}

function cidrHolds(cidr: string, ip: string): boolean {
  const block = tryParseCidr(cidr);
  const host = tryParseCidr(ip);
  return block !== undefined && host !== undefined && cidrContainsCidr(block, host);
}

function sameHost(ip: string, key: HostKey): boolean {
  const c = tryParseCidr(ip);
  return c !== undefined && hostKey(c) === key;
}

function unique(list: NetworkInterface[]): NetworkInterface[] {
  if (list.length < 2) return list;
  const seen = new Map<string, NetworkInterface>();
  for (const i of list) if (!seen.has(i.id)) seen.set(i.id, i);
  return [...seen.values()];
}

function uniqueCandidates(list: Candidate[]): Candidate[] {
  const seen = new Map<string, Candidate>();
  for (const c of list) if (!seen.has(c.iface.id)) seen.set(c.iface.id, c);
  return [...seen.values()];
}
