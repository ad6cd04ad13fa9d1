import type { CniNodeMark, NodeRole } from '../../src/model/cluster.js';

/**
 * Node annotation and label prefixes that tell which CNI or distribution runs, kept on the
 * node (ClusterNode.cniMarks) for detection. Flannel's own annotations are read into their
 * fields already (backendTypeAnnotation, …).
 */
const MARK_PREFIXES = ['projectcalico.org/', 'io.cilium.', 'network.cilium.io/', 'cilium.io/', 'k3s.io/', 'rke2.io/'];
/** k3s and RKE2 set node.kubernetes.io/instance-type to their name when no cloud provider sets it. */
const MARK_LABELS = ['node.kubernetes.io/instance-type'];
/** MARK_PREFIXES as one anchored pattern. */
const MARK_PREFIX = new RegExp(`^(?:${MARK_PREFIXES.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})`);

export const CALICO_ANNOTATION = {
  ipv4Address: 'projectcalico.org/IPv4Address',
  ipv6Address: 'projectcalico.org/IPv6Address',
  ipipTunnel: 'projectcalico.org/IPv4IPIPTunnelAddr',
  vxlanTunnel: 'projectcalico.org/IPv4VXLANTunnelAddr',
  wireguardKey: 'projectcalico.org/WireguardPublicKey',
} as const;

export function cniMarksOf(annotations: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): CniNodeMark[] {
  const marks: CniNodeMark[] = [];
  const annotationKeys = Object.keys(annotations);
  for (let i = 0; i < annotationKeys.length; i++) {
    const key = annotationKeys[i]!;
    if (hasMarkPrefix(key)) marks.push({ where: 'annotations', key, value: annotations[key]! });
  }
  const labelKeys = Object.keys(labels);
  for (let i = 0; i < labelKeys.length; i++) {
    const key = labelKeys[i]!;
    const value = labels[key]!;
    if (hasMarkPrefix(key) || (MARK_LABELS.includes(key) && (value === 'k3s' || value === 'rke2'))) marks.push({ where: 'labels', key, value });
  }
  return marks;
}

/**
 * Whether the key starts with one of MARK_PREFIXES. One regular expression test, not six
 * startsWith calls: this runs on every annotation and label of every node, mostly before the
 * code is optimized; `MARK_PREFIXES.some(...)` took 2 to 6 ms in profiles of one-shot 5,000-node audits.
 */
export function hasMarkPrefix(key: string): boolean {
  return MARK_PREFIX.test(key);
}

/** Role labels (the value is ignored: kubeadm sets "", k3s and RKE2 set "true"). */
const ROLE_LABELS: readonly [string, NodeRole][] = [
  ['node-role.kubernetes.io/control-plane', 'control-plane'],
  ['node-role.kubernetes.io/master', 'control-plane'],
  ['node-role.kubernetes.io/etcd', 'etcd'],
];

export function rolesOf(labels: Readonly<Record<string, string>>): NodeRole[] {
  const roles: NodeRole[] = [];
  // Indexed, not destructured: destructuring runs the iterator protocol per node until it is optimized.
  for (let i = 0; i < ROLE_LABELS.length; i++) {
    const label = ROLE_LABELS[i]![0];
    const role = ROLE_LABELS[i]![1];
    if (Object.hasOwn(labels, label) && !roles.includes(role)) roles.push(role);
  }
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
  for (let i = 0; i < POOL_LABELS.length; i++) {
    const v = labels[POOL_LABELS[i]!];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}
