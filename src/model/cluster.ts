import type { CniConfig, CniDetection } from './cni.js';
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
  /** Roles from labels (`node-role.kubernetes.io/control-plane`, `…/master`, `…/etcd`); empty when none. */
  roles?: NodeRole[];
  /** The node pool or group from well-known labels (EKS node group, kops instance group, …), for grouping. */
  pool?: string;
  source: SourceRef;
}

/** Effective flannel backend, after flannel's own defaulting. */
export type FlannelBackend =
  | { type: 'vxlan'; port: number | undefined; vni: number; directRouting: boolean; gbp: boolean; mtu?: number }
  | { type: 'udp'; port: number }
  | { type: 'wireguard'; listenPort: number; listenPortV6: number; mode: string }
  | { type: 'host-gw' }
  | { type: 'ipsec'; udpEncap: boolean }
  | { type: 'ipip'; directRouting: boolean };

export type FlannelBackendType = FlannelBackend['type'];

/** Where the flannel configuration came from; reported so users know what was assumed. */
export type FlannelConfigOrigin =
  | { kind: 'configmap'; namespace?: string; name?: string; source: SourceRef }
  | { kind: 'net-conf'; source: SourceRef }
  | { kind: 'node-annotations'; note: string };

export interface FlannelConfig {
  network?: string;
  ipv6Network?: string;
  enableIPv4: boolean;
  enableIPv6: boolean;
  backend: FlannelBackend;
  origin: FlannelConfigOrigin;
}

export interface Cluster {
  nodes: ClusterNode[];
  flannel: FlannelConfig;
  /** The detected CNI and why (see model/cni.ts). */
  cni?: CniConfig;
  detection?: CniDetection;
}
