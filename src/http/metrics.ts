import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditReport } from '../model/report.js';

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
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  recordAudit(cluster: string | null, outcome: AuditOutcome, report?: AuditReport): void {
    this.audits.inc({ cluster: cluster ?? '', outcome });
    if (report) this.blockedPairs.set({ cluster: cluster ?? '' }, report.summary.blocked);
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requestDuration.observe({ route, method, status: String(status) }, seconds);
  }
}

export function auditOutcome(report: AuditReport): AuditOutcome {
  if (report.summary.blocked > 0) return 'blocked';
  if (report.summary.unknown > 0) return 'unknown';
  return 'clean';
}
