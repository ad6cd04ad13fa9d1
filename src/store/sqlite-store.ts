import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditReport, ReportSummary } from '../model/report.js';
import { pendingMigrations } from './migrations.js';
import { deletionRange, planPrune, type AuditKey, type PrunePlan } from './prune-plan.js';
import { boundedReportText, checkedReportBound, storedReport } from './report-json.js';
import { KEPT_LEASES_PER_CLUSTER, type WatchClaim, type WatchClaimResult, type WatchRunOutcome } from './watch-lease.js';
import type { AuditCursor, AuditFilter, ChangePage, FindingsSince, StoredChange, AuditHead, AuditListItem, AuditOrigin, AuditPage, AuditRecord, AuditStore, PageRequest, ProbeListItem, ProbePage, RetentionPolicy, SerializedAudit, SerializedProbe, StoredAuditJson, StoredProbeJson } from './types.js';

export const SQLITE_MEMORY = ':memory:';

export interface SqliteStoreOptions {
  /** Largest report JSON `save` accepts, in bytes; default and ceiling MAX_STORED_REPORT_BYTES (report-json.ts). */
  maxReportBytes?: number;
}

/** `PRAGMA auto_vacuum` values. */
const AUTO_VACUUM_INCREMENTAL = 2;

/** Rows one synchronous DELETE of `prune` removes at most; see `prune`. */
const PRUNE_STEP_ROWS = 100;
/** Pages (4 KiB by default) one synchronous incremental_vacuum step returns at most. */
const VACUUM_STEP_PAGES = 256;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The tables retention prunes; names from this list only ever reach SQL text. */
type PrunedTable = 'audits' | 'probes';

interface ProbeRow {
  id: string;
  created_at: string;
  cluster: string;
  pairs: number;
  verdicts: string;
  elapsed_ms: number;
  report?: string;
}

interface Row {
  id: string;
  created_at: string;
  cluster: string | null;
  origin: AuditOrigin;
  summary: string;
  findings: number;
  remediations: number;
  report?: string;
}

/**
 * The embedded default store. better-sqlite3 is synchronous; an insert or an indexed page
 * read takes well under a millisecond, so blocking the event loop for it costs less than
 * a worker thread would.
 */
export class SqliteAuditStore implements AuditStore {
  readonly kind = 'sqlite';
  private readonly db: Database.Database;
  private readonly maxReportBytes: number;
  /** Whether freed pages can be handed back to the file system (databases created by this version). */
  private readonly incrementalVacuum: boolean;

  private constructor(db: Database.Database, maxReportBytes: number) {
    this.db = db;
    this.maxReportBytes = maxReportBytes;
    this.incrementalVacuum = db.pragma('auto_vacuum', { simple: true }) === AUTO_VACUUM_INCREMENTAL;
  }

