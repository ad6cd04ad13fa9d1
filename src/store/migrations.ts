/**
 * Versioned schema migrations, applied in order at start and recorded in `schema_migrations`.
 * A migration is never edited once released: change the schema by appending a new version.
 * Each carries the SQL of both dialects side by side so the two stores keep one schema.
 */
export interface Migration {
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create audits',
    // The report is stored as JSON text (Postgres `json`, not `jsonb`) so a stored report
    // reads back byte-for-byte in the key order the audit wrote it. The summary and counts
    // are copied out so listings never parse whole reports.
    sqlite: `
      CREATE TABLE audits (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        cluster TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('request', 'live')),
        summary TEXT NOT NULL,
        findings INTEGER NOT NULL,
        remediations INTEGER NOT NULL,
        report TEXT NOT NULL
      );
      CREATE INDEX audits_by_time ON audits (created_at DESC, id DESC);
      CREATE INDEX audits_by_cluster_time ON audits (cluster, created_at DESC, id DESC);
    `,
    postgres: `
      CREATE TABLE audits (
        id UUID PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL,
        cluster TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('request', 'live')),
        summary JSONB NOT NULL,
        findings INTEGER NOT NULL,
        remediations INTEGER NOT NULL,
        report JSON NOT NULL
      );
      CREATE INDEX audits_by_time ON audits (created_at DESC, id DESC);
      CREATE INDEX audits_by_cluster_time ON audits (cluster, created_at DESC, id DESC);
    `,
  },
  {
    version: 2,
    name: 'create probes',
    // Probe sweeps of configured clusters, kept like audits: the report as written, the counts
    // copied out for listings. A table of their own because nothing else about them is alike.
    sqlite: `
      CREATE TABLE probes (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        cluster TEXT NOT NULL,
        pairs INTEGER NOT NULL,
        verdicts TEXT NOT NULL,
        elapsed_ms INTEGER NOT NULL,
        report TEXT NOT NULL
      );
      CREATE INDEX probes_by_time ON probes (created_at DESC, id DESC);
      CREATE INDEX probes_by_cluster_time ON probes (cluster, created_at DESC, id DESC);
    `,
    postgres: `
      CREATE TABLE probes (
        id UUID PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL,
        cluster TEXT NOT NULL,
        pairs INTEGER NOT NULL,
        verdicts JSONB NOT NULL,
        elapsed_ms INTEGER NOT NULL,
        report JSON NOT NULL
      );
      CREATE INDEX probes_by_time ON probes (created_at DESC, id DESC);
      CREATE INDEX probes_by_cluster_time ON probes (cluster, created_at DESC, id DESC);
    `,
  },
  {
    version: 3,
    name: 'watch leases',
    // Two things watch mode needs. (1) Audits get the origin 'watch': SQLite cannot change a
    // CHECK constraint in place, so its table is rebuilt under the same name and indexes.
    // (2) One lease row per run of a watched cluster (run_key `interval:<slot>` for a scheduled
    // interval, `nodes:<key>` for a run triggered by a node change). The primary key makes a
    // claim succeed on one replica only; expires_at lets another replica take over from one that
    // died mid-run; finished_at and outcome say how the run ended.
    sqlite: `
      CREATE TABLE audits_v3 (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        cluster TEXT,
        origin TEXT NOT NULL CHECK (origin IN ('request', 'live', 'watch')),
        summary TEXT NOT NULL,
        findings INTEGER NOT NULL,
        remediations INTEGER NOT NULL,
        report TEXT NOT NULL
      );
      INSERT INTO audits_v3 (id, created_at, cluster, origin, summary, findings, remediations, report)
        SELECT id, created_at, cluster, origin, summary, findings, remediations, report FROM audits;
      DROP TABLE audits;
      ALTER TABLE audits_v3 RENAME TO audits;
      CREATE INDEX audits_by_time ON audits (created_at DESC, id DESC);
      CREATE INDEX audits_by_cluster_time ON audits (cluster, created_at DESC, id DESC);
      CREATE TABLE watch_leases (
        cluster TEXT NOT NULL,
        run_key TEXT NOT NULL,
        slot INTEGER,
        holder TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        finished_at TEXT,
        outcome TEXT,
        PRIMARY KEY (cluster, run_key)
      );
      CREATE INDEX watch_leases_by_cluster_slot ON watch_leases (cluster, slot);
    `,
    postgres: `
      ALTER TABLE audits DROP CONSTRAINT audits_origin_check;
      ALTER TABLE audits ADD CONSTRAINT audits_origin_check CHECK (origin IN ('request', 'live', 'watch'));
      CREATE TABLE watch_leases (
        cluster TEXT NOT NULL,
        run_key TEXT NOT NULL,
        slot BIGINT,
        holder TEXT NOT NULL,
        claimed_at TIMESTAMPTZ NOT NULL,
        expires_at TIMESTAMPTZ NOT NULL,
        finished_at TIMESTAMPTZ,
        outcome TEXT,
        PRIMARY KEY (cluster, run_key)
      );
      CREATE INDEX watch_leases_by_cluster_slot ON watch_leases (cluster, slot);
    `,
  },
  {
    version: 4,
    name: 'watch changes',
    // The change events of watch runs (stored only when a run differs from the one before), as
    // the event JSON the webhooks send; and one row per cluster saying since when each open
    // finding has been open, so /status answers without walking the audit history.
    sqlite: `
      CREATE TABLE watch_changes (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        cluster TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('blocked', 'resolved', 'changed')),
        audit_id TEXT NOT NULL,
        event TEXT NOT NULL
      );
      CREATE INDEX watch_changes_by_cluster_time ON watch_changes (cluster, created_at DESC, id DESC);
      CREATE TABLE watch_findings_since (
        cluster TEXT PRIMARY KEY,
        audit_id TEXT NOT NULL,
        since TEXT NOT NULL
      );
    `,
    postgres: `
      CREATE TABLE watch_changes (
        id TEXT PRIMARY KEY,
        created_at TIMESTAMPTZ NOT NULL,
        cluster TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('blocked', 'resolved', 'changed')),
        audit_id TEXT NOT NULL,
        event JSON NOT NULL
      );
      CREATE INDEX watch_changes_by_cluster_time ON watch_changes (cluster, created_at DESC, id DESC);
      CREATE TABLE watch_findings_since (
        cluster TEXT PRIMARY KEY,
        audit_id TEXT NOT NULL,
        since JSONB NOT NULL
      );
    `,
  },
];

/** Refuses a database written by a newer sgaudit: running old code on it could corrupt it. */
export function pendingMigrations(applied: number[], storeName: string): Migration[] {
  const known = new Set(MIGRATIONS.map((m) => m.version));
  const unknown = applied.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    throw new Error(
      `${storeName} has schema migration(s) ${unknown.join(', ')} that this sgaudit does not know; it was written by a newer version`,
    );
  }
  const done = new Set(applied);
  return MIGRATIONS.filter((m) => !done.has(m.version));
}
