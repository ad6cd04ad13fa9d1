/**
 * Where a node's overlay probes go, per CNI. The agent sends an ordinary UDP datagram to an
 * address the peer's tunnel device owns; the source kernel's own route sends it through its
 * tunnel device, which encapsulates it exactly as pod traffic. That works only where the
 * tunnel is a kernel device with a route to a per-node address the inventory can name.
 */
import type { ClusterNode } from '../model/cluster.js';
import type { CalicoPool, CniConfig } from '../model/cni.js';
import { bigIntToIp, tryParseCidr } from '../model/cidr.js';

/** The kernel tunnel an overlay probe goes through. */
export interface OverlayPath {
  kind: 'vxlan';
  port: number;
  /** The source's device, e.g. flannel.1 or vxlan.calico. */
  device: string;
}

export type NodeOverlay =
  | {
      kind: 'tunnel';
      ip: string;
      path: OverlayPath;
      /**
       * Calico CrossSubnet: only peers outside the sender's subnet reach this address through the
       * tunnel; same-subnet peers route to it natively. `address` is this node's underlay address.
       */
      crossSubnet?: { address?: string };
    }
  | { kind: 'none'; reason: string };

/** First address of the node's IPv4 pod CIDR, which flannel puts on flannel.<VNI> as a /32. */
export function overlayAddress(podCidrs: readonly string[]): string | undefined {
  for (const text of podCidrs) {
    const cidr = tryParseCidr(text);
    if (cidr?.family === 4) return bigIntToIp(cidr.first, 4);
  }
  return undefined;
}

export const describePath = (p: OverlayPath): string => `VXLAN UDP ${p.port} via ${p.device}`;

/** The overlay target of one node under the cluster's CNI. */
export function nodeOverlay(node: ClusterNode, cni: CniConfig): NodeOverlay {
  if ('flannel' in cni) {
    const backend = cni.flannel.backend;
    if (backend.type !== 'vxlan') return { kind: 'none', reason: `the flannel ${backend.type} backend is not VXLAN; the agents probe through a VXLAN device only` };
    const ip = overlayAddress(node.podCidrs);
    if (!ip) return { kind: 'none', reason: `${node.name} has no IPv4 pod CIDR, so it has no flannel.${backend.vni} address to probe` };
    return { kind: 'tunnel', ip, path: { kind: 'vxlan', port: backend.port ?? 8472, device: `flannel.${backend.vni}` } };
  }
  if (cni.name === 'cilium') {
    const r = cni.cilium.routing;
    const what = r.mode === 'tunnel' ? `${r.protocol === 'vxlan' ? 'VXLAN' : 'Geneve'} on UDP ${r.port}` : 'native routing';
    return {
      kind: 'none',
      reason: `Cilium (${what}) encapsulates in eBPF programs, not through a kernel route to a per-node tunnel address, so there is no address an agent's socket could send to that takes the pod path; not probed`,
    };
  }
  return calicoOverlay(node, cni.calico.pools, cni.calico.vxlan.port);
}

function calicoOverlay(node: ClusterNode, pools: readonly CalicoPool[], port: number): NodeOverlay {
  const v4 = pools.filter((p) => tryParseCidr(p.cidr)?.family === 4);
  const ip = node.calicoVxlanTunnelAddress;
  if (ip === undefined) {
    if (v4.some((p) => !p.disabled && p.vxlanMode !== 'Never')) {
      return { kind: 'none', reason: `${node.name} has no projectcalico.org/IPv4VXLANTunnelAddr annotation (Felix writes it once the node's vxlan.calico has an address), so its VXLAN tunnel address is unknown` };
    }
    if (v4.some((p) => !p.disabled && p.ipipMode !== 'Never')) {
      return { kind: 'none', reason: 'Calico IP-in-IP (tunl0, IP protocol 4) is not probed: it could not be verified here (no ipip kernel module in the test lab), and an unverified probe could give a false verdict' };
    }
    return { kind: 'none', reason: 'Calico routes pod traffic without encapsulation here (no IPv4 VXLAN pool); there is no tunnel to probe' };
  }
  // The tunnel address comes from a block of a VXLAN pool: that pool's mode decides which peers reach it through the tunnel.
  const pool = v4.find((p) => contains(p.cidr, ip));
  if (!pool) return { kind: 'none', reason: `${node.name}'s VXLAN tunnel address ${ip} is in no known IPv4 IPPool, so whether peers encapsulate to it is unknown` };
  if (pool.vxlanMode === 'Never') return { kind: 'none', reason: `${node.name}'s VXLAN tunnel address ${ip} is in IPPool ${pool.name} (${pool.cidr}) with vxlanMode Never` };
  const path: OverlayPath = { kind: 'vxlan', port, device: 'vxlan.calico' };
  if (pool.vxlanMode === 'Always') return { kind: 'tunnel', ip, path };
  const address = calicoAddress(node);
  return { kind: 'tunnel', ip, path, crossSubnet: address ? { address } : {} };
}

/** The address Felix compares for CrossSubnet: projectcalico.org/IPv4Address, else the node's VTEP/InternalIP. */
function calicoAddress(node: ClusterNode): string | undefined {
  const annotated = node.calicoIpv4Address?.split('/')[0];
  return annotated ?? node.vtepIp ?? node.internalIp;
}

function contains(cidrText: string, ip: string): boolean {
  const cidr = tryParseCidr(cidrText);
  const addr = tryParseCidr(`${ip}/32`);
  return cidr !== undefined && addr !== undefined && cidr.family === 4 && addr.first >= cidr.first && addr.first <= cidr.last;
}

/**
 * Whether the pair A→B goes through B's tunnel. Calico CrossSubnet encapsulates only towards
 * peers outside the sender's own IPv4Address subnet (Felix decides by the sender's prefix); a
 * same-subnet pair is routed natively, so a probe to B's tunnel address would test native
 * routing, not VXLAN: it is not probed.
 */
export function pairSkipReason(
  source: { name: string; calicoNetwork?: string },
  destination: { name: string; overlay?: NodeOverlay },
): string | undefined {
  const o = destination.overlay;
  if (o === undefined) return undefined;
  if (o.kind === 'none') return o.reason;
  if (!o.crossSubnet) return undefined;
  if (!o.crossSubnet.address) return `${destination.name} has no node address to tell whether ${source.name} encapsulates to it (CrossSubnet)`;
  if (!source.calicoNetwork) {
    return `${source.name} has no projectcalico.org/IPv4Address annotation, so whether it encapsulates to ${destination.name} (CrossSubnet) is unknown`;
  }
  if (contains(source.calicoNetwork, o.crossSubnet.address)) {
    return `${destination.name} (${o.crossSubnet.address}) is in ${source.name}'s subnet ${source.calicoNetwork}: Calico's CrossSubnet mode routes this pair natively, without VXLAN`;
  }
  return undefined;
}
