import type { Logger } from 'pino';
import type { AuditStore } from '../../store/types.js';
import { intervalRunKey, type WatchClaim, type WatchRunOutcome } from '../../store/watch-lease.js';
import type { ClusterTarget } from '../config-file.js';
import type { WatchTrigger } from '../metrics.js';
import { NodeWatch, type NodeLister } from './node-watch.js';
import { leaseMsFor, missedSlots, slotAt, slotStart, triggeredLeaseMs } from './scheduler.js';
import type { WatchSchedule } from './watch-config.js';
import { runWatchAudit, type RunDeps, type RunResult } from './watch-run.js';

export interface WatchLoopOptions extends Omit<RunDeps, 'now' | 'newId' | 'shedRetryMs'> {
  /** Every configured cluster; those without a `watch` section are left alone. */
  clusters: ClusterTarget[];
  store: AuditStore;
  /** This replica's name on its leases (host name and process id, or a UUID). */
  holder: string;
  now?: () => Date;
  newId?: () => string;
  /** In [0, 1): the jitter's dice. */
  random?: () => number;
  shedRetryMs?: number;
  /** Runs after a node was added or removed; omitted: only the schedule runs. */
  nodeWatch?: { list: NodeLister; pollMs: number; debounceMs: number };
}

/** What the status endpoint shows of a cluster's schedule on this replica. */
export interface WatchScheduleStatus {
  cluster: string;
  intervalSeconds: number;
  jitterSeconds: number;
  probe: boolean;
  /** When this replica next tries to claim a run (ISO 8601); null once stopped. */
  nextRunAt: string | null;
  running: { trigger: WatchTrigger; runKey: string; startedAt: string } | null;
  /** The last run this replica claimed, however it ended. */
  lastRun: WatchRunRecord | null;
  lastSuccessAt: string | null;
  /** Claimed runs in a row that stored nothing. */
  consecutiveFailures: number;
  /** The last time this replica found the cluster still busy with another run (that run's lease), and skipped. */
  lastBusy: { at: string; holder: string; runKey: string } | null;
}

export interface WatchRunRecord {
  trigger: WatchTrigger;
  runKey: string;
  startedAt: string;
  finishedAt: string;
  outcome: WatchRunOutcome;
  auditId?: string;
  reason?: string;
}

/**
 * Watch mode of `sgaudit serve`: one sequential schedule per watched cluster, so a replica never
 * runs two audits of one cluster at once, and a node watch per cluster that asks its schedule
 * for an extra run. Runs are claimed through the store's leases (watch-lease.ts) so several
 * replicas on one PostgreSQL run each interval once.
 */
export class WatchLoop {
  private readonly stop = new AbortController();
  private readonly schedules = new Map<string, ClusterSchedule>();
  private readonly nodeWatches: NodeWatch[] = [];
  private running: Promise<void>[] = [];

  constructor(private readonly options: WatchLoopOptions) {
    for (const target of options.clusters) {
      if (target.watch) this.schedules.set(target.name, new ClusterSchedule(options, target, target.watch, this.stop.signal));
    }
  }

  get clusters(): string[] {
    return [...this.schedules.keys()];
  }

  start(): void {
    if (this.running.length > 0 || this.stop.signal.aborted) return;
    this.running = [...this.schedules.values()].map((s) => s.run());
    const nw = this.options.nodeWatch;
    if (nw) {
      for (const schedule of this.schedules.values()) {
        const watch = new NodeWatch(schedule.target, nw.list, { pollMs: nw.pollMs, debounceMs: nw.debounceMs, logger: this.options.logger }, (key) => schedule.trigger(key));
        this.nodeWatches.push(watch);
        watch.start();
      }
    }
  }

  /** Asks for a run of the cluster soon, outside its schedule (a node change). False for a cluster that is not watched. */
  trigger(cluster: string, key: string): boolean {
    const s = this.schedules.get(cluster);
    if (!s) return false;
    s.trigger(key);
    return true;
  }

  status(cluster: string): WatchScheduleStatus | undefined {
    return this.schedules.get(cluster)?.snapshot();
  }

  /** Cancels running runs (their leases expire; another replica takes over) and waits for every schedule to end. */
  async close(): Promise<void> {
    this.stop.abort(new Error('the watch loop is stopping'));
    await Promise.all(this.nodeWatches.map((w) => w.stop()));
    await Promise.all(this.running);
  }
}

class ClusterSchedule {
  private readonly status: WatchScheduleStatus;
  private pending: string | undefined;
  private wake: (() => void) | undefined;
  private readonly deps: RunDeps;
  private readonly log: Logger;

  constructor(
    private readonly options: WatchLoopOptions,
    readonly target: ClusterTarget,
    private readonly schedule: WatchSchedule,
    private readonly signal: AbortSignal,
  ) {
    const now = options.now ?? (() => new Date());
    this.deps = {
      ...options,
      now,
      newId: options.newId ?? (() => crypto.randomUUID()),
      shedRetryMs: options.shedRetryMs ?? 2000,
    };
    this.log = options.logger.child({ cluster: target.name, watch: true });
    this.status = {
      cluster: target.name,
      intervalSeconds: schedule.intervalMs / 1000,
      jitterSeconds: schedule.jitterMs / 1000,
      probe: schedule.probe,
      nextRunAt: null,
      running: null,
      lastRun: null,
      lastSuccessAt: null,
      consecutiveFailures: 0,
      lastBusy: null,
    };
  }