  /** Opens (creating when needed) the database file, or an in-memory one, and migrates it. */
  static open(file: string, options: SqliteStoreOptions = {}): SqliteAuditStore {
    const maxReportBytes = checkedReportBound(options.maxReportBytes);
    if (file !== SQLITE_MEMORY) mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      // Takes effect only while the database has no table yet, so only new databases get it.
      // Older ones (auto_vacuum NONE) still reuse freed pages for new audits, so retention
      // stops their growth; shrinking them needs a one-time VACUUM, which is not run here
      // because on a large file it would block start-up for minutes and double the disk use.
      db.pragma('auto_vacuum = INCREMENTAL');
      if (file !== SQLITE_MEMORY) db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      migrate(db, file);
    } catch (e) {
      db.close();
      throw e;
    }
    return new SqliteAuditStore(db, maxReportBytes);
  }

  async save(r: AuditRecord | SerializedAudit): Promise<void> {
    const { text, counts } = storedReport(r, this.maxReportBytes);
    this.db
      .prepare(
        `INSERT INTO audits (id, created_at, cluster, origin, summary, findings, remediations, report)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.createdAt, r.cluster, r.origin, JSON.stringify(counts.summary), counts.findings, counts.remediations, text);
  }

  /**
   * better-sqlite3 blocks the event loop, so a batch is deleted in steps of at most
   * PRUNE_STEP_ROWS rows and freed pages are returned VACUUM_STEP_PAGES at a time, yielding to
   * the loop between steps. Measured on 8 KB audits: 10,000 rows in one statement blocked the
   * loop for 0.6–0.8 s, mostly incremental_vacuum moving pages; a step takes about 1 ms (p50),
   * its outliers being the WAL commit's fsync that every save pays as well.
   * The range is fixed once per call; rows saved meanwhile are newer, so it stays right.
   */
  async prune(policy: RetentionPolicy, now: Date, batchLimit?: number): Promise<number> {
    const plan = planPrune(policy, now, batchLimit);
    if (plan.kind === 'keep-all') return 0;
    const audits = await this.pruneTable('audits', plan, plan.batchLimit);
    return audits + (await this.pruneTable('probes', plan, plan.batchLimit - audits));
  }

  private async pruneTable(table: PrunedTable, plan: Extract<PrunePlan, { kind: 'prune' }>, budget: number): Promise<number> {
    if (budget <= 0) return 0;
    const beyond =
      plan.keepNewest === undefined
        ? undefined
        : (this.db.prepare(`SELECT created_at AS createdAt, id FROM ${table} ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET ?`).get(plan.keepNewest) as
            | AuditKey
            | undefined);
    const range = deletionRange(plan, beyond);
    if (range === undefined) return 0;
    const [where, args]: [string, string[]] =
      range.kind === 'created-before' ? ['created_at < ?', [range.createdAt]] : ['(created_at, id) <= (?, ?)', [range.key.createdAt, range.key.id]];
    // Oldest first, so a partial batch never leaves a gap in the middle of the history.
    const step = this.db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${where} ORDER BY created_at, id LIMIT ?)`);
    let deleted = 0;
    while (deleted < budget) {
      const want = Math.min(PRUNE_STEP_ROWS, budget - deleted);
      const done = step.run(...args, want).changes;
      deleted += done;
      if (this.incrementalVacuum) await this.returnFreePages();
      if (done < want) break;
      await yieldToLoop();
    }
    return deleted;
  }

  /** Hands freed pages back to the file system in bounded steps. */
  private async returnFreePages(): Promise<void> {
    const free = (): number => this.db.pragma('freelist_count', { simple: true }) as number;
    let left = free();
    while (left > 0) {
      this.db.exec(`PRAGMA incremental_vacuum(${VACUUM_STEP_PAGES})`);
      const after = free();
      // A step that frees nothing would never free anything; leave the pages for reuse.
      if (after >= left) return;
      left = after;
      await yieldToLoop();
    }
  }

  async get(id: string): Promise<AuditRecord | undefined> {
    const stored = await this.getJson(id);
    return stored && { ...stored.head, report: JSON.parse(stored.reportJson) as AuditReport };
  }

  async getJson(id: string): Promise<StoredAuditJson | undefined> {
    const row = this.db.prepare('SELECT id, created_at, cluster, origin, report FROM audits WHERE id = ?').get(id) as Row | undefined;
    if (!row || row.report === undefined) return undefined;
    const head: AuditHead = { id: row.id, createdAt: row.created_at, cluster: row.cluster, origin: row.origin };
    return { head, reportJson: row.report };
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<AuditPage> {
    const { where, args } = listWhere(filter, page);
    const sql = `SELECT id, created_at, cluster, origin, summary, findings, remediations FROM audits ${where}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    // One extra row tells whether another page exists without a COUNT query.
    const rows = this.db.prepare(sql).all(...args, page.limit + 1) as Row[];
    const items = rows.slice(0, page.limit).map(toListItem);
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }

  async saveProbe(p: SerializedProbe): Promise<void> {
    const text = boundedReportText(p.reportJson, this.maxReportBytes);
    this.db
      .prepare('INSERT INTO probes (id, created_at, cluster, pairs, verdicts, elapsed_ms, report) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(p.id, p.createdAt, p.cluster, p.counts.pairs, JSON.stringify(p.counts.verdicts), Math.round(p.counts.elapsedMs), text);
  }

  async getProbeJson(id: string): Promise<StoredProbeJson | undefined> {
    const row = this.db.prepare('SELECT id, created_at, cluster, report FROM probes WHERE id = ?').get(id) as ProbeRow | undefined;
    if (!row || row.report === undefined) return undefined;
    return { head: { id: row.id, createdAt: row.created_at, cluster: row.cluster }, reportJson: row.report };
  }

  async listProbes(filter: AuditFilter, page: PageRequest): Promise<ProbePage> {
    const { where, args } = listWhere(filter, page);
    const rows = this.db
      .prepare(`SELECT id, created_at, cluster, pairs, verdicts, elapsed_ms FROM probes ${where} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...args, page.limit + 1) as ProbeRow[];
    const items = rows.slice(0, page.limit).map(
      (r): ProbeListItem => ({ id: r.id, createdAt: r.created_at, cluster: r.cluster, pairs: r.pairs, verdicts: JSON.parse(r.verdicts) as Record<string, number>, elapsedMs: r.elapsed_ms }),
    );
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }

  /**
   * One write transaction (IMMEDIATE), so the checks and the insert see the same table even
   * with a second process on the file. SQLite serves one replica (docs/watch.md); the checks are
   * the same as PostgreSQL's so the two stores behave alike.
   */
  async claimWatchRun(claim: WatchClaim): Promise<WatchClaimResult> {
    const now = new Date().toISOString();
    return this.db
      .transaction((): WatchClaimResult => {
        const same = this.db.prepare('SELECT holder FROM watch_leases WHERE cluster = ? AND run_key = ?').get(claim.cluster, claim.runKey) as { holder: string } | undefined;
        if (same) return { kind: 'taken', holder: same.holder };
        if (claim.slot !== undefined) {
          const later = this.db.prepare('SELECT holder FROM watch_leases WHERE cluster = ? AND slot >= ? LIMIT 1').get(claim.cluster, claim.slot) as { holder: string } | undefined;
          if (later) return { kind: 'taken', holder: later.holder };
        }
        const running = this.db
          .prepare('SELECT holder, run_key, expires_at FROM watch_leases WHERE cluster = ? AND finished_at IS NULL AND expires_at > ? LIMIT 1')
          .get(claim.cluster, now) as { holder: string; run_key: string; expires_at: string } | undefined;
        if (running) return { kind: 'busy', holder: running.holder, runKey: running.run_key, expiresAt: running.expires_at };
        const expires = new Date(Date.parse(now) + claim.leaseMs).toISOString();
        this.db
          .prepare('INSERT INTO watch_leases (cluster, run_key, slot, holder, claimed_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(claim.cluster, claim.runKey, claim.slot ?? null, claim.holder, now, expires);
        this.db
          .prepare('DELETE FROM watch_leases WHERE cluster = ? AND rowid NOT IN (SELECT rowid FROM watch_leases WHERE cluster = ? ORDER BY claimed_at DESC LIMIT ?)')
          .run(claim.cluster, claim.cluster, KEPT_LEASES_PER_CLUSTER);
        return { kind: 'claimed' };
      })
      .immediate();
  }

  async finishWatchRun(cluster: string, runKey: string, holder: string, outcome: WatchRunOutcome): Promise<void> {
    this.db
      .prepare('UPDATE watch_leases SET finished_at = ?, outcome = ? WHERE cluster = ? AND run_key = ? AND holder = ?')
      .run(new Date().toISOString(), outcome, cluster, runKey, holder);
  }

  async latestAudit(cluster: string, origins: readonly AuditOrigin[], before?: AuditCursor): Promise<AuditRecord | undefined> {
    if (origins.length === 0) return undefined;
    const args: unknown[] = [cluster, ...origins];
    let where = `cluster = ? AND origin IN (${origins.map(() => '?').join(', ')})`;
    if (before) {
      where += ' AND (created_at, id) < (?, ?)';
      args.push(before.createdAt, before.id);
    }
    const row = this.db.prepare(`SELECT id, created_at, cluster, origin, report FROM audits WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT 1`).get(...args) as Row | undefined;
    if (!row || row.report === undefined) return undefined;
    return { id: row.id, createdAt: row.created_at, cluster: row.cluster, origin: row.origin, report: JSON.parse(row.report) as AuditReport };
  }

  async saveChange(c: StoredChange): Promise<void> {
    this.db
      .prepare('INSERT INTO watch_changes (id, created_at, cluster, kind, audit_id, event) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.id, c.at, c.cluster, c.kind, c.auditId, JSON.stringify(c));
  }

  async listChanges(cluster: string, page: PageRequest): Promise<ChangePage> {
    const args: unknown[] = [cluster];
    let where = 'cluster = ?';
    if (page.after) {
      where += ' AND (created_at, id) < (?, ?)';
      args.push(page.after.createdAt, page.after.id);
    }
    const rows = this.db
      .prepare(`SELECT event FROM watch_changes WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT ?`)
      .all(...args, page.limit + 1) as { event: string }[];
    const items = rows.slice(0, page.limit).map((r) => JSON.parse(r.event) as StoredChange);
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: { createdAt: last.at, id: last.id } } : { items };
  }

  async saveFindingsSince(state: FindingsSince): Promise<void> {
    this.db
      .prepare('INSERT INTO watch_findings_since (cluster, audit_id, since) VALUES (?, ?, ?) ON CONFLICT (cluster) DO UPDATE SET audit_id = excluded.audit_id, since = excluded.since')
      .run(state.cluster, state.auditId, JSON.stringify(state.since));
  }

  async getFindingsSince(cluster: string): Promise<FindingsSince | undefined> {
    const row = this.db.prepare('SELECT audit_id, since FROM watch_findings_since WHERE cluster = ?').get(cluster) as { audit_id: string; since: string } | undefined;
    return row && { cluster, auditId: row.audit_id, since: JSON.parse(row.since) as Record<string, string> };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/** The WHERE clause of a listing, the same for audits and probe sweeps. */
function listWhere(filter: AuditFilter, page: PageRequest): { where: string; args: unknown[] } {
  const where: string[] = [];
  const args: unknown[] = [];
  if (filter.cluster !== undefined) {
    where.push('cluster = ?');
    args.push(filter.cluster);
  }
  if (filter.since !== undefined) {
    where.push('created_at >= ?');
    args.push(filter.since);
  }
  if (filter.until !== undefined) {
    where.push('created_at < ?');
    args.push(filter.until);
  }
  if (page.after) {
    where.push('(created_at, id) < (?, ?)');
    args.push(page.after.createdAt, page.after.id);
  }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
}

function toListItem(row: Row): AuditListItem {
  return {
    id: row.id,
    createdAt: row.created_at,
    cluster: row.cluster,
    origin: row.origin,
    summary: JSON.parse(row.summary) as ReportSummary,
    findings: row.findings,
    remediations: row.remediations,
  };
}

function migrate(db: Database.Database, file: string): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  // IMMEDIATE takes the write lock first, so two processes starting on one file cannot both migrate.
  db.transaction(() => {
    const applied = (db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version);
    for (const m of pendingMigrations(applied, `SQLite database ${file}`)) {
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, new Date().toISOString());
    }
  }).immediate();
}
