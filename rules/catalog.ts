import type { ClusterNode, FlannelBackend, FlannelBackendType, FlannelConfig } from '../src/model/cluster.js';
import type { Warning } from '../src/model/source.js';
import type { Requirement } from '../src/model/requirement.js';
import type { CniConfig, RequirementOptions } from '../src/model/cni.js';
import type { BackendRuleSet, CniRuleContext, CniRuleSet, RuleContext } from './rule-set.js';
import { flannelVxlan } from './flannel-vxlan.js';
import { flannelUdp } from './flannel-udp.js';
import { flannelWireguard } from './flannel-wireguard.js';
import { flannelHostGw } from './flannel-host-gw.js';
import { flannelIpsec } from './flannel-ipsec.js';
import { flannelIpip } from './flannel-ipip.js';
import { calico } from './calico.js';
import { cilium } from './cilium.js';
import { kubernetesControlPlane, type ControlPlaneConfig } from './kubernetes-control-plane.js';

/** One rule set per backend type; each keeps its own backend's option type. */
export type AnyRuleSet = { [T in FlannelBackendType]: BackendRuleSet<T> }[FlannelBackendType];

/** Every backend rule file. A test checks each rules/flannel-*.ts module appears here. */
export const RULE_SETS: readonly AnyRuleSet[] = [
  flannelVxlan,
  flannelUdp,
  flannelWireguard,
  flannelHostGw,
  flannelIpsec,
  flannelIpip,
];

/**
 * Every rule set of a CNI that does not network with flannel, and the optional Kubernetes
 * control-plane set. A test checks each other rules/*.ts rule module appears here.
 */
export const CNI_RULE_SETS = [calico, cilium, kubernetesControlPlane] as const;

/** The data part of a rule set, which is what load-time validation checks. */
export interface CatalogEntry {
  backend: string;
  docUrl: string;
  ids: readonly string[];
  ports: readonly number[];
  /** What every id starts with; `flannel-<backend>` when absent. */
  idPrefix?: string;
}

/** Both kinds of rule set as load-time validation sees them. */
export function catalogEntries(): CatalogEntry[] {
  return [
    ...RULE_SETS,
    ...CNI_RULE_SETS.map((s) => ({ backend: s.name, docUrl: s.docUrl, ids: s.ids, ports: s.ports, idPrefix: `${s.name}-` })),
  ];
}

/** Throws if the catalog data is inconsistent; run at module load so a bad edit fails at start. */
export function validateCatalog(sets: readonly CatalogEntry[]): void {
  const errors: string[] = [];
  const seenBackends = new Set<string>();
  const seenIds = new Map<string, string>();
  for (const set of sets) {
    if (seenBackends.has(set.backend)) errors.push(`backend ${set.backend} registered twice`);
    seenBackends.add(set.backend);
    if (!set.docUrl.startsWith('https://')) errors.push(`${set.backend}: docUrl must be an https link`);
    for (const id of set.ids) {
      const owner = seenIds.get(id);
      if (owner) errors.push(`requirement id ${id} used by both ${owner} and ${set.backend}`);
      seenIds.set(id, set.backend);
      const prefix = set.idPrefix ?? `flannel-${set.backend}`;
      if (!id.startsWith(prefix)) errors.push(`${set.backend}: id ${id} must start with ${prefix}`);
    }
    for (const port of set.ports) {
      if (!isPort(port)) errors.push(`${set.backend}: port ${port} is not in 1-65535`);
    }
  }
  if (errors.length > 0) throw new Error(`invalid requirement catalog:\n${errors.join('\n')}`);
}

