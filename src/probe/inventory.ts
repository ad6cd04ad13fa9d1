import type { ClusterNode } from '../model/cluster.js';
import type { CniConfig } from '../model/cni.js';
import { isPlainIp } from '../model/cidr.js';
import { nodeOverlay, overlayAddress, type NodeOverlay } from './overlay-target.js';

export { overlayAddress } from './overlay-target.js';

/** What the probes need to know about a node. */
export interface ProbeNode {
  name: string;
  /** Where peers send VXLAN to: flannel's public-ip, else the InternalIP. Also the underlay control target. */
  underlayIp?: string;
  /** The InternalIP, a second address at which the node's agent may be reached. */
  internalIp?: string;
  /** Where overlay probes to this node go: flannel.<VNI>'s address (first address of the pod CIDR) or Calico's vxlan.calico address. */
  overlayIp?: string;
  /**
   * Every tunnel address the agent's allow-list accepts for this node (flannel's and Calico's).
   * The agent does not know the CNI, so it accepts both; the orchestrator picks one.
   */
  overlayIps?: string[];
  /** How overlay probes reach this node under the cluster's CNI; absent when the CNI is not known (flannel is assumed). */
  overlay?: NodeOverlay;
  /** Calico's projectcalico.org/IPv4Address (a CIDR): the subnet Felix compares for CrossSubnet when this node sends. */
  calicoNetwork?: string;
}

/**
 * The probe inventory. With the cluster's CNI, each node's overlay target is that CNI's tunnel
 * address (or the reason there is none); without it, flannel's, as before CNI detection.
 */
export function probeNodesFromCluster(nodes: readonly ClusterNode[], cni?: CniConfig): ProbeNode[] {
  return nodes.map((n) => {
    const p: ProbeNode = { name: n.name };
    const underlay = n.vtepIp ?? n.internalIp;
    if (underlay) p.underlayIp = underlay;
    if (n.internalIp) p.internalIp = n.internalIp;
    const flannelIp = overlayAddress(n.podCidrs);
    const overlayIps = [...new Set([flannelIp, n.calicoVxlanTunnelAddress].filter((a): a is string => a !== undefined))];
    if (overlayIps.length > 0) p.overlayIps = overlayIps;
    if (n.calicoIpv4Address) p.calicoNetwork = n.calicoIpv4Address;
    if (cni === undefined) {
      if (flannelIp) p.overlayIp = flannelIp;
      return p;
    }
    p.overlay = nodeOverlay(n, cni);
    if (p.overlay.kind === 'tunnel') p.overlayIp = p.overlay.ip;
    return p;
  });
}

/** The addresses at which a node's agent may answer, most specific first. */
export function agentAddresses(node: ProbeNode): string[] {
  return [...new Set([node.underlayIp, node.internalIp].filter((a): a is string => a !== undefined))];
}

export type TargetCheck = { ok: true } | { ok: false; reason: string };

/**
 * The agent's allow-list: it sends only to addresses that belong to nodes it knows, so a
 * holder of the secret cannot turn the DaemonSet into a packet cannon aimed anywhere else.
 */
export class Inventory {
  private byName = new Map<string, ProbeNode>();

  constructor(nodes: readonly ProbeNode[]) {
    this.replace(nodes);
  }

  replace(nodes: readonly ProbeNode[]): void {
    this.byName = new Map(nodes.map((n) => [n.name, n]));
  }

  get size(): number {
    return this.byName.size;
  }

  get(name: string): ProbeNode | undefined {
    return this.byName.get(name);
  }

  checkTarget(target: { node: string; overlayIp?: string; underlayIp?: string }): TargetCheck {
    const node = this.byName.get(target.node);
    if (!node) return { ok: false, reason: `node ${JSON.stringify(target.node)} is not in this agent's inventory` };
    const overlays = node.overlayIps ?? (node.overlayIp ? [node.overlayIp] : []);
    if (target.overlayIp !== undefined && !overlays.includes(target.overlayIp)) {
      return {
        ok: false,
        reason: `${target.overlayIp} is not an overlay address of ${node.name} (inventory: ${overlays.join(', ') || 'none'})`,
      };
    }
    if (target.underlayIp !== undefined && !agentAddresses(node).includes(target.underlayIp)) {
      return {
        ok: false,
        reason: `${target.underlayIp} is not an address of ${node.name} (inventory: ${agentAddresses(node).join(', ') || 'none'})`,
      };
    }
    return { ok: true };
  }
}

export function isIpv4(text: unknown): text is string {
  return typeof text === 'string' && isPlainIp(text) && !text.includes(':');
}
