import type { AuditReport, ReportSummary } from '../model/report.js';

/** `request`: audit of posted exports; `live`: collected from a configured cluster. */
export type AuditOrigin = 'request' | 'live';

/** What a store keeps about an audit besides its report. */
export interface AuditHead {
  /** UUID, assigned by the caller of `save`. */
  id: string;
  /** ISO 8601 UTC with milliseconds (`Date.prototype.toISOString`). */
  createdAt: string;
  cluster: string | null;
  origin: AuditOrigin;
}

export interface AuditRecord extends AuditHead {
  report: AuditReport;
}

/** What a listing shows of a report, stored beside it so listings never parse reports. */
export interface AuditCounts {
  summary: ReportSummary;
  findings: number;
  remediations: number;
}

/**
 * An audit whose report is already JSON text (an audit worker serialized it), with the counts
 * taken from the report before it was serialized: saved as it is, never parsed or stringified
 * again, which for a report of megabytes would hold the event loop for tens of milliseconds.
 * The text must be JSON.stringify of an AuditReport.
 */
export interface SerializedAudit extends AuditHead {
  reportJson: string;
  counts: AuditCounts;
}

/** A stored audit with its report as the stored text, exactly as `get` would return it stringified. */
export interface StoredAuditJson {
  head: AuditHead;
  reportJson: string;
}

/** What a listing shows of an audit: enough to pick one, without the full report. */
export interface AuditListItem {
  id: string;
  createdAt: string;
  cluster: string | null;
  origin: AuditOrigin;
  summary: ReportSummary;
  findings: number;
  remediations: number;
}

export interface AuditFilter {
  cluster?: string;
  /** Inclusive lower bound, ISO 8601 UTC. */
  since?: string;
  /** Exclusive upper bound, ISO 8601 UTC. */
  until?: string;
}

/** Position after the last item of a page; listings are ordered newest first, then by id. */
export interface AuditCursor {
  createdAt: string;
  id: string;
}

export interface PageRequest {
  limit: number;
  after?: AuditCursor;
}

export interface AuditPage {
  items: AuditListItem[];
  /** Absent on the last page. */
  next?: AuditCursor;
}

/** How long stored audits are kept. Unset fields keep everything on that axis. */
export interface RetentionPolicy {
  maxAgeDays?: number;
  maxCount?: number;
}

/**
 * Where audit reports are kept. SQLite and PostgreSQL implement it; one contract suite
 * (test/store/audit-store.contract.ts) runs against both so they cannot drift apart.
 */
export interface AuditStore {
  readonly kind: 'sqlite' | 'postgres';
  save(audit: AuditRecord | SerializedAudit): Promise<void>;
  get(id: string): Promise<AuditRecord | undefined>;
  /** `get` without parsing the report: for answering with it as it is. */
  getJson(id: string): Promise<StoredAuditJson | undefined>;
  list(filter: AuditFilter, page: PageRequest): Promise<AuditPage>;
  /**
   * Deletes audits older than maxAgeDays (by createdAt, relative to `now`) and all but the
   * newest maxCount (newest first, then id, the listing order). Returns how many were deleted.
   * Bounded work per call: deletes at most `batchLimit` rows (default 10_000), oldest first, so
   * a huge backlog is worked off over several sweeps without a long lock.
   */
  prune(policy: RetentionPolicy, now: Date, batchLimit?: number): Promise<number>;
  /** Resolves when the store answers a trivial query; rejects otherwise (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function countsOf(report: AuditReport): AuditCounts {
  return { summary: report.summary, findings: report.findings.length, remediations: report.remediations.length };
}

export function listItemOf(record: AuditRecord): AuditListItem {
  return { id: record.id, createdAt: record.createdAt, cluster: record.cluster, origin: record.origin, ...countsOf(record.report) };
}
