import type { ClusterNode } from '../model/cluster.js';
import { tryParseCidr } from '../model/cidr.js';
import type { NetworkInterface } from '../model/cloud.js';
import type { Snapshot } from '../model/snapshot.js';
import { hostKey, SnapshotIndex, type HostKey } from './snapshot-index.js';
import type { BoundNode, NodeBinding } from './types.js';

/**
 * Ties each node to the interface (ENI / Neutron port) that owns its VTEP address:
 * that interface's groups are the ones filtering overlay traffic, whichever NIC is primary.
 */
export function bindNodes(snapshot: Snapshot): BoundNode[] {
  return bindNodesWithIndex(new SnapshotIndex(snapshot));
}

export function bindNodesWithIndex(index: SnapshotIndex): BoundNode[] {
  return index.snapshot.cluster.nodes.map((node) => ({ node, binding: bindNode(node, index) }));
}

function bindNode(node: ClusterNode, index: SnapshotIndex): NodeBinding {
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
  if (owners.length === 0) {
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
  if (owners.length > 1) {
    const ids = owners.map((o) => o.id).sort();
    return {
      kind: 'unbound',
      cause: 'ambiguous',
      reason: `ambiguous: address ${ip} (VTEP of node ${node.name}) is owned by ${ids.slice(0, -1).join(', ')} and ${ids[ids.length - 1]}`,
    };
  }
  const iface = owners[0]!;
  if (claimed !== undefined && iface.instanceId !== undefined && iface.instanceId !== claimed) {
    return {
      kind: 'unbound',
      cause: 'provider-id-mismatch',
      reason: `node ${node.name} has providerID instance ${claimed}, but ${iface.id}, which owns its VTEP address ${ip}, belongs to ${iface.instanceId}`,
    };
  }
  // The interface was found under the key of one of its addresses: with a single address, that is the one.
  const subnetId = iface.addresses.length === 1 ? iface.addresses[0]!.subnetId : iface.addresses.find((a) => sameHost(a.ip, key))?.subnetId;
  return subnetId !== undefined ? { kind: 'bound', iface, ip, subnetId } : { kind: 'bound', iface, ip };
}

function claimedInstance(node: ClusterNode): string | undefined {
  const p = node.providerId;
  if (!p) return undefined;
  if (p.provider === 'aws') return p.instanceId;
  if (p.provider === 'openstack') return p.serverId;
  return undefined;
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
