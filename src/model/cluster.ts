import type { CniConfig, CniDetection } from './cni.js';
import type { FlannelConfig } from './flannel.js';
import type { SourceRef } from './source.js';

/** How the VTEP (flannel public-ip) address of a node was learned. */
export type VtepSource =
  | 'public-ip-overwrite-annotation'
  | 'public-ip-annotation'
  | 'internal-ip'
  /** Calico: `projectcalico.org/IPv4Address` (a CIDR; its address is the tunnel source). */
  | 'calico-ipv4-address-annotation'
  /** Cilium: the node's InternalIP, which Cilium uses as its tunnel and health address. */
  | 'cilium-node-ip'
  | 'none';

/** Roles that scope some requirements to a subset of pairs (from node labels, or from where Typha runs). */
export type NodeRole = 'control-plane' | 'etcd' | 'typha';

/** One node annotation or label that tells which CNI or distribution runs (see providers/kubernetes/cni-node-marks.ts). */
export interface CniNodeMark {
  where: 'annotations' | 'labels';
  key: string;
  value: string;
}

/** The cloud instance a node claims to be, parsed from `spec.providerID`. */
export type ProviderId =
  | { provider: 'aws'; instanceId: string; zone?: string; raw: string }
  | { provider: 'openstack'; serverId: string; region?: string; raw: string }
  | { provider: 'other'; raw: string };

export interface ClusterNode {
  name: string;
  os: 'linux' | 'windows';
  /** Address peers send overlay traffic to (IPv4). */
  vtepIp?: string;
  vtepSource: VtepSource;
  /** IPv6 VTEP address, from `public-ipv6`, for dual-stack clusters. */
  vtepIpv6?: string;
  internalIp?: string;
  /** `spec.podCIDRs` (or `spec.podCIDR`), canonical form. */
  podCidrs: string[];
  providerId?: ProviderId;
  /** `flannel.alpha.coreos.com/backend-type`, when flannel wrote it. */
  backendTypeAnnotation?: string;
  /** Parsed `backend-data` annotation, e.g. `{VNI, VtepMAC}` or `{PublicKey, Port}`. */
  backendData?: Record<string, unknown>;
  /** Calico's `projectcalico.org/IPv4Address` annotation as written (a CIDR such as 10.0.1.5/24). */
  calicoIpv4Address?: string;
  /** Calico's `projectcalico.org/IPv6Address` annotation as written. */
  calicoIpv6Address?: string;
  /** Calico's `projectcalico.org/IPv4VXLANTunnelAddr`: the address of the node's vxlan.calico device, where live probes send overlay datagrams. */
  calicoVxlanTunnelAddress?: string;
  /** Roles from labels (`node-role.kubernetes.io/control-plane`, `…/master`, `…/etcd`); empty when none. */
  roles?: NodeRole[];
  /** The node pool or group from well-known labels (EKS node group, kops instance group, …), for grouping. */
  pool?: string;
  /** Annotations and labels that name a CNI or distribution (io.cilium.*, projectcalico.org/*, k3s.io/*, rke2.io/*), kept as detection evidence. */
  cniMarks?: CniNodeMark[];
  source: SourceRef;
}

export type { FlannelBackend, FlannelBackendType, FlannelConfig, FlannelConfigOrigin } from './flannel.js';

export interface Cluster {
  nodes: ClusterNode[];
  /** Present when flannel carries pod traffic (flannel, canal, k3s, rke2's canal); the same object as `cni.flannel`. */
  flannel?: FlannelConfig;
  /** The detected (or given) CNI; see model/cni.ts. */
  cni: CniConfig;
  /** How the CNI was found and the evidence for it. */
  detection: CniDetection;
}
