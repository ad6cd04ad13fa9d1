import type { CiliumConfig, CiliumRouting } from '../../src/model/cni.js';
import type { IssueCollector } from '../../src/model/issues.js';
import { isPlainCidr, canonicalCidr } from '../../src/model/cidr.js';
import { stringData, type CniObject } from './cni-documents.js';

/** Cilium's defaults (Documentation/operations/system_requirements.rst, pkg/defaults). */
export const CILIUM_DEFAULTS = { vxlanPort: 8472, genevePort: 6081, healthPort: 4240, wireguardPort: 51871 } as const;

type Entry = { value: string; pointer: string };

/**
 * Reads the cilium-config ConfigMap (all values are strings, as the Helm chart writes them).
 * `routing-mode`/`tunnel-protocol` (1.14+) win over the removed `tunnel` (≤1.13); without
 * either, Cilium tunnels with VXLAN.
 */
export function parseCilium(objects: CniObject[], issues: IssueCollector): CiliumConfig {
  const config = objects.find((o) => o.kind === 'ConfigMap' && o.name === 'cilium-config');
  if (!config) {
    issues.warn('cilium-default-assumed', "no cilium-config ConfigMap given; Cilium's defaults are assumed (VXLAN tunnel on UDP 8472, health checks on TCP 4240, no WireGuard or IPsec)");
  }
  const data = config ? stringData(config, issues) : new Map<string, Entry>();
  const document = config?.source.document ?? '';
  const bool = (key: string, fallback: boolean): boolean => {
    const e = data.get(key);
    if (!e) return fallback;
    if (e.value === 'true' || e.value === 'false') return e.value === 'true';
    issues.problem(document, e.pointer, `${key} must be "true" or "false"`, e.value);
    return fallback;
  };
  const portOf = (key: string): number | undefined => {
    const e = data.get(key);
    if (!e || e.value === '') return undefined;
    const n = /^\d+$/.test(e.value) ? Number(e.value) : NaN;
    // tunnel-port 0 means "the protocol's default" in Cilium.
    if (n === 0 && key === 'tunnel-port') return undefined;
    if (!(n >= 1 && n <= 65535)) {
      issues.problem(document, e.pointer, `${key} must be a port number between 1 and 65535`, e.value);
      return undefined;
    }
    return n;
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const e = data.get(key);
    if (!e || e.value === '') return undefined;
    if ((allowed as readonly string[]).includes(e.value)) return e.value as T;
    issues.problem(document, e.pointer, `${key} must be one of ${allowed.join(', ')}`, e.value);
    return undefined;
  };

  const routingMode = oneOf('routing-mode', ['tunnel', 'native'] as const);
  const tunnelProtocol = oneOf('tunnel-protocol', ['vxlan', 'geneve'] as const);
  const legacyTunnel = oneOf('tunnel', ['vxlan', 'geneve', 'disabled'] as const);
  if (routingMode && legacyTunnel && (routingMode === 'native') !== (legacyTunnel === 'disabled')) {
    issues.warn('cilium-tunnel-deprecated', `cilium-config sets both routing-mode ${routingMode} and the deprecated tunnel ${legacyTunnel}; routing-mode is used (tunnel was removed in 1.15)`, { document, pointer: data.get('tunnel')!.pointer });
  }
  const mode = routingMode ?? (legacyTunnel === 'disabled' ? 'native' : 'tunnel');
  let routing: CiliumRouting;
  if (mode === 'native') {
    const cidrEntry = data.get('ipv4-native-routing-cidr');
    routing = { mode: 'native' };
    if (cidrEntry && cidrEntry.value !== '') {
      if (isPlainCidr(cidrEntry.value)) routing.nativeRoutingCidr = canonicalCidr(cidrEntry.value);
      else issues.problem(document, cidrEntry.pointer, 'ipv4-native-routing-cidr must be a CIDR such as 10.0.0.0/8', cidrEntry.value);
    }
  } else {
    const protocol = tunnelProtocol ?? (legacyTunnel === 'geneve' ? 'geneve' : 'vxlan');
    routing = { mode: 'tunnel', protocol, port: portOf('tunnel-port') ?? (protocol === 'geneve' ? CILIUM_DEFAULTS.genevePort : CILIUM_DEFAULTS.vxlanPort) };
  }
  const enableIPv4 = bool('enable-ipv4', true);
  const enableIPv6 = bool('enable-ipv6', false);
  if (!enableIPv4 && !enableIPv6 && config) issues.problem(document, config.source.pointer, 'enable-ipv4 and enable-ipv6 are both "false"; Cilium needs at least one address family');
  return {
    routing,
    health: { enabled: bool('enable-health-checking', true), port: portOf('cluster-health-port') ?? CILIUM_DEFAULTS.healthPort },
    wireguard: { enabled: bool('enable-wireguard', false), port: CILIUM_DEFAULTS.wireguardPort },
    ipsec: { enabled: bool('enable-ipsec', false) },
    enableIPv4,
    enableIPv6,
  };
}
