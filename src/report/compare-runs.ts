import type { AuditReport, Finding, Remediation } from '../model/report.js';
import type { ChangeKind, FindingRef, PairChange, PairState, RunChanges } from '../model/run-changes.js';

/**
 * What changed from one audit of a cluster to the next. Pure: two reports in, the differences
 * out. Only pairs that some finding of either run lists are looked at: a pair no finding lists
 * is allowed in both runs (or absent), so it cannot have changed, and a 1,000-node cluster
 * never makes this walk a million pairs.
 */
export function compareRuns(previous: AuditReport | undefined, current: AuditReport): RunChanges {
  const after = pairStates(current);
  if (previous === undefined) return firstRun(current, after);
  const before = pairStates(previous);
  const changes: RunChanges = emptyChanges();
  changes.pairsTruncated = before.truncated.size > 0 || after.truncated.size > 0;

  const seen = new Set<string>();
  for (const key of [...after.listed.keys(), ...before.listed.keys()]) {
    if (seen.has(key)) continue;
    seen.add(key);
    const pair = (after.listed.get(key) ?? before.listed.get(key)) as ListedPair;
    const was = stateIn(before, pair);
    const now = stateIn(after, pair);
    // A pair a truncated finding may hide: its state in that run is not known, so no change is claimed.
    if (was === undefined || now === undefined || was === now) continue;
    const change: PairChange = { sourceNode: pair.sourceNode, destinationNode: pair.destinationNode, requirement: pair.requirement, before: was, after: now };
    if (now === 'blocked') changes.newlyBlocked.push(change);
    else if (now === 'allowed' && (was === 'blocked' || was === 'unknown')) changes.resolved.push(change);
    else if (now === 'unknown') changes.newlyUnknown.push(change);
  }
  for (const list of [changes.newlyBlocked, changes.resolved, changes.newlyUnknown]) list.sort(byPair);

  const beforeFindings = new Map(previous.findings.map((f) => [findingKey(f), f]));
  const afterFindings = new Map(current.findings.map((f) => [findingKey(f), f]));
  for (const [key, f] of afterFindings) {
    if (beforeFindings.has(key)) continue;
    changes.newFindings.push(findingRef(f));
    if (f.contradiction !== undefined) changes.newContradictions.push(findingRef(f));
  }
  for (const [key, f] of beforeFindings) if (!afterFindings.has(key)) changes.goneFindings.push(findingRef(f));

  const beforeRules = new Set(previous.remediations.map(remediationKey));
  changes.newRemediations = current.remediations.filter((r) => !beforeRules.has(remediationKey(r))).map(remediationRef);
  return changes;
}

/**
 * 'blocked' when anything is newly blocked (a pair, or a blocking finding such as a second
 * layer now dropping pairs already blocked elsewhere), else 'resolved' when a pair or finding
 * went away, else 'changed' for any other difference; undefined when nothing changed.
 */
export function changeKind(c: RunChanges): ChangeKind | undefined {
  if (c.newlyBlocked.length > 0 || c.newFindings.some((f) => f.verdict === 'blocked')) return 'blocked';
  if (c.resolved.length > 0 || c.goneFindings.length > 0) return 'resolved';
  if (c.newlyUnknown.length > 0 || c.newFindings.length > 0 || c.newContradictions.length > 0 || c.newRemediations.length > 0) return 'changed';
  return undefined;
}

/**
 * The key findings are matched by across runs: finding ids are only stable within one report.
 * A probe contradiction may carry no direction or target, so its kind is part of the key.
 */
export function findingKey(f: Pick<Finding, 'requirement' | 'layer' | 'direction' | 'target' | 'contradiction'>): string {
  return JSON.stringify([f.requirement, f.layer, f.direction ?? null, f.target?.kind ?? null, f.target?.id ?? null, f.contradiction ?? null]);
}

export function findingRef(f: Finding): FindingRef {
  return {
    id: f.id,
    verdict: f.verdict,
    requirement: f.requirement,
    layer: f.layer,
    ...(f.target ? { target: f.target } : {}),
    reason: f.reason,
    pairCount: f.pairCount,
  };
}

