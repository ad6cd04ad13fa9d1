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