  snapshot(): WatchScheduleStatus {
    return structuredClone(this.status);
  }

  trigger(key: string): void {
    this.pending = key;
    this.wake?.();
  }

  async run(): Promise<void> {
    const interval = this.schedule.intervalMs;
    const random = this.options.random ?? Math.random;
    // The interval under way when the server starts runs at once (unless another replica ran it).
    let slot = slotAt(this.nowMs(), interval);
    while (!this.signal.aborted) {
      const at = slotStart(slot, interval) + Math.floor(random() * this.schedule.jitterMs);
      this.status.nextRunAt = new Date(Math.max(at, this.nowMs())).toISOString();
      await this.waitUntil(at);
      if (this.signal.aborted) break;
      const key = this.pending;
      if (key !== undefined && this.nowMs() < at) {
        this.pending = undefined;
        const runKey = `nodes:${slotAt(this.nowMs(), interval)}:${key}`;
        await this.attempt('nodes', { cluster: this.target.name, runKey, holder: this.options.holder, leaseMs: triggeredLeaseMs(this.target.limits.deadlineMs, interval) }, this.nowMs() + interval / 2);
        continue;
      }
      // A trigger that arrives as an interval begins is served by that interval's run.
      this.pending = undefined;
      const started = this.nowMs();
      await this.attempt('interval', { cluster: this.target.name, runKey: intervalRunKey(slot), slot, holder: this.options.holder, leaseMs: leaseMsFor(interval, started, slot) }, slotStart(slot + 1, interval));
      const nowSlot = slotAt(this.nowMs(), interval);
      const missed = missedSlots(slot, nowSlot);
      if (missed > 0) {
        this.log.warn({ missed, intervalSeconds: interval / 1000 }, 'watch: a run outlasted the interval; intervals passed without a run of this replica');
        this.options.metrics.recordWatchRun(this.target.name, 'interval', 'missed', undefined, missed);
      }
      slot = Math.max(slot + 1, nowSlot);
    }
    this.status.nextRunAt = null;
  }

  private async attempt(trigger: WatchTrigger, claim: WatchClaim, giveUpShedAt: number): Promise<void> {
    const name = this.target.name;
    let claimed;
    try {
      claimed = await this.options.store.claimWatchRun(claim);
    } catch (e) {
      if (this.signal.aborted) return;
      this.log.error({ err: e, runKey: claim.runKey }, 'watch: claiming the run in the store failed; trying again at the next interval');
      this.options.metrics.recordWatchRun(name, trigger, 'error');
      this.recordRun(trigger, claim.runKey, new Date(this.nowMs()), { kind: 'error', reason: `claiming the run failed: ${(e as Error).message}` });
      return;
    }
    if (claimed.kind === 'taken') {
      this.log.debug({ runKey: claim.runKey, holder: claimed.holder }, 'watch: another replica has this run');
      return;
    }
    if (claimed.kind === 'busy') {
      this.log.warn({ runKey: claim.runKey, busyWith: claimed.runKey, holder: claimed.holder, until: claimed.expiresAt }, 'watch: the previous run of the cluster still holds its lease; skipping this one');
      this.options.metrics.recordWatchRun(name, trigger, 'busy');
      this.status.lastBusy = { at: new Date(this.nowMs()).toISOString(), holder: claimed.holder, runKey: claimed.runKey };
      return;
    }
    const startedAt = new Date(this.nowMs());
    this.status.running = { trigger, runKey: claim.runKey, startedAt: startedAt.toISOString() };
    const result = await runWatchAudit(this.deps, this.target, this.signal, giveUpShedAt);
    this.status.running = null;
    const outcome = outcomeOf(result);
    this.options.metrics.recordWatchRun(name, trigger, outcome, result.kind === 'stored' ? new Date(result.createdAt) : undefined);
    this.recordRun(trigger, claim.runKey, startedAt, result);
    try {
      await this.options.store.finishWatchRun(name, claim.runKey, claim.holder, outcome);
    } catch (e) {
      // The lease then simply expires; the next interval is claimed as usual.
      this.log.warn({ err: e, runKey: claim.runKey }, 'watch: marking the run finished failed');
    }
  }

  private recordRun(trigger: WatchTrigger, runKey: string, startedAt: Date, result: RunResult): void {
    const finishedAt = new Date(this.nowMs()).toISOString();
    const record: WatchRunRecord = { trigger, runKey, startedAt: startedAt.toISOString(), finishedAt, outcome: outcomeOf(result) };
    if (result.kind === 'stored') {
      record.auditId = result.auditId;
      this.status.lastSuccessAt = result.createdAt;
      this.status.consecutiveFailures = 0;
    } else if (result.kind !== 'cancelled') {
      record.reason = result.reason;
      this.status.consecutiveFailures += 1;
    }
    this.status.lastRun = record;
  }

  private nowMs(): number {
    return this.deps.now().getTime();
  }

  /** Sleeps until `atMs`, or until a trigger or the stop wakes it. */
  private waitUntil(atMs: number): Promise<void> {
    if (this.pending !== undefined) return Promise.resolve();
    const ms = atMs - this.nowMs();
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener('abort', done);
      this.wake = done;
    });
  }
}

function outcomeOf(result: RunResult): WatchRunOutcome {
  return result.kind;
}
