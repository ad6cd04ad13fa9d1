import type { CniNodeMark, NodeRole } from '../../src/model/cluster.js';

/**
 * Node annotation and label prefixes that tell which CNI or distribution runs, kept on the
 * node (ClusterNode.cniMarks) for detection. Flannel's own annotations are read into their
 * fields already (backendTypeAnnotation, …).
 */
const MARK_PREFIXES = ['projectcalico.org/', 'io.cilium.', 'network.cilium.io/', 'cilium.io/', 'k3s.io/', 'rke2.io/'];
/** k3s and RKE2 set node.kubernetes.io/instance-type to their name when no cloud provider sets it. */
const MARK_LABELS = ['node.kubernetes.io/instance-type'];

export const CALICO_ANNOTATION = {
  ipv4Address: 'projectcalico.org/IPv4Address',
  ipv6Address: 'projectcalico.org/IPv6Address',
  ipipTunnel: 'projectcalico.org/IPv4IPIPTunnelAddr',
  vxlanTunnel: 'projectcalico.org/IPv4VXLANTunnelAddr',
  wireguardKey: 'projectcalico.org/WireguardPublicKey',
} as const;

export function cniMarksOf(annotations: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): CniNodeMark[] {
  const marks: CniNodeMark[] = [];
  for (const [where, map] of [['annotations', annotations], ['labels', labels]] as const) {
    for (const key in map) {
      if (!Object.hasOwn(map, key)) continue;
      if (MARK_PREFIXES.some((p) => key.startsWith(p)) || (where === 'labels' && MARK_LABELS.includes(key) && /^(k3s|rke2)$/.test(map[key]!))) {
        marks.push({ where, key, value: map[key]! });
      }
    }
  }
  return marks;
}

/** Role labels (the value is ignored: kubeadm sets "", k3s and RKE2 set "true"). */
const ROLE_LABELS: readonly [string, NodeRole][] = [
  ['node-role.kubernetes.io/control-plane', 'control-plane'],
  ['node-role.kubernetes.io/master', 'control-plane'],
  ['node-role.kubernetes.io/etcd', 'etcd'],
];

export function rolesOf(labels: Readonly<Record<string, string>>): NodeRole[] {
  const roles: NodeRole[] = [];
  for (const [label, role] of ROLE_LABELS) if (Object.hasOwn(labels, label) && !roles.includes(role)) roles.push(role);
  return roles;
}

/**
 * Well-known node-pool labels, first present wins (listed in docs/cni.md): EKS managed node
 * groups, eksctl, kops, Karpenter, GKE, AKS, OpenStack Magnum.
 */
export const POOL_LABELS = [
  'eks.amazonaws.com/nodegroup',
  'alpha.eksctl.io/nodegroup-name',
  'kops.k8s.io/instancegroup',
  'karpenter.sh/nodepool',
  'cloud.google.com/gke-nodepool',
  'kubernetes.azure.com/agentpool',
  'magnum.openstack.org/nodegroup',
] as const;

export function poolOf(labels: Readonly<Record<string, string>>): string | undefined {
  for (const label of POOL_LABELS) {
    const v = labels[label];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}
