import type { Cluster } from '../model/cluster.js';
import type { IpFamily } from '../model/cloud.js';
import { tryParseCidr } from '../model/cidr.js';

/**
 * The one CIDR per family that holds every pod address of the cluster, as the CNI itself
 * declares it, and the words that name it in notes. Pod-CIDR rules aggregate to it when every
 * node's pod CIDR lies inside.
 */
export interface PodNetworks {
  4?: string;
  6?: string;
  /** "flannel's Network", "Calico IPPool default-ipv4-ippool", "Cilium's ipv4-native-routing-cidr". */
  label: Record<IpFamily, string>;
}

export function podNetworksOf(cluster: Pick<Cluster, 'cni' | 'flannel'>): PodNetworks {
  const cni = cluster.cni;
  switch (cni.name) {
    case 'flannel':
    case 'canal':
    case 'k3s':
    case 'rke2':
      return {
        ...(cni.flannel.network !== undefined && { 4: cni.flannel.network }),
        ...(cni.flannel.ipv6Network !== undefined && { 6: cni.flannel.ipv6Network }),
        label: { 4: "flannel's Network", 6: "flannel's IPv6Network" },
      };
    case 'calico': {
      // Several enabled pools of one family have no single declared network: each node's pod CIDR is used then.
      const out: PodNetworks = { label: { 4: 'Calico IPPool', 6: 'Calico IPPool' } };
      for (const family of [4, 6] as const) {
        const pools = cni.calico.pools.filter((p) => !p.disabled && tryParseCidr(p.cidr)?.family === family);
        if (pools.length === 1) {
          out[family] = pools[0]!.cidr;
          out.label[family] = `Calico IPPool ${pools[0]!.name}`;
        }
      }
      return out;
    }
    case 'cilium': {
      const r = cni.cilium.routing;
      const cidr = r.mode === 'native' ? r.nativeRoutingCidr : undefined;
      return { ...(cidr !== undefined && { 4: cidr }), label: { 4: "Cilium's ipv4-native-routing-cidr", 6: "Cilium's IPv6 native-routing CIDR" } };
    }
  }
}
