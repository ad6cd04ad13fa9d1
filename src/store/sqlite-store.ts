import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AuditReport, ReportSummary } from '../model/report.js';
import { pendingMigrations } from './migrations.js';
import type { AuditFilter, AuditListItem, AuditOrigin, AuditPage, AuditRecord, AuditStore, PageRequest } from './types.js';

export const SQLITE_MEMORY = ':memory:';

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

  private constructor(db: Database.Database) {
    this.db = db;
  }

  /** Opens (creating when needed) the database file, or an in-memory one, and migrates it. */
  static open(file: string): SqliteAuditStore {
    if (file !== SQLITE_MEMORY) mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file);
    try {
      if (file !== SQLITE_MEMORY) db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      migrate(db, file);
    } catch (e) {
      db.close();
      throw e;
    }
    return new SqliteAuditStore(db);
  }

  async save(r: AuditRecord): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO audits (id, created_at, cluster, origin, summary, findings, remediations, report)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.createdAt, r.cluster, r.origin, JSON.stringify(r.report.summary), r.report.findings.length, r.report.remediations.length, JSON.stringify(r.report));
  }

  async get(id: string): Promise<AuditRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM audits WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      createdAt: row.created_at,
      cluster: row.cluster,
      origin: row.origin,
      report: JSON.parse(row.report ?? 'null') as AuditReport,
    };
  }

  async list(filter: AuditFilter, page: PageRequest): Promise<AuditPage> {
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
    const sql = `SELECT id, created_at, cluster, origin, summary, findings, remediations FROM audits
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT ?`;
    // One extra row tells whether another page exists without a COUNT query.
    const rows = this.db.prepare(sql).all(...args, page.limit + 1) as Row[];
    const items = rows.slice(0, page.limit).map(toListItem);
    const last = items[items.length - 1];
    return rows.length > page.limit && last ? { items, next: { createdAt: last.createdAt, id: last.id } } : { items };
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
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
