/**
 * `audit --probe`: joins the configuration verdicts with what the data plane does.
 * Each blocked or unknown finding is probed on one representative pair per source/destination
 * class pair (all members of a class are configured alike, so one pair speaks for the class
 * pair); a sample of config-allowed class pairs is probed too, because "allowed" is also a claim.
 */
import type { Evaluation } from '../evaluate/types.js';
import type { Layer } from '../model/evidence.js';
import type { Warning } from '../model/source.js';
import type { AuditReport, Finding, PairRef, ProbeContradiction, ReportRequirement } from '../model/report.js';
import { runProbes, type RunProbesOptions } from './orchestrator.js';
import { probePlan } from './encapsulation.js';
import type { PairSpec, ProbeResult } from '../model/probe.js';

export type ProbeFunction = (pairs: PairSpec[]) => Promise<ProbeResult[]>;

export interface ConfirmOptions {
  /** Representative pairs probed per finding at most. */
  maxPairsPerFinding?: number;
  /** Config-allowed class pairs probed at most. */
  maxAllowedSamples?: number;
}

const pairKey = (source: string, destination: string) => `${source}\u0000${destination}`;

/** Only a tunnel flow the agents can send through is probed (see probePlan). */
function isProbeable(r: ReportRequirement | undefined, cni: string | undefined): boolean {
  return probePlan(r, cni).kind === 'probe';
}

function notProbedReason(r: ReportRequirement | undefined, id: string, cni: string | undefined): string {
  const plan = probePlan(r, cni);
  // A probeable requirement without representatives had no pair the agents could send on.
  return plan.kind === 'not-probed' ? plan.reason : `requirement ${id} had no pair the probes could send on`;
}

