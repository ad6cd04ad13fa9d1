import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../src/store/migrations.js';
import { incidentReport } from '../support/sample-report.js';
import { PostgresAuditStore } from '../../src/store/postgres-store.js';
import { SQLITE_MEMORY, SqliteAuditStore } from '../../src/store/sqlite-store.js';
import { requireTier } from '../support/tier.js';
import { auditStoreContract } from './audit-store.contract.js';

const DATABASE_URL = process.env.SGAUDIT_TEST_DATABASE_URL ?? 'postgres://sgaudit:sgaudit@127.0.0.1:5432/sgaudit_test';

async function postgresAnswers(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return `cannot reach ${DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: ${(e as Error).message} (run test/services/postgres/setup.sh)`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const pgProblem = await postgresAnswers();
const pgEnabled = requireTier('postgres', pgProblem === undefined, pgProblem ?? '');

const dirs: string[] = [];
const schemas: string[] = [];
afterAll(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (pgEnabled && schemas.length > 0) {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await client.end();
  }
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sgaudit-store-'));
  dirs.push(d);
  return d;
}

/** Each test gets its own schema, so test files and runs never see each other's rows. */
function freshSchema(): string {
  const s = `sgaudit_t${process.pid}_${schemas.length}_${Math.floor(Math.random() * 1e6)}`;
  schemas.push(s);
  return s;
}

auditStoreContract('SQLite in memory', async (options) => SqliteAuditStore.open(SQLITE_MEMORY, options));
auditStoreContract('SQLite file', async (options) => SqliteAuditStore.open(join(tempDir(), 'sgaudit.db'), options));
auditStoreContract('PostgreSQL', async (options) => PostgresAuditStore.open({ connectionString: DATABASE_URL, schema: freshSchema(), ...options }), pgEnabled);

describe('SQLite migrations', () => {
  it('creates the data directory, records every migration once, and reopens without re-applying', async () => {
    const file = join(tempDir(), 'nested', 'dir', 'sgaudit.db');
    (await SqliteAuditStore.open(file)).close();
    (await SqliteAuditStore.open(file)).close();
    const db = new Database(file, { readonly: true });
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all();
    db.close();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('refuses a database migrated by a newer sgaudit', async () => {
    const file = join(tempDir(), 'sgaudit.db');
    (await SqliteAuditStore.open(file)).close();
    const db = new Database(file);
    db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 'x')").run();
    db.close();
    expect(() => SqliteAuditStore.open(file)).toThrow(/migration\(s\) 999 .* newer version/);
  });
});

describe('SQLite space after retention', () => {
  /** Read through a connection of its own, as an operator's sqlite3 would see the file. */
  const pragma = (file: string, name: string): number => {
    const db = new Database(file, { readonly: true });
    try {
      return db.pragma(name, { simple: true }) as number;
    } finally {
      db.close();
    }
  };
  const fill = async (store: SqliteAuditStore, n: number, report: Awaited<ReturnType<typeof incidentReport>>) => {
    for (let i = 0; i < n; i++) {
      await store.save({ id: randomUUID(), createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), cluster: 'c', origin: 'request', report });
    }
  };

  it('creates new databases with incremental auto-vacuum and hands pruned pages back to the file system', async () => {
    const report = await incidentReport();
    const file = join(tempDir(), 'sgaudit.db');
    const store = SqliteAuditStore.open(file);
    try {
      expect(pragma(file, 'auto_vacuum')).toBe(2);
      const empty = pragma(file, 'page_count');
      await fill(store, 300, report);
      const full = pragma(file, 'page_count');
      expect(full).toBeGreaterThan(empty + 100);
      expect(await store.prune({ maxCount: 10 }, new Date())).toBe(290);
      expect(pragma(file, 'freelist_count')).toBe(0);
      // What is left is 10 audits' worth, not the 300 the file once held.
      expect(pragma(file, 'page_count')).toBeLessThan(empty + (full - empty) / 10);
    } finally {
      await store.close();
    }
  });

  it('reuses pruned pages in a database created before incremental auto-vacuum, so retention stops its growth', async () => {
    const report = await incidentReport();
    const file = join(tempDir(), 'sgaudit.db');
    // A file as an older sgaudit left it: auto_vacuum NONE, schema already migrated.
    const old = new Database(file);
    old.exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
    for (const m of MIGRATIONS) {
      old.exec(m.sqlite);
      old.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, '2025-01-01T00:00:00.000Z');
    }
    old.close();

    const store = SqliteAuditStore.open(file);
    try {
      expect(pragma(file, 'auto_vacuum')).toBe(0);
      await fill(store, 200, report);
      const peak = pragma(file, 'page_count');
      expect(await store.prune({ maxCount: 1 }, new Date())).toBe(199);
      expect(pragma(file, 'freelist_count')).toBeGreaterThan(100);
      await fill(store, 199, report);
      expect(pragma(file, 'page_count')).toBeLessThanOrEqual(peak);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(!pgEnabled)('PostgreSQL migrations', () => {
  it('applies each migration once even when two stores start together', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([
      PostgresAuditStore.open({ connectionString: DATABASE_URL, schema }),
      PostgresAuditStore.open({ connectionString: DATABASE_URL, schema }),
    ]);
    await a.close();
    await b.close();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    const { rows } = await client.query(`SELECT version, name FROM ${schema}.schema_migrations ORDER BY version`);
    await client.end();
    expect(rows).toEqual(MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('rejects a schema name that is not a plain identifier', async () => {
    await expect(PostgresAuditStore.open({ connectionString: DATABASE_URL, schema: 'x; DROP TABLE y' })).rejects.toThrow(/SQL identifier/);
  });
});
