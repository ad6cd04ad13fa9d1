import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProbeVerdict } from '../model/probe.js';
import type { ReportSummary } from '../model/report.js';
import type { AuditPoolStats } from './audit-pool.js';

/** Every verdict a probe can give, so the gauge has a series for each; a new verdict in src/model/probe.ts fails to compile here until it is added. */
const PROBE_VERDICTS = Object.keys({ ok: true, blocked: true, 'underlay-unreachable': true, 'agent-missing': true, error: true, 'not-probed': true } satisfies Record<ProbeVerdict, true>) as ProbeVerdict[];

/** What became of an audit request, as the `outcome` label of sgaudit_audits_total. */
export type AuditOutcome = 'clean' | 'blocked' | 'unknown' | 'invalid-input' | 'collection-failed' | 'error';

/**
 * The service's metrics, in a registry of their own (no prom-client global), so every app
 * instance, and every test, counts separately.
 */
export class ApiMetrics {
  readonly registry = new Registry();
  private readonly audits: Counter<'cluster' | 'outcome'>;
  private readonly blockedPairs: Gauge<'cluster'>;
  private readonly requestDuration: Histogram<'route' | 'method' | 'status'>;
  private readonly shed: Counter;
  private readonly probePairs: Gauge<'cluster' | 'verdict'>;
  private readonly sweepDuration: Histogram<'cluster' | 'purpose'>;
  private readonly webhookDeliveries: Counter<'target' | 'outcome'>;
  /** Read when /metrics is scraped; never touches the pool's threads, so a busy pool answers at once. */
  private poolStats: (() => AuditPoolStats) | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    this.audits = new Counter({
      name: 'sgaudit_audits_total',
      help: 'Audits run, by cluster label ("" when none was given) and outcome',
      labelNames: ['cluster', 'outcome'],
      registers: [this.registry],
    });
    this.blockedPairs = new Gauge({
      name: 'sgaudit_blocked_pairs',
      help: 'Directed node pairs with a blocked requirement in the latest audit of each cluster label',
      labelNames: ['cluster'],
      registers: [this.registry],
    });
    this.requestDuration = new Histogram({
      name: 'sgaudit_http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.shed = new Counter({
      name: 'sgaudit_requests_shed_total',
      help: 'Audit and what-if requests answered 503 overloaded because every worker was busy and the queue was full',
      registers: [this.registry],
    });
    this.probePairs = new Gauge({
      name: 'sgaudit_probe_pairs',
      help: 'Directed node pairs by verdict in the latest probe sweep (POST /v1/clusters/{name}/probes) of each cluster; every verdict is set, 0 included',
      labelNames: ['cluster', 'verdict'],
      registers: [this.registry],
    });
    this.sweepDuration = new Histogram({
      name: 'sgaudit_probe_sweep_duration_seconds',
      help: 'Wall time of probe sweeps, from the first agent call to the last verdict; purpose "sweep" (the probes endpoint) or "audit" (an audit with probe: true)',
      labelNames: ['cluster', 'purpose'],
      buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60],
      registers: [this.registry],
    });
    this.webhookDeliveries = new Counter({
      name: 'sgaudit_webhook_deliveries_total',
      help: 'Change notifications by webhook target and outcome: delivered, failed (after its retries, or not retryable) or dropped (queue full, or shutdown)',
      labelNames: ['target', 'outcome'],
      registers: [this.registry],
    });
    const metrics = this;
    new Gauge({
      name: 'sgaudit_pool_queued_tasks',
      help: 'Audit and what-if evaluations waiting for a worker thread',
      registers: [this.registry],
      collect() {
        this.set(metrics.poolStats?.().queued ?? 0);
      },
    });
    new Gauge({
      name: 'sgaudit_pool_running_tasks',
      help: 'Audit and what-if evaluations running on worker threads',
      registers: [this.registry],
      collect() {
        this.set(metrics.poolStats?.().running ?? 0);
      },
    });
    new Gauge({
      name: 'sgaudit_pool_workers',
      help: 'Worker threads of the audit pool (--workers)',
      registers: [this.registry],
      collect() {
        this.set(metrics.poolStats?.().workers ?? 0);
      },
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The pool whose queue and running tasks the gauges report. */
  observePool(stats: () => AuditPoolStats): void {
    this.poolStats = stats;
  }

  recordShed(): void {
    this.shed.inc();
  }

  recordAudit(cluster: string | null, outcome: AuditOutcome, report?: Summarized): void {
    this.audits.inc({ cluster: cluster ?? '', outcome });
    if (report) this.blockedPairs.set({ cluster: cluster ?? '' }, report.summary.blocked);
  }

  /** A finished sweep of the probes endpoint: its verdict tally replaces the cluster's previous one. */
  recordProbeSweep(cluster: string, verdicts: Record<string, number>, seconds: number): void {
    for (const verdict of PROBE_VERDICTS) this.probePairs.set({ cluster, verdict }, verdicts[verdict] ?? 0);
    this.sweepDuration.observe({ cluster, purpose: 'sweep' }, seconds);
  }

  /** The probes an audit with `probe: true` ran; they sample pairs, so they leave sgaudit_probe_pairs alone. */
  recordAuditProbes(cluster: string, seconds: number): void {
    this.sweepDuration.observe({ cluster, purpose: 'audit' }, seconds);
  }

  recordWebhookDelivery(target: string, outcome: WebhookOutcome): void {
    this.webhookDeliveries.inc({ target, outcome });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requestDuration.observe({ route, method, status: String(status) }, seconds);
  }

  private readonly watchRuns = new Counter<'cluster' | 'trigger' | 'outcome'>({
    name: 'sgaudit_watch_runs_total',
    help: 'Watch-mode runs by cluster, trigger (interval or nodes) and outcome: stored, collection-failed (nothing to audit: no node list), error, cancelled, busy (another run of the cluster still held its lease), missed (intervals that passed while this replica ran a longer run)',
    labelNames: ['cluster', 'trigger', 'outcome'],
    registers: [this.registry],
  });

  private readonly watchLastSuccess = new Gauge<'cluster'>({
    name: 'sgaudit_watch_last_success_timestamp_seconds',
    help: 'Unix time at which this replica last stored a watch-mode audit of the cluster; alert when it is older than a few intervals',
    labelNames: ['cluster'],
    registers: [this.registry],
  });

  /** One watch-mode run (or `count` missed intervals); a stored run also sets the cluster's last-success time. */
  recordWatchRun(cluster: string, trigger: WatchTrigger, outcome: WatchRunMetricOutcome, at?: Date, count = 1): void {
    this.watchRuns.inc({ cluster, trigger, outcome }, count);
    if (outcome === 'stored' && at) this.watchLastSuccess.set({ cluster }, at.getTime() / 1000);
  }
}

/** What became of one change notification to one webhook target. */
export type WebhookOutcome = 'delivered' | 'failed' | 'dropped';

/** What started a watch-mode run: its schedule, or a node added or removed. */
export type WatchTrigger = 'interval' | 'nodes';
export type WatchRunMetricOutcome = 'stored' | 'collection-failed' | 'error' | 'cancelled' | 'busy' | 'missed';

/** A report, or what a worker sent back of it. */
export interface Summarized {
  summary: ReportSummary;
}

export function auditOutcome(report: Summarized): AuditOutcome {
  if (report.summary.blocked > 0) return 'blocked';
  if (report.summary.unknown > 0) return 'unknown';
  return 'clean';
}
