import { Counter, Gauge, type Registry } from 'prom-client';
import type { AuditReport } from '../../model/report.js';
import type { ChangeKind } from '../../model/run-changes.js';
import { COLLECTION_INCOMPLETE } from '../../report/collection-warnings.js';
import type { ApiMetrics } from '../metrics.js';

/**
 * Per-cluster state of the latest tracked run, for alerting (docs/watch.md has the rules).
 * The series live in the app's own registry; a second tracker on the same registry (tests)
 * reuses them instead of registering the names twice.
 */
export class ClusterGauges {
  private readonly blocked: Gauge<'cluster'>;
  private readonly unknown: Gauge<'cluster'>;
  private readonly requirementBlocked: Gauge<'cluster' | 'requirement'>;
  private readonly requirementUnknown: Gauge<'cluster' | 'requirement'>;
  private readonly lastRun: Gauge<'cluster'>;
  private readonly complete: Gauge<'cluster'>;
  private readonly changes: Counter<'cluster' | 'kind'>;
  /** Requirements each cluster has series for, so a requirement that went away loses its series. */
  private readonly requirementsOf = new Map<string, Set<string>>();

  constructor(metrics: ApiMetrics) {
    const r = metrics.registry;
    this.blocked = gauge(r, 'sgaudit_cluster_blocked_pairs', 'Directed node pairs with a blocked requirement in the latest watch run of each cluster', ['cluster']);
    this.unknown = gauge(r, 'sgaudit_cluster_unknown_pairs', 'Directed node pairs with no blocked but an unknown requirement in the latest watch run of each cluster', ['cluster']);
    this.requirementBlocked = gauge(
      r,
      'sgaudit_cluster_requirement_blocked_pairs',
      'Directed node pairs for which this requirement is blocked in the latest watch run; a lower bound when a finding listed fewer pairs than it counts (raise maxPairs)',
      ['cluster', 'requirement'],
    );
    this.requirementUnknown = gauge(
      r,
      'sgaudit_cluster_requirement_unknown_pairs',
      'Directed node pairs for which this requirement is unknown (and not blocked) in the latest watch run; approximate when a finding listed fewer pairs than it counts',
      ['cluster', 'requirement'],
    );
    this.lastRun = gauge(r, 'sgaudit_cluster_last_run_timestamp_seconds', 'Unix time of the latest stored watch run of each cluster (a run whose collection failed stores nothing)', ['cluster']);
    this.complete = gauge(r, 'sgaudit_cluster_collection_complete', '1 when every collection call of the latest watch run succeeded, 0 when some failed (their pairs are unknown)', ['cluster']);
    const existing = r.getSingleMetric('sgaudit_watch_changes_total') as Counter<'cluster' | 'kind'> | undefined;
    this.changes =
      existing ??
      new Counter({ name: 'sgaudit_watch_changes_total', help: 'Change events of watch runs by cluster and kind (blocked, resolved, changed)', labelNames: ['cluster', 'kind'], registers: [r] });
  }

  recordRun(cluster: string, createdAt: string, report: AuditReport): void {
    this.blocked.set({ cluster }, report.summary.blocked);
    this.unknown.set({ cluster }, report.summary.unknown);
    this.lastRun.set({ cluster }, Date.parse(createdAt) / 1000);
    this.complete.set({ cluster }, report.warnings.some((w) => w.code === COLLECTION_INCOMPLETE) ? 0 : 1);
    const counts = requirementCounts(report);
    const previous = this.requirementsOf.get(cluster) ?? new Set<string>();
    for (const requirement of previous) {
      if (counts.has(requirement)) continue;
      this.requirementBlocked.remove({ cluster, requirement });
      this.requirementUnknown.remove({ cluster, requirement });
    }
    for (const [requirement, c] of counts) {
      this.requirementBlocked.set({ cluster, requirement }, c.blocked);
      this.requirementUnknown.set({ cluster, requirement }, c.unknown);
    }
    this.requirementsOf.set(cluster, new Set(counts.keys()));
  }

  recordChange(cluster: string, kind: ChangeKind): void {
    this.changes.inc({ cluster, kind });
  }
}

function gauge<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Gauge<L> {
  return (registry.getSingleMetric(name) as Gauge<L> | undefined) ?? new Gauge({ name, help, labelNames, registers: [registry] });
}

/**
 * Per requirement, the distinct pairs its findings list as blocked, and as unknown but not
 * blocked. Several findings (layers, directions) may list one pair, so pairCounts are not summed;
 * a truncated list can only undercount, and the largest pairCount is then a better lower bound.
 */
function requirementCounts(report: AuditReport): Map<string, { blocked: number; unknown: number }> {
  const state = new Map<string, Map<string, 'blocked' | 'unknown'>>();
  const floor = new Map<string, { blocked: number; unknown: number }>();
  for (const r of report.requirements) {
    state.set(r.id, new Map());
    floor.set(r.id, { blocked: 0, unknown: 0 });
  }
  for (const f of report.findings) {
    const pairs = state.get(f.requirement) ?? new Map<string, 'blocked' | 'unknown'>();
    state.set(f.requirement, pairs);
    for (const p of f.pairs) {
      const key = `${p.sourceNode}\u0000${p.destinationNode}`;
      if (pairs.get(key) !== 'blocked') pairs.set(key, f.verdict);
    }
    const min = floor.get(f.requirement) ?? { blocked: 0, unknown: 0 };
    if (f.verdict === 'blocked') min.blocked = Math.max(min.blocked, f.pairCount);
    floor.set(f.requirement, min);
  }
  const out = new Map<string, { blocked: number; unknown: number }>();
  for (const [requirement, pairs] of state) {
    let blocked = 0;
    let unknown = 0;
    for (const s of pairs.values()) s === 'blocked' ? blocked++ : unknown++;
    out.set(requirement, { blocked: Math.max(blocked, floor.get(requirement)?.blocked ?? 0), unknown });
  }
  return out;
}