export async function confirmFindings(
  report: AuditReport,
  evaluation: Evaluation,
  probe: ProbeFunction,
  options: ConfirmOptions = {},
): Promise<AuditReport> {
  const maxPerFinding = options.maxPairsPerFinding ?? 10;
  const maxAllowed = options.maxAllowedSamples ?? 20;
  const requirements = new Map(report.requirements.map((r) => [r.id, r]));
  const cni = report.cni?.name;
  const classOf = new Map<string, number>();
  for (const c of evaluation.classes) for (const m of c.members) classOf.set(m.node.name, c.id);
  const ipOf = new Map(evaluation.nodes.map((n) => [n.node.name, n.node.vtepIp ?? null]));

  // Representatives of each finding: the first listed pair of each class pair.
  const representatives = new Map<string, PairRef[]>();
  for (const f of report.findings) {
    if (!isProbeable(requirements.get(f.requirement), cni)) continue;
    const seen = new Set<string>();
    const reps: PairRef[] = [];
    for (const p of f.pairs) {
      const key = `${classOf.get(p.sourceNode) ?? p.sourceNode}>${classOf.get(p.destinationNode) ?? p.destinationNode}`;
      if (seen.has(key)) continue;
      seen.add(key);
      reps.push(p);
      if (reps.length >= maxPerFinding) break;
    }
    representatives.set(f.id, reps);
  }

  // Config-allowed samples: one pair per allowed cell of a probeable requirement.
  const allowedSamples: (PairRef & { layer: Layer })[] = [];
  const sampled = new Set<string>();
  for (const cell of evaluation.cells) {
    if (allowedSamples.length >= maxAllowed) break;
    if (cell.verdict !== 'allowed' || !isProbeable(requirements.get(cell.requirementId), cni)) continue;
    const pair = cellPair(evaluation, cell.sourceClass, cell.destinationClass);
    if (!pair || sampled.has(pairKey(pair.source, pair.destination))) continue;
    sampled.add(pairKey(pair.source, pair.destination));
    allowedSamples.push({
      sourceNode: pair.source,
      sourceIp: ipOf.get(pair.source) ?? null,
      destinationNode: pair.destination,
      destinationIp: ipOf.get(pair.destination) ?? null,
      layer: cell.layer,
    });
  }

  const wanted = new Map<string, PairSpec>();
  for (const p of [...[...representatives.values()].flat(), ...allowedSamples]) {
    wanted.set(pairKey(p.sourceNode, p.destinationNode), { source: p.sourceNode, destination: p.destinationNode });
  }
  const results = wanted.size > 0 ? await probe([...wanted.values()]) : [];
  const byPair = new Map(results.map((r) => [pairKey(r.sourceNode, r.destinationNode), r]));

  const findings: Finding[] = [];
  const added: Finding[] = [];
  let nextId = 1;
  const newId = () => {
    while (report.findings.some((f) => f.id === `P${nextId}`)) nextId++;
    return `P${nextId++}`;
  };
  const tally = { confirmed: 0, contradicted: 0, notProbed: 0 };

  for (const f of report.findings) {
    const reps = representatives.get(f.id);
    if (!reps) {
      tally.notProbed++;
      findings.push({ ...f, confirmation: 'not-probed', confirmationReason: notProbedReason(requirements.get(f.requirement), f.requirement, cni) });
      continue;
    }
    const probes = reps.map((p) => byPair.get(pairKey(p.sourceNode, p.destinationNode))).filter((r): r is ProbeResult => r !== undefined);
    const blocked = probes.filter(isCertainBlock);
    const delivered = probes.filter((r) => r.verdict === 'ok');
    const inconclusive = probes.filter((r) => r.verdict !== 'ok' && !isCertainBlock(r));
    let confirmed: Finding;
    if (blocked.length > 0) {
      tally.confirmed++;
      const mixed = delivered.length > 0 ? `; ${delivered.length} other representative pair(s) got through, so the block is not uniform` : '';
      confirmed = { ...f, confirmation: 'confirmed', confirmationReason: `${blocked.length} of ${probes.length} probed representative pair(s) are blocked in the data plane${mixed}`, probes };
    } else if (delivered.length > 0 && inconclusive.length === 0) {
      tally.contradicted++;
      confirmed = { ...f, confirmation: 'contradicted', confirmationReason: `all ${delivered.length} probed representative pair(s) got VXLAN through`, probes };
      if (f.verdict === 'blocked') {
        added.push(contradictionFinding(newId(), 'blocked-but-delivered', f, delivered,
          `the configuration blocks ${describeFlow(f)} (${f.id}: ${f.layer}), but probes delivered VXLAN on ${delivered.length} representative pair(s): the cloud data is stale or wrong; re-export it and audit again`));
      }
    } else {
      tally.notProbed++;
      const why = probes.length === 0 ? 'no probe result came back' : `probes were inconclusive: ${probes.map((r) => `${r.sourceNode}->${r.destinationNode} ${r.verdict}`).join(', ')}`;
      confirmed = { ...f, confirmation: 'not-probed', confirmationReason: why, probes };
    }
    findings.push(confirmed);
  }

  const allowedResults = allowedSamples
    .map((p) => byPair.get(pairKey(p.sourceNode, p.destinationNode)))
    .filter((r): r is ProbeResult => r !== undefined);
  const requirementId = report.requirements.find((r) => isProbeable(r, cni))?.id;
  const dropped = allowedResults.filter(isCertainBlock);
  if (dropped.length > 0 && requirementId) {
    const layer = allowedSamples[0]!.layer;
    added.push(contradictionFinding(newId(), 'allowed-but-dropped', { ...baseFinding(report, requirementId), layer }, dropped,
      `the configuration allows the VXLAN flow on ${dropped.length} sampled pair(s), but the probes' VXLAN datagrams did not arrive while the underlay control did: another layer drops them (host firewall, hypervisor, or MTU)`));
  }
  const blackHoles = allowedResults.filter((r) => r.verdict === 'ok' && r.evidence.mtu?.tested === true && r.evidence.mtu.blackHole);
  if (blackHoles.length > 0 && requirementId) {
    const sizes = blackHoles.map((r) => (r.evidence.mtu?.tested ? `${r.sourceNode}->${r.destinationNode} ${r.evidence.mtu.largestPassed ?? 'none'}/${r.evidence.mtu.deviceMtu}` : '')).join(', ');
    const layer = allowedSamples[0]!.layer;
    added.push(contradictionFinding(newId(), 'mtu-black-hole', { ...baseFinding(report, requirementId), layer }, blackHoles,
      `small VXLAN datagrams pass but ones at the flannel device MTU are silently dropped (largest passing/device MTU: ${sizes}): lower flannel's MTU or raise the underlay MTU`));
  }

  // An allowed pair whose probe failed (no agent, wrong port or secret) confirms nothing. Say so:
  // otherwise an audit whose probes all failed would look exactly like a clean, confirmed one.
  const inconclusive = allowedResults.filter((r) => r.verdict !== 'ok' && !isCertainBlock(r));
  const warnings = inconclusive.length > 0 ? [...report.warnings, inconclusiveWarning(inconclusive, allowedResults.length)] : report.warnings;

  return {
    ...report,
    warnings,
    findings: [...findings, ...added],
    probe: {
      pairsProbed: results.length,
      ...tally,
      contradictionFindings: added.length,
      allowedPairsSampled: allowedSamples.length,
    },
  };
}

