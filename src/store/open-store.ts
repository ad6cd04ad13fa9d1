import { join } from 'node:path';
import { PostgresAuditStore } from './postgres-store.js';
import { SQLITE_MEMORY, SqliteAuditStore } from './sqlite-store.js';
import type { AuditStore } from './types.js';

export const SQLITE_FILE_NAME = 'sgaudit.db';

export interface StoreSettings {
  /** PostgreSQL connection string; when set, PostgreSQL is used instead of SQLite. */
  databaseUrl?: string;
  /** Directory of the SQLite file, or `:memory:`. */
  dataDir: string;
}

export async function openStore(settings: StoreSettings): Promise<AuditStore> {
  if (settings.databaseUrl) return PostgresAuditStore.open({ connectionString: settings.databaseUrl });
  return SqliteAuditStore.open(settings.dataDir === SQLITE_MEMORY ? SQLITE_MEMORY : join(settings.dataDir, SQLITE_FILE_NAME));
}

/** Where the store lives, for the start-up log line; never includes a password. */
export function describeStore(settings: StoreSettings): string {
  if (settings.databaseUrl) {
    try {
      const u = new URL(settings.databaseUrl);
      return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
    } catch {
      return 'PostgreSQL (DATABASE_URL)';
    }
  }
  return settings.dataDir === SQLITE_MEMORY ? 'SQLite in memory' : `SQLite ${join(settings.dataDir, SQLITE_FILE_NAME)}`;
}
