import type { ClusterNode } from '../model/cluster.js';
import { bigIntToIp, isPlainIp, tryParseCidr } from '../model/cidr.js';

/** What the probes need to know about a node. */
export interface ProbeNode {
  name: string;
  /** Where peers send VXLAN to: flannel's public-ip, else the InternalIP. Also the underlay control target. */
  underlayIp?: string;
  /** The InternalIP, a second address at which the node's agent may be reached. */
  internalIp?: string;
  /** The flannel.<VNI> address: the first address of the node's IPv4 pod CIDR. */
  overlayIp?: string;
}

/** First address of the node's IPv4 pod CIDR, which flannel puts on flannel.<VNI> as a /32. */
export function overlayAddress(podCidrs: readonly string[]): string | undefined {
  for (const text of podCidrs) {
    const cidr = tryParseCidr(text);
    if (cidr?.family === 4) return bigIntToIp(cidr.first, 4);
  }
  return undefined;
}

export function probeNodesFromCluster(nodes: readonly ClusterNode[]): ProbeNode[] {
  return nodes.map((n) => {
    const p: ProbeNode = { name: n.name };
    const underlay = n.vtepIp ?? n.internalIp;
    if (underlay) p.underlayIp = underlay;
    if (n.internalIp) p.internalIp = n.internalIp;
    const overlay = overlayAddress(n.podCidrs);
    if (overlay) p.overlayIp = overlay;
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
    if (target.overlayIp !== undefined && target.overlayIp !== node.overlayIp) {
      return {
        ok: false,
        reason: `${target.overlayIp} is not the overlay address of ${node.name} (inventory: ${node.overlayIp ?? 'none'})`,
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
