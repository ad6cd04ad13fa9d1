/**
 * The CNI that carries pod traffic between nodes, as detected from the cluster's own
 * configuration (or named by the user), with the evidence for it. The requirement catalog
 * (`rules/`) reads only this.
 */
import type { FlannelConfig } from './flannel.js';
import type { SourceRef } from './source.js';

/** CNIs whose node-to-node traffic sgaudit knows. canal, k3s and rke2 network with flannel. */
export type CniName = 'flannel' | 'canal' | 'k3s' | 'rke2' | 'calico' | 'cilium';

/** `--cni`: a name, or `auto` to detect it from the documents or the live cluster. */
export type CniChoice = CniName | 'auto';

/** Every value `--cni` and `options.cni` accept, `auto` first (the default). */
export const CNI_CHOICES: readonly CniChoice[] = ['auto', 'flannel', 'canal', 'k3s', 'rke2', 'calico', 'cilium'];

/** Calico IPPool `ipipMode` / `vxlanMode`. */
export type CalicoEncapsulationMode = 'Always' | 'CrossSubnet' | 'Never';

export interface CalicoPool {
  name: string;
  cidr: string;
  ipipMode: CalicoEncapsulationMode;
  vxlanMode: CalicoEncapsulationMode;
  disabled: boolean;
  source: SourceRef;
}

export interface CalicoConfig {
  /** BIRD BGP mesh (calico_backend: bird, operator bgp: Enabled). */
  bgp: { enabled: boolean; port: number };
  pools: CalicoPool[];
  /** FelixConfiguration vxlanPort / vxlanVNI (defaults 4789 / 4096). */
  vxlan: { port: number; vni: number };
  /** Typha: every node sends to the nodes that run it. `nodes` is undefined when its placement is unknown. */
  typha: { enabled: false } | { enabled: true; port: number; nodes?: string[] };
  wireguard: { ipv4: boolean; ipv6: boolean; port: number; portV6: number };
  enableIPv4: boolean;
  enableIPv6: boolean;
}

export type CiliumRouting =
  | { mode: 'tunnel'; protocol: 'vxlan' | 'geneve'; port: number }
  | { mode: 'native'; nativeRoutingCidr?: string };

export interface CiliumConfig {
  routing: CiliumRouting;
  /** Node health checks: ICMP echo and TCP `port` (4240) between nodes. */
  health: { enabled: boolean; port: number };
  wireguard: { enabled: boolean; port: number };
  ipsec: { enabled: boolean };
  enableIPv4: boolean;
  enableIPv6: boolean;
}

/** The effective configuration of the detected CNI. */
export type CniConfig =
  | { name: 'flannel' | 'canal' | 'k3s' | 'rke2'; flannel: FlannelConfig }
  | { name: 'calico'; calico: CalicoConfig; distribution?: 'rke2' }
  | { name: 'cilium'; cilium: CiliumConfig };

/** One fact detection rests on ("ConfigMap kube-system/calico-config has calico_backend: bird"). */
export interface CniEvidence {
  cni: CniName;
  fact: string;
  source?: SourceRef;
}

/**
 * What was found and why. `given`: the user named the CNI with --cni. `detected`: found
 * from the documents. `conflict` lists evidence that points at another CNI; it is reported,
 * never silently dropped.
 */
export interface CniDetection {
  how: 'given' | 'detected';
  evidence: CniEvidence[];
  conflicts: string[];
}

/** Optional requirement groups beyond the CNI's own, off by default. */
export interface RequirementOptions {
  /** Kubernetes control-plane ports: 6443 to control-plane nodes, 10250 from them, etcd between them. */
  controlPlane: boolean;
}