export function emptyChanges(): RunChanges {
  return { newlyBlocked: [], resolved: [], newlyUnknown: [], newFindings: [], goneFindings: [], newContradictions: [], newRemediations: [], pairsTruncated: false };
}

/** With nothing to compare against, only what blocks traffic is news: unknowns alone do not notify. */
function firstRun(current: AuditReport, after: PairStates): RunChanges {
  const changes = emptyChanges();
  changes.pairsTruncated = after.truncated.size > 0;
  for (const [key, pair] of after.listed) {
    if (after.state.get(key) === 'blocked') changes.newlyBlocked.push({ sourceNode: pair.sourceNode, destinationNode: pair.destinationNode, requirement: pair.requirement, before: 'absent', after: 'blocked' });
  }
  changes.newlyBlocked.sort(byPair);
  const blocking = current.findings.filter((f) => f.verdict === 'blocked');
  changes.newFindings = blocking.map(findingRef);
  changes.newContradictions = blocking.filter((f) => f.contradiction !== undefined).map(findingRef);
  changes.newRemediations = current.remediations.map(remediationRef);
  return changes;
}

interface ListedPair {
  sourceNode: string;
  destinationNode: string;
  requirement: string;
}

interface PairStates {
  nodes: Set<string>;
  requirements: Set<string>;
  /** Requirements with a finding that lists fewer pairs than it counts. */
  truncated: Set<string>;
  listed: Map<string, ListedPair>;
  /** blocked wins over unknown when several findings (layers) list one pair. */
  state: Map<string, 'blocked' | 'unknown'>;
}

function pairStates(report: AuditReport): PairStates {
  const out: PairStates = {
    nodes: new Set(report.nodes.map((n) => n.name)),
    requirements: new Set(report.requirements.map((r) => r.id)),
    truncated: new Set(),
    listed: new Map(),
    state: new Map(),
  };
  for (const f of report.findings) {
    if (f.pairsTruncated || f.pairs.length < f.pairCount) out.truncated.add(f.requirement);
    for (const p of f.pairs) {
      const pair = { sourceNode: p.sourceNode, destinationNode: p.destinationNode, requirement: f.requirement };
      const key = pairKey(pair);
      out.listed.set(key, pair);
      if (out.state.get(key) !== 'blocked') out.state.set(key, f.verdict);
    }
  }
  return out;
}

/** undefined: the run may have blocked or unknown on this pair in a finding's unlisted tail. */
function stateIn(run: PairStates, pair: ListedPair): PairState | undefined {
  if (!run.nodes.has(pair.sourceNode) || !run.nodes.has(pair.destinationNode)) return 'absent';
  // A requirement this run does not have (another backend) asks nothing of the pair.
  if (!run.requirements.has(pair.requirement)) return 'absent';
  const listed = run.state.get(pairKey(pair));
  if (listed !== undefined) return listed;
  return run.truncated.has(pair.requirement) ? undefined : 'allowed';
}

function pairKey(p: ListedPair): string {
  return JSON.stringify([p.sourceNode, p.destinationNode, p.requirement]);
}

function byPair(a: PairChange, b: PairChange): number {
  return compare(a.sourceNode, b.sourceNode) || compare(a.destinationNode, b.destinationNode) || compare(a.requirement, b.requirement);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The exact rule: two runs proposing the same rule (whatever its id) propose nothing new. */
function remediationKey(r: Remediation): string {
  return JSON.stringify([r.provider, r.target.kind, r.target.id, r.direction, r.protocol, r.fromPort ?? null, r.toPort ?? null, r.family, r.cidr, r.ruleNumber ?? null]);
}

function remediationRef(r: Remediation): RunChanges['newRemediations'][number] {
  return { id: r.id, target: r.target.id, direction: r.direction, flow: flowText(r), cidr: r.cidr, cli: r.commands.cli, terraform: r.commands.terraform };
}

function flowText(r: Remediation): string {
  if (r.fromPort === undefined) return r.protocol;
  return r.toPort === undefined || r.toPort === r.fromPort ? `${r.protocol} ${r.fromPort}` : `${r.protocol} ${r.fromPort}-${r.toPort}`;
}
