import { afterAll, describe, expect, it } from 'vitest';
import { SqliteAuditStore } from '../../src/store/sqlite-store.js';
import { intervalRunKey } from '../../src/store/watch-lease.js';
import { storeFactories } from '../support/test-stores.js';
import { incidentReport } from '../support/sample-report.js';

const factories = await storeFactories();
afterAll(async () => {
  for (const f of factories) await f.cleanup();
});

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

for (const factory of factories) {
  describe.skipIf(!factory.enabled)(`watch leases (${factory.name})`, () => {
    it('lets one holder claim an interval; a second claim of it, or of an older one, is taken', async () => {
      const store = await factory.open();
      try {
        const claim = { cluster: 'prod', runKey: intervalRunKey(10), slot: 10, leaseMs: 60_000 };
        expect(await store.claimWatchRun({ ...claim, holder: 'a' })).toEqual({ kind: 'claimed' });
        expect(await store.claimWatchRun({ ...claim, holder: 'b' })).toEqual({ kind: 'taken', holder: 'a' });
        await store.finishWatchRun('prod', claim.runKey, 'a', 'stored');
        // A lagging replica's clock still on interval 9 must not audit again.
        expect(await store.claimWatchRun({ cluster: 'prod', runKey: intervalRunKey(9), slot: 9, holder: 'b', leaseMs: 60_000 })).toEqual({ kind: 'taken', holder: 'a' });
        // Another cluster is independent.
        expect(await store.claimWatchRun({ ...claim, cluster: 'staging', holder: 'b' })).toEqual({ kind: 'claimed' });
      } finally {
        await store.close();
      }
    });

    it('refuses a new run while an unfinished run is within its lease, and takes over once the lease expires', async () => {
      const store = await factory.open();
      try {
        expect(await store.claimWatchRun({ cluster: 'c', runKey: intervalRunKey(1), slot: 1, holder: 'dead', leaseMs: 300 })).toEqual({ kind: 'claimed' });
        const busy = await store.claimWatchRun({ cluster: 'c', runKey: intervalRunKey(2), slot: 2, holder: 'live', leaseMs: 300 });
        expect(busy).toMatchObject({ kind: 'busy', holder: 'dead', runKey: 'interval:1' });
        // A triggered run is refused the same way: one run of a cluster at a time.
        expect(await store.claimWatchRun({ cluster: 'c', runKey: 'nodes:abc', holder: 'live', leaseMs: 300 })).toMatchObject({ kind: 'busy' });
        await sleep(400);
        expect(await store.claimWatchRun({ cluster: 'c', runKey: intervalRunKey(3), slot: 3, holder: 'live', leaseMs: 300 })).toEqual({ kind: 'claimed' });
        await store.finishWatchRun('c', intervalRunKey(3), 'live', 'stored');
        expect(await store.claimWatchRun({ cluster: 'c', runKey: 'nodes:abc', holder: 'live', leaseMs: 300 })).toEqual({ kind: 'claimed' });
      } finally {
        await store.close();
      }
    });

    it('finishing touches only the holder\'s own row', async () => {
      const store = await factory.open();
      try {
        await store.claimWatchRun({ cluster: 'c', runKey: intervalRunKey(1), slot: 1, holder: 'a', leaseMs: 60_000 });
        await store.finishWatchRun('c', intervalRunKey(1), 'b', 'stored');
        expect(await store.claimWatchRun({ cluster: 'c', runKey: intervalRunKey(2), slot: 2, holder: 'b', leaseMs: 60_000 })).toMatchObject({ kind: 'busy', holder: 'a' });
      } finally {
        await store.close();
      }
    });

    it('concurrent claims of one interval: exactly one wins', async () => {
      const store = await factory.open();
      try {
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.claimWatchRun({ cluster: 'race', runKey: intervalRunKey(5), slot: 5, holder: `r${i}`, leaseMs: 60_000 })),
        );
        expect(results.filter((r) => r.kind === 'claimed')).toHaveLength(1);
      } finally {
        await store.close();
      }
    });

    it('stores audits with origin watch', async () => {
      const store = await factory.open();
      try {
        const id = '4f0e8a52-6d1e-4c39-9f43-7a1f1f2c0001';
        await store.save({ id, createdAt: '2026-03-01T10:00:00.000Z', cluster: 'prod', origin: 'watch', report: await incidentReport() });
        expect((await store.get(id))?.origin).toBe('watch');
        expect((await store.list({ cluster: 'prod' }, { limit: 5 })).items[0]?.origin).toBe('watch');
      } finally {
        await store.close();
      }
    });
  });
}

describe('SQLite migration 3', () => {
  it('keeps the audits of a version-2 file when it rebuilds the table for origin watch', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { MIGRATIONS } = await import('../../src/store/migrations.js');
    const { mkdtempSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const file = join(mkdtempSync(join(tmpdir(), 'sgaudit-m3-')), 'old.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version <= 2)) {
      db.exec(m.sqlite);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, '2026-01-01T00:00:00.000Z');
    }
    const sample = await incidentReport();
    const report = JSON.stringify(sample);
    db.prepare('INSERT INTO audits VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run('old-1', '2026-01-02T00:00:00.000Z', 'prod', 'live', JSON.stringify(sample.summary), 0, 0, report);
    db.close();
    const store = SqliteAuditStore.open(file);
    try {
      expect((await store.get('old-1'))?.origin).toBe('live');
      await store.save({ id: 'new-1', createdAt: '2026-01-03T00:00:00.000Z', cluster: 'prod', origin: 'watch', report: await incidentReport() });
      expect((await store.list({ cluster: 'prod' }, { limit: 5 })).items.map((i) => i.id)).toEqual(['new-1', 'old-1']);
    } finally {
      await store.close();
    }
  });

});
