import type { CalicoConfig, CalicoPool, CiliumConfig, CniConfig, CniDetection } from '../model/cni.js';
import type { FlannelConfig } from '../model/cluster.js';
import type { ReportCni } from '../model/report.js';

/** The report's `cni` section: the CNI, how it was found, the evidence and a one-line summary. */
export function cniSection(cni: CniConfig, detection: CniDetection, overlayPort: number | undefined): ReportCni {
  return {
    name: cni.name,
    how: detection.how,
    summary: cniSummary(cni, overlayPort),
    evidence: detection.evidence.map((e) => ({ ...e })),
    conflicts: detection.conflicts.slice(),
  };
}

/**
 * One line that names what carries pod traffic between nodes, e.g.
 * "calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP CrossSubnet".
 * `overlayPort` is the port the requirements settled on (flannel's vxlan port may be unset in
 * its configuration and defaulted later).
 */
export function cniSummary(cni: CniConfig, overlayPort: number | undefined): string {
  switch (cni.name) {
    case 'flannel':
      return `flannel: ${flannelText(cni.flannel, overlayPort)}`;
    case 'canal':
    case 'k3s':
    case 'rke2':
      return `${cni.name}: flannel ${flannelText(cni.flannel, overlayPort)}`;
    case 'calico':
      return `calico${cni.distribution ? ` (${cni.distribution})` : ''}: ${calicoText(cni.calico)}`;
    case 'cilium':
      return `cilium: ${ciliumText(cni.cilium)}`;
  }
}

function flannelText(flannel: FlannelConfig, port: number | undefined): string {
  return `${flannel.backend.type}${port !== undefined ? ` (port ${port})` : ''}`;
}

function calicoText(c: CalicoConfig): string {
  const parts = [c.bgp.enabled ? `BGP on (tcp ${c.bgp.port})` : 'BGP off'];
  const pools = c.pools.filter((p) => !p.disabled);
  if (pools.length === 0) parts.push('no enabled IPPool');
  for (const p of pools) parts.push(`IPPool ${p.name} ${p.cidr} ${poolMode(p, c)}`);
  if (c.typha.enabled) parts.push(`Typha (tcp ${c.typha.port})`);
  if (c.wireguard.ipv4) parts.push(`WireGuard (udp ${c.wireguard.port})`);
  if (c.wireguard.ipv6) parts.push(`WireGuard IPv6 (udp ${c.wireguard.portV6})`);
  return parts.join(', ');
}

function poolMode(p: CalicoPool, c: CalicoConfig): string {
  if (p.ipipMode !== 'Never') return `IP-in-IP ${p.ipipMode}`;
  if (p.vxlanMode !== 'Never') return `VXLAN ${p.vxlanMode} (udp ${c.vxlan.port})`;
  return 'no encapsulation (native routing)';
}

function ciliumText(c: CiliumConfig): string {
  const r = c.routing;
  const parts = [
    r.mode === 'tunnel'
      ? `tunnel ${r.protocol} (udp ${r.port})`
      : `native routing${r.nativeRoutingCidr !== undefined ? ` (ipv4-native-routing-cidr ${r.nativeRoutingCidr})` : ''}`,
  ];
  parts.push(c.health.enabled ? `health checks (tcp ${c.health.port}, icmp)` : 'health checks off');
  if (c.wireguard.enabled) parts.push(`WireGuard (udp ${c.wireguard.port})`);
  if (c.ipsec.enabled) parts.push('IPsec (esp)');
  return parts.join(', ');
}
