import type { NetworkAcl, NetworkInterface, SecurityGroup, Subnet } from '../model/cloud.js';
import type { Snapshot } from '../model/snapshot.js';
import { RemoteCoverer } from './remote-cover.js';
import { podNetworksOf } from './pod-networks.js';

/** Cloud objects of one snapshot by id, for the text of findings and remediations (the evaluator keeps its own EvaluationIndex). */
export interface CloudLookup {
  snapshot: Snapshot;
  groups: Map<string, SecurityGroup>;
  acls: Map<string, NetworkAcl>;
  /** Built on first use: only host-level findings look interfaces up, and there is one per node. */
  readonly interfaces: Map<string, NetworkInterface>;
  readonly interfacesByInstance: Map<string, NetworkInterface[]>;
  subnets: Subnet[];
  /** Remote-address covers for this snapshot, shared by finding reasons and remediations. */
  coverer: RemoteCoverer;
}

export function lookupCloud(snapshot: Snapshot): CloudLookup {
  const cloud = snapshot.cloud;
  let interfaces: Map<string, NetworkInterface> | undefined;
  let interfacesByInstance: Map<string, NetworkInterface[]> | undefined;
  return {
    snapshot,
    groups: new Map(cloud.securityGroups.map((g) => [g.id, g])),
    acls: new Map(cloud.networkAcls.map((a) => [a.id, a])),
    get interfaces() {
      interfaces ??= new Map(cloud.interfaces.map((i) => [i.id, i]));
      return interfaces;
    },
    get interfacesByInstance() {
      interfacesByInstance ??= byInstance(cloud.interfaces);
      return interfacesByInstance;
    },
    subnets: cloud.subnets,
    coverer: new RemoteCoverer(cloud.subnets, podNetworksOf(snapshot.cluster)),
  };
}

function byInstance(interfaces: readonly NetworkInterface[]): Map<string, NetworkInterface[]> {
  const out = new Map<string, NetworkInterface[]>();
  for (const iface of interfaces) {
    if (iface.instanceId === undefined) continue;
    const list = out.get(iface.instanceId) ?? [];
    list.push(iface);
    out.set(iface.instanceId, list);
  }
  return out;
}

/** `sg-0a1 (k8s-nodes)`, or the bare id when the group has no name. */
export function groupLabel(index: CloudLookup, groupId: string): string {
  const name = index.groups.get(groupId)?.name;
  return name ? `${groupId} (${name})` : groupId;
}
