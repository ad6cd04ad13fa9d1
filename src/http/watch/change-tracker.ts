import { randomUUID } from 'node:crypto';
import type { AuditReport } from '../../model/report.js';
import type { ChangeEvent } from '../../model/run-changes.js';
import { changeKind, compareRuns, findingKey } from '../../report/compare-runs.js';
import type { AuditOrigin, AuditStore } from '../../store/types.js';
import type { ApiMetrics } from '../metrics.js';
import { ClusterGauges } from './cluster-gauges.js';
import type { RunObserver, WatchRunStored } from './types.js';

/**
 * The runs a new one is compared with. A live audit someone asked for is as much the cluster's
 * state as a scheduled one; an audit of posted exports is not, even under the cluster's label.
 */
export const TRACKED_ORIGINS: readonly AuditOrigin[] = ['watch', 'live'];

export interface ChangeTrackerDeps {
  store: AuditStore;
  metrics: ApiMetrics;
  now?: () => Date;
  newId?: () => string;
}

export interface ChangeTracker extends RunObserver {
  onRunStored(run: WatchRunStored): Promise<ChangeEvent | undefined>;
}

/**
 * After each stored watch run: compare it with the cluster's previous tracked run, keep the
 * change (when there is one) and since when each finding is open, and set the cluster gauges.
 * The comparison reads the previous run from the store, not from memory, so a replica that
 * takes over a cluster from another compares with the run the other one stored.
 */
export function createChangeTracker(deps: ChangeTrackerDeps): ChangeTracker {
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const gauges = new ClusterGauges(deps.metrics);
  return {
    async onRunStored(run) {
      const previous = await deps.store.latestAudit(run.cluster, TRACKED_ORIGINS, { createdAt: run.createdAt, id: run.auditId });
      const changes = compareRuns(previous?.report, run.report);
      const prior = await deps.store.getFindingsSince(run.cluster);
      await deps.store.saveFindingsSince({ cluster: run.cluster, auditId: run.auditId, since: findingsSince(run, previous, prior?.since ?? {}) });
      gauges.recordRun(run.cluster, run.createdAt, run.report);
      const kind = changeKind(changes);
      if (kind === undefined) return undefined;
      const { blocked, unknown, allowed, directedPairs } = run.report.summary;
      const event: ChangeEvent = {
        cluster: run.cluster,
        kind,
        at: now().toISOString(),
        auditId: run.auditId,
        previousAuditId: previous?.id ?? null,
        summary: { blocked, unknown, allowed, directedPairs },
        changes,
      };
      await deps.store.saveChange({ id: newId(), ...event });
      gauges.recordChange(run.cluster, kind);
      return event;
    },
  };
}

/**
 * A finding keeps its start time while every run has it; one the previous run lacked starts a
 * new streak now. A finding the previous run had but no kept time covers (the first tracked run
 * after an on-demand live audit) has been open at least since that run.
 */
function findingsSince(run: WatchRunStored, previous: { createdAt: string; report: AuditReport } | undefined, prior: Record<string, string>): Record<string, string> {
  const before = new Set(previous?.report.findings.map(findingKey) ?? []);
  const since: Record<string, string> = {};
  for (const f of run.report.findings) {
    const key = findingKey(f);
    since[key] ??= before.has(key) ? (prior[key] ?? previous?.createdAt ?? run.createdAt) : run.createdAt;
  }
  return since;
}
