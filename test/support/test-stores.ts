import pg from 'pg';
import { PostgresAuditStore } from '../../src/store/postgres-store.js';
import { SQLITE_MEMORY, SqliteAuditStore } from '../../src/store/sqlite-store.js';
import type { AuditStore } from '../../src/store/types.js';
import { requireTier } from './tier.js';

export const TEST_DATABASE_URL = process.env.SGAUDIT_TEST_DATABASE_URL ?? 'postgres://sgaudit:sgaudit@127.0.0.1:5432/sgaudit_test';

/** undefined when PostgreSQL answers, else why not. */
export async function postgresProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return `cannot reach ${TEST_DATABASE_URL.replace(/:[^:@/]*@/, ':***@')}: ${(e as Error).message} (run test/services/postgres/setup.sh)`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface StoreFactory {
  name: string;
  enabled: boolean;
  /** A fresh, empty store; PostgreSQL ones live in a schema of their own. */
  open(): Promise<AuditStore>;
  /** Drops what open() created. */
  cleanup(): Promise<void>;
}

export async function storeFactories(): Promise<StoreFactory[]> {
  const problem = await postgresProblem();
  const pgEnabled = requireTier('postgres', problem === undefined, problem ?? '');
  const schemas: string[] = [];
  return [
    { name: 'SQLite', enabled: true, open: async () => SqliteAuditStore.open(SQLITE_MEMORY), cleanup: async () => undefined },
    {
      name: 'PostgreSQL',
      enabled: pgEnabled,
      open: async () => {
        const schema = `sgaudit_h${process.pid}_${schemas.length}_${Math.floor(Math.random() * 1e6)}`;
        schemas.push(schema);
        return PostgresAuditStore.open({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 2 });
      },
      cleanup: async () => {
        if (schemas.length === 0) return;
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        for (const s of schemas.splice(0)) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
        await client.end();
      },
    },
  ];
}
