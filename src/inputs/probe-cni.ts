import { translateCni } from '../../providers/kubernetes/translate-cni.js';
import type { ClusterNode } from '../model/cluster.js';
import type { CniChoice, CniConfig } from '../model/cni.js';
import type { RawDocument } from '../model/documents.js';

/** Whether live probes can check this cluster's overlay, and why not when they cannot. */
export type ProbeCni = { ok: true; cni: CniConfig } | { ok: false; cni: CniConfig; reason: string };

/**
 * The CNI a probe run is about, from the same documents and detection an audit uses. The
 * agents send their overlay probes through the node's flannel VXLAN device, so only a
 * flannel-networked cluster (flannel, canal, k3s, rke2) on the vxlan backend can be probed;
 * anything else is refused with the reason rather than probed on a path it does not use.
 * Throws InputError for documents detection refuses.
 */
export function probeCniOf(documents: RawDocument[], nodes: ClusterNode[], choice: CniChoice): ProbeCni {
  const { cni } = translateCni(documents, nodes, choice);
  if (!('flannel' in cni)) {
    return { ok: false, cni, reason: `the cluster runs ${cni.name}; live probes send through flannel's VXLAN device and cover flannel's vxlan backend only` };
  }
  if (cni.flannel.backend.type !== 'vxlan') {
    return { ok: false, cni, reason: `the cluster runs the flannel ${cni.flannel.backend.type} backend${cni.name === 'flannel' ? '' : ` (${cni.name})`}; live probes send VXLAN and cover the vxlan backend only` };
  }
  return { ok: true, cni };
}
