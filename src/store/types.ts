import type { AuditReport, ReportSummary } from '../model/report.js';
import type { ChangeEvent } from '../model/run-changes.js';
import type { WatchLeaseStore } from './watch-lease.js';

/** `request`: audit of posted exports; `live`: collected from a configured cluster; `watch`: a scheduled or node-triggered run of watch mode. */
export type AuditOrigin = 'request' | 'live' | 'watch';

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

/** What a store keeps about a probe sweep besides its report. Sweeps are always of a configured cluster. */
export interface ProbeHead {
  /** UUID, assigned by the caller of `saveProbe`. */
  id: string;
  /** ISO 8601 UTC with milliseconds. */
  createdAt: string;
  cluster: string;
}

/** What a probe listing shows of a sweep: how many directed pairs, and how many got each verdict. */
export interface ProbeCounts {
  pairs: number;
  /** Verdict -> pairs with it; verdicts no pair got are absent. */
  verdicts: Record<string, number>;
  elapsedMs: number;
}

/** A sweep whose report (a ProbeReport) is already JSON text, saved as it is. */
export interface SerializedProbe extends ProbeHead {
  reportJson: string;
  counts: ProbeCounts;
}

export interface StoredProbeJson {
  head: ProbeHead;
  reportJson: string;
}

export type ProbeListItem = ProbeHead & ProbeCounts;

export interface ProbePage {
  items: ProbeListItem[];
  /** Absent on the last page. */
  next?: AuditCursor;
}

/** How long stored audits (and probe sweeps, each table on its own) are kept. Unset fields keep everything on that axis. */
export interface RetentionPolicy {
  maxAgeDays?: number;
  maxCount?: number;
}

/**
 * Where audit reports are kept. SQLite and PostgreSQL implement it; one contract suite
 * (test/store/audit-store.contract.ts) runs against both so they cannot drift apart.
 */
export interface AuditStore extends WatchLeaseStore, WatchChangeStore {
  readonly kind: 'sqlite' | 'postgres';
  save(audit: AuditRecord | SerializedAudit): Promise<void>;
  get(id: string): Promise<AuditRecord | undefined>;
  /** `get` without parsing the report: for answering with it as it is. */
  getJson(id: string): Promise<StoredAuditJson | undefined>;
  list(filter: AuditFilter, page: PageRequest): Promise<AuditPage>;
  saveProbe(probe: SerializedProbe): Promise<void>;
  getProbeJson(id: string): Promise<StoredProbeJson | undefined>;
  /** Probe sweeps, newest first then by id, like `list`. */
  listProbes(filter: AuditFilter, page: PageRequest): Promise<ProbePage>;
  /**
   * Deletes audits older than maxAgeDays (by createdAt, relative to `now`) and all but the
   * newest maxCount (newest first, then id, the listing order); then the same for probe sweeps,
   * whose count bound applies to them on their own. Returns how many rows were deleted in all.
   * Bounded work per call: deletes at most `batchLimit` rows (default 10_000) over both tables,
   * audits first, each oldest first, so a huge backlog is worked off over several sweeps
   * without a long lock.
   */
  prune(policy: RetentionPolicy, now: Date, batchLimit?: number): Promise<number>;
  /** Resolves when the store answers a trivial query; rejects otherwise (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The listing counts of a probe report, taken before it is serialized. */
export function probeCountsOf(report: { results: readonly { verdict: string }[]; elapsedMs: number }): ProbeCounts {
  const verdicts: Record<string, number> = {};
  for (const r of report.results) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  return { pairs: report.results.length, verdicts, elapsedMs: report.elapsedMs };
}

export function countsOf(report: AuditReport): AuditCounts {
  return { summary: report.summary, findings: report.findings.length, remediations: report.remediations.length };
}

export function listItemOf(record: AuditRecord): AuditListItem {
  return { id: record.id, createdAt: record.createdAt, cluster: record.cluster, origin: record.origin, ...countsOf(record.report) };
}

// What watch mode keeps besides audits: the history of changes between consecutive runs of a
// cluster, and since when each open finding has been open. A change is stored only when a run
// differs from the one before, so the history is short even at a 10-second interval.

/** A change event under the id the tracker gave it (the cursor's tie-breaker). */
export interface StoredChange extends ChangeEvent {
  id: string;
}

export interface ChangePage {
  items: StoredChange[];
  /** Absent on the last page. */
  next?: AuditCursor;
}

/**
 * Since when each finding of a cluster's latest tracked run has been open: the time of the
 * first run of the unbroken streak in which it appeared. Keyed by the finding key compareRuns
 * matches findings by, because finding ids are stable only within one report.
 */
export interface FindingsSince {
  cluster: string;
  /** The run these findings are the findings of. */
  auditId: string;
  since: Record<string, string>;
}

export interface WatchChangeStore {
  /**
   * The newest audit of `cluster` with one of `origins`, in listing order (created_at, then id),
   * strictly before `before` when given: the run a new one is compared with.
   */
  latestAudit(cluster: string, origins: readonly AuditOrigin[], before?: AuditCursor): Promise<AuditRecord | undefined>;
  saveChange(change: StoredChange): Promise<void>;
  /** Changes of one cluster, newest first then by id, paged like `list`. */
  listChanges(cluster: string, page: PageRequest): Promise<ChangePage>;
  /** Replaces the cluster's row. */
  saveFindingsSince(state: FindingsSince): Promise<void>;
  getFindingsSince(cluster: string): Promise<FindingsSince | undefined>;
}
