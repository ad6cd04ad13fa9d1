import type { ClusterNode, FlannelBackend, FlannelBackendType, FlannelConfig } from '../src/model/cluster.js';
import type { Warning } from '../src/model/source.js';
import type { Requirement } from '../src/model/requirement.js';
import type { BackendRuleSet, RuleContext } from './rule-set.js';
import { flannelVxlan } from './flannel-vxlan.js';
import { flannelUdp } from './flannel-udp.js';
import { flannelWireguard } from './flannel-wireguard.js';
import { flannelHostGw } from './flannel-host-gw.js';
import { flannelIpsec } from './flannel-ipsec.js';
import { flannelIpip } from './flannel-ipip.js';

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

/** The data part of a rule set, which is what load-time validation checks. */
export interface CatalogEntry {
  backend: string;
  docUrl: string;
  ids: readonly string[];
  ports: readonly number[];
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
      if (!id.startsWith(`flannel-${set.backend}`)) errors.push(`${set.backend}: id ${id} must start with flannel-${set.backend}`);
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

validateCatalog(RULE_SETS);

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