/**
 * A block the engine is sure of: every round silent and no receive-buffer drops at the
 * destination. An uncertain one neither confirms a finding nor contradicts an allowed pair.
 * Results from before certainty was reported (no `certain` field) count as certain.
 */
function isCertainBlock(r: ProbeResult): boolean {
  return r.verdict === 'blocked' && r.certain !== false;
}

const INCONCLUSIVE_LISTED = 5;

function inconclusiveWarning(results: ProbeResult[], sampled: number): Warning {
  const listed = results.slice(0, INCONCLUSIVE_LISTED).map((r) => `${r.sourceNode}->${r.destinationNode} ${r.verdict} (${r.evidence.reason})`);
  const more = results.length > INCONCLUSIVE_LISTED ? `; and ${results.length - INCONCLUSIVE_LISTED} more` : '';
  return {
    code: 'probe-inconclusive',
    message: `audit --probe could not probe ${results.length} of ${sampled} sampled config-allowed pair(s), so their "allowed" is not confirmed by the data plane: ${listed.join('; ')}${more}`,
  };
}

function cellPair(
  evaluation: Evaluation,
  sourceClass: number,
  destinationClass: number,
): { source: string; destination: string } | undefined {
  // The evaluator computes a cell on members[0] of each class (members[1] as the destination of a self pair).
  const src = evaluation.classes.find((c) => c.id === sourceClass);
  const dst = evaluation.classes.find((c) => c.id === destinationClass);
  const source = src?.members[0]?.node.name;
  const destination = sourceClass === destinationClass ? dst?.members[1]?.node.name : dst?.members[0]?.node.name;
  return source && destination ? { source, destination } : undefined;
}

function describeFlow(f: Finding): string {
  return f.protocol ? `${f.protocol}${f.port !== undefined ? ` ${f.port}` : ''}` : f.requirement;
}

function baseFinding(report: AuditReport, requirementId: string): Pick<Finding, 'requirement' | 'protocol' | 'port' | 'fromPort' | 'toPort'> {
  const r = report.requirements.find((x) => x.id === requirementId)!;
  return {
    requirement: r.id,
    ...(r.protocol ? { protocol: r.protocol } : {}),
    ...(r.fromPort !== undefined && r.fromPort === (r.toPort ?? r.fromPort) ? { port: r.fromPort } : {}),
    ...(r.fromPort !== undefined ? { fromPort: r.fromPort, toPort: r.toPort ?? r.fromPort } : {}),
  };
}

function contradictionFinding(
  id: string,
  contradiction: ProbeContradiction,
  base: Pick<Finding, 'requirement' | 'protocol' | 'port' | 'fromPort' | 'toPort'> & Partial<Finding>,
  probes: ProbeResult[],
  reason: string,
): Finding {
  const stale = contradiction === 'blocked-but-delivered';
  return {
    id,
    // Stale cloud data leaves the configuration verdict in doubt; a drop the probes saw is a block.
    verdict: stale ? 'unknown' : 'blocked',
    requirement: base.requirement,
    ...(base.protocol !== undefined ? { protocol: base.protocol } : {}),
    ...(base.port !== undefined ? { port: base.port } : {}),
    ...(base.fromPort !== undefined ? { fromPort: base.fromPort } : {}),
    ...(base.toPort !== undefined ? { toPort: base.toPort } : {}),
    // Finding.layer names a configuration layer: for stale data the one that claimed the block, for a
    // data-plane drop the last one that allowed the flow (none of them is to blame, as `contradiction` says).
    layer: base.layer ?? 'security-group',
    ...(stale && base.direction ? { direction: base.direction } : {}),
    ...(stale && base.target ? { target: base.target } : {}),
    reason,
    pairCount: probes.length,
    pairs: probes.map((r) => ({ sourceNode: r.sourceNode, sourceIp: r.sourceIp, destinationNode: r.destinationNode, destinationIp: r.destinationIp })),
    pairsTruncated: false,
    evidence: [],
    confirmation: 'confirmed',
    confirmationReason: `observed by live probes on ${probes.length} pair(s)`,
    probes,
    contradiction,
  };
}

/** The probe function for audit --probe: runs the orchestrator on the requested pairs. */
export function orchestratorProbe(base: Omit<RunProbesOptions, 'pairs'>): ProbeFunction {
  return async (pairs) => (await runProbes({ ...base, pairs })).results;
}
