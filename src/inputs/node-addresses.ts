import type { ClusterNode } from '../model/cluster.js';

/**
 * Every address a node's CNI may tunnel from, for finding its cloud interface live: flannel's
 * public-ip(v6), the InternalIP (Cilium's node IP, and the fallback of flannel and Calico), and
 * Calico's IPv4Address/IPv6Address without their prefix length. The CNI is not known yet when the
 * cloud is read (detection needs the documents collected alongside), so all candidates are asked
 * for; an interface found for an address the CNI does not use costs one extra object, never a verdict.
 */
export function candidateNodeAddresses(nodes: readonly ClusterNode[]): string[] {
  const out = new Set<string>();
  for (const n of nodes) {
    for (const a of [n.vtepIp, n.vtepIpv6, n.internalIp, hostPart(n.calicoIpv4Address), hostPart(n.calicoIpv6Address)]) {
      if (a !== undefined && a !== '') out.add(a);
    }
  }
  return [...out];
}

function hostPart(cidr: string | undefined): string | undefined {
  return cidr?.split('/')[0];
}