/** Checks requirements a rule set produced against its declared ids and port bounds. */
export function validateRequirements(set: Pick<CatalogEntry, 'backend' | 'ids'>, requirements: Requirement[]): void {
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const r of requirements) {
    if (!set.ids.includes(r.id)) errors.push(`${r.id} is not declared in ${set.backend}'s ids`);
    if (seen.has(r.id)) errors.push(`${r.id} produced twice`);
    seen.add(r.id);
    if (r.kind !== 'flow') continue;
    const hasPorts = r.fromPort !== undefined || r.toPort !== undefined;
    if (hasPorts && (!isPort(r.fromPort) || !isPort(r.toPort) || r.fromPort! > r.toPort!)) {
      errors.push(`${r.id}: port range ${r.fromPort}-${r.toPort} must satisfy 1 <= fromPort <= toPort <= 65535`);
    }
    if (hasPorts && r.protocol.name !== 'udp' && r.protocol.name !== 'tcp') errors.push(`${r.id}: ports given for protocol ${r.protocol.name}`);
  }
  if (errors.length > 0) throw new Error(`invalid requirements from ${set.backend}:\n${errors.join('\n')}`);
}

function isPort(p: number | undefined): boolean {
  return p !== undefined && Number.isInteger(p) && p >= 1 && p <= 65535;
}

validateCatalog(catalogEntries());

/** The node-to-node requirements of the effective flannel configuration. */
export function requirementsFor(flannel: FlannelConfig, nodes: ClusterNode[]): { requirements: Requirement[]; warnings: Warning[] } {
  const found = RULE_SETS.find((s) => s.backend === flannel.backend.type);
  if (!found) throw new Error(`internal: no rule set registered for flannel backend ${flannel.backend.type}`);
  // The find above matched set.backend to backend.type, which TypeScript cannot correlate across the union.
  const set = found as unknown as BackendRuleSet<FlannelBackendType>;
  const backend = flannel.backend as Extract<FlannelBackend, { type: FlannelBackendType }>;
  const ctx: RuleContext = { flannel, nodes };
  const requirements = set.requirements(backend, ctx);
  validateRequirements(set, requirements);
  return { requirements, warnings: set.warnings?.(backend, ctx) ?? [] };
}

/**
 * The node-to-node requirements of the detected CNI, plus the optional groups in `options`.
 * canal, k3s and rke2 network with flannel, so they go through the flannel rule sets with the
 * defaults their detection already resolved into the FlannelConfig.
 */
export function requirementsForCni(cni: CniConfig, nodes: ClusterNode[], options: RequirementOptions): { requirements: Requirement[]; warnings: Warning[] } {
  const ctx: CniRuleContext = { nodes };
  const own = ((): { requirements: Requirement[]; warnings: Warning[] } => {
    switch (cni.name) {
      case 'flannel': case 'canal': case 'k3s': case 'rke2':
        return requirementsFor(cni.flannel, nodes);
      case 'calico':
        return runCniSet(calico, cni.calico, ctx);
      case 'cilium':
        return runCniSet(cilium, cni.cilium, ctx);
    }
  })();
  if (!options.controlPlane) return own;
  const controlPlane = runCniSet(kubernetesControlPlane, controlPlaneConfig(cni), ctx);
  return { requirements: [...own.requirements, ...controlPlane.requirements], warnings: [...own.warnings, ...controlPlane.warnings] };
}

function runCniSet<C>(set: CniRuleSet<C>, config: C, ctx: CniRuleContext): { requirements: Requirement[]; warnings: Warning[] } {
  const requirements = set.requirements(config, ctx);
  validateRequirements({ backend: set.name, ids: set.ids }, requirements);
  return { requirements, warnings: set.warnings(config, ctx) };
}

/** The control plane talks over IPv4 unless the CNI runs IPv6 only; RKE2 adds its supervisor port. */
function controlPlaneConfig(cni: CniConfig): ControlPlaneConfig {
  const ipv4 = cni.name === 'calico' ? cni.calico.enableIPv4 : cni.name === 'cilium' ? cni.cilium.enableIPv4 : cni.flannel.enableIPv4;
  const rke2 = cni.name === 'rke2' || (cni.name === 'calico' && cni.distribution === 'rke2');
  return { family: ipv4 ? 4 : 6, rke2 };
}
