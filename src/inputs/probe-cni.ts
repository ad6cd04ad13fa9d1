import { translateCni } from '../../providers/kubernetes/translate-cni.js';
import type { ClusterNode } from '../model/cluster.js';
import type { CniChoice, CniConfig } from '../model/cni.js';
import type { RawDocument } from '../model/documents.js';
import { tryParseCidr } from '../model/cidr.js';

/** Whether live probes can check this cluster's overlay, and why not when they cannot. */
export type ProbeCni = { ok: true; cni: CniConfig } | { ok: false; cni: CniConfig; reason: string };

/**
 * The CNI a probe run is about, from the same documents and detection an audit uses. The
 * agents send overlay probes through the node's own kernel VXLAN device, so a flannel-networked
 * cluster (flannel, canal, k3s, rke2) on the vxlan backend, or Calico with an IPv4 VXLAN pool
 * (vxlan.calico), can be probed; anything else is refused with the reason rather than probed on
 * a path it does not use. Throws InputError for documents detection refuses.
 */
export function probeCniOf(documents: RawDocument[], nodes: ClusterNode[], choice: CniChoice): ProbeCni {
  const { cni } = translateCni(documents, nodes, choice);
  if (cni.name === 'calico') {
    const v4 = cni.calico.pools.filter((p) => !p.disabled && tryParseCidr(p.cidr)?.family === 4);
    if (v4.some((p) => p.vxlanMode !== 'Never')) return { ok: true, cni };
    const ipip = v4.some((p) => p.ipipMode !== 'Never');
    return {
      ok: false,
      cni,
      reason: ipip
        ? 'the cluster runs Calico IP-in-IP (tunl0, IP protocol 4) and no IPv4 VXLAN pool; live probes send VXLAN through vxlan.calico, and IP-in-IP probes are not supported'
        : 'the cluster runs Calico without encapsulation (no IPv4 VXLAN pool); live probes cover VXLAN tunnels only',
    };
  }
  if (cni.name === 'cilium') {
    return { ok: false, cni, reason: 'the cluster runs cilium; Cilium encapsulates in eBPF, with no kernel route to a per-node tunnel address the agents could send to, so live probes cover flannel and Calico VXLAN only' };
  }
  if (cni.flannel.backend.type !== 'vxlan') {
    return { ok: false, cni, reason: `the cluster runs the flannel ${cni.flannel.backend.type} backend${cni.name === 'flannel' ? '' : ` (${cni.name})`}; live probes send VXLAN and cover the vxlan backend only` };
  }
  return { ok: true, cni };
}
