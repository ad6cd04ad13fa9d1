import { Writable } from 'node:stream';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditPool } from '../../src/http/audit-pool.js';
import type { ClusterTarget } from '../../src/http/config-file.js';
import type { LiveCollector } from '../../src/http/live-collector.js';
import { createLogger } from '../../src/http/logging.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { auditInputsFromRequest } from '../../src/http/request-inputs.js';
import { WatchLoop } from '../../src/http/watch/watch-loop.js';
import { PostgresAuditStore } from '../../src/store/postgres-store.js';
import { incidentBody } from '../support/http-app.js';
import { postgresProblem, TEST_DATABASE_URL } from '../support/test-stores.js';
import { requireTier } from '../support/tier.js';

const problem = await postgresProblem();
const enabled = requireTier('postgres', problem === undefined, problem ?? '');
const schema = `sgaudit_watch${process.pid}_${Math.floor(Math.random() * 1e6)}`;

const INTERVAL_MS = 1000;
const INTERVALS = 20;
const CLUSTERS = ['alpha', 'beta'];

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const incident = (): ReturnType<LiveCollector> => Promise.resolve({ inputs: auditInputsFromRequest(incidentBody().inputs as never, 'live:test'), warnings: [] });

afterAll(async () => {
  if (!enabled) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

interface LeaseRow {
  cluster: string;
  slot: string;
  holder: string;
  outcome: string | null;
}

describe.skipIf(!enabled)('watch mode with three replicas on one PostgreSQL', () => {
  it(`audits every ${INTERVAL_MS / 1000} s interval of each cluster exactly once over ${INTERVALS} intervals; a replica killed mid-run is taken over at the next interval`, async () => {
    const logger = createLogger('warn', new Writable({ write: (_c, _e, done) => done() }));
    const pool = new AuditPool({ workers: 2, queueLimit: 12, warmThreads: 2 });
    const targets: ClusterTarget[] = CLUSTERS.map((name) => ({
      name,
      kubernetes: { kind: 'in-cluster' },
      cloud: { provider: 'aws' },
      limits: { requestTimeoutMs: 500, deadlineMs: 800 },
      watch: { intervalMs: INTERVAL_MS, jitterMs: 200, probe: false },
    }));
    // Each replica has its own store, so its own connection pool, like a separate process.
    const stores = await Promise.all(['a', 'b', 'c'].map(() => PostgresAuditStore.open({ connectionString: TEST_DATABASE_URL, schema, maxConnections: 3 })));
    let killAfter = Number.POSITIVE_INFINITY;
    let killedAt: { at: number; cluster: string } | undefined;
    // Never returns; gives up only when its loop is stopped at the end of the test.
    const never = (signal: AbortSignal): ReturnType<LiveCollector> => new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('stopped'))));
    const collectors: LiveCollector[] = ['a', 'b', 'c'].map((replica) => async (target, signal) => {
      if (replica === 'c' && Date.now() >= killAfter && !killedAt) {
        // The replica dies in the middle of this run: its connections go, its collection never
        // returns, and nothing of it marks its leases finished.
        killedAt = { at: Date.now(), cluster: target.name };
        await stores[2]!.close();
        return never(signal);
      }
      if (replica === 'c' && killedAt) return never(signal);
      return incident();
    });
    const loops = ['a', 'b', 'c'].map(
      (replica, i) =>
        new WatchLoop({ clusters: targets, store: stores[i]!, collectLive: collectors[i]!, auditPool: pool, metrics: new ApiMetrics(), logger, reportLimitBytes: 16 * 1024 * 1024, holder: `replica-${replica}` }),
    );
    const started = Date.now();
    const firstSlot = Math.floor(started / INTERVAL_MS);
    for (const loop of loops) loop.start();
    // Replica c dies in the first run it wins after a quarter of the intervals: which replica
    // wins a claim is a race, so this leaves room for c to win one and for the takeover after it.
    await sleep((INTERVALS / 4) * INTERVAL_MS);
    killAfter = Date.now();
    // Wait until the last of the intervals begins, then for its run (jitter plus the audit).
    const lastSlot = firstSlot + INTERVALS - 1;
    await sleep((lastSlot + 1) * INTERVAL_MS - Date.now() + 600);
    await Promise.all([loops[0]!.close(), loops[1]!.close()]);

    const client = new pg.Client({ connectionString: TEST_DATABASE_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      expect(killedAt, 'replica c never got a run to die in').toBeDefined();
      const killedSlot = Math.floor(killedAt!.at / INTERVAL_MS);
      const { rows } = await client.query<LeaseRow>(
        `SELECT cluster, slot::text AS slot, holder, outcome FROM watch_leases WHERE slot BETWEEN $1 AND $2 ORDER BY cluster, slot`,
        [firstSlot, lastSlot],
      );
      for (const cluster of CLUSTERS) {
        const leases = rows.filter((r) => r.cluster === cluster);
        // Every interval claimed once (the primary key forbids twice), none left out.
        expect(leases.map((r) => Number(r.slot))).toEqual(Array.from({ length: INTERVALS }, (_, i) => firstSlot + i));
        const { rows: audits } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM audits WHERE cluster = $1 AND origin = 'watch'`, [cluster]);
        // Exactly one audit per stored run, over every lease of the test (the runs after the last
        // counted interval included): no interval audited twice.
        const { rows: storedRuns } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM watch_leases WHERE cluster = $1 AND outcome = 'stored'`, [cluster]);
        expect(Number(audits[0]!.n)).toBe(Number(storedRuns[0]!.n));
        // Only runs the killed replica held when it died are lost: at most one per cluster, in the interval it died.
        const lost = leases.filter((r) => r.outcome !== 'stored');
        for (const l of lost) {
          expect(l.holder).toBe('replica-c');
          expect(Math.abs(Number(l.slot) - killedSlot)).toBeLessThanOrEqual(1);
        }
        expect(lost.length).toBeLessThanOrEqual(1);
        // After the kill every interval still ran, on the two live replicas. How many intervals
        // follow the kill depends on when replica c next won a lease (a third of the claims, so
        // on a loaded machine sometimes a few intervals late); at least two must, to see takeover.
        const after = leases.filter((r) => Number(r.slot) > killedSlot + 1);
        expect(after.length).toBe(lastSlot - killedSlot - 1);
        expect(after.length).toBeGreaterThanOrEqual(2);
        expect(after.every((r) => r.outcome === 'stored' && r.holder !== 'replica-c')).toBe(true);
      }
      // All three replicas shared the work before the kill.
      expect(new Set(rows.map((r) => r.holder))).toEqual(new Set(['replica-a', 'replica-b', 'replica-c']));
      const killedLease = rows.find((r) => r.cluster === killedAt!.cluster && r.holder === 'replica-c' && r.outcome === null);
      expect(killedLease, 'the run replica c died in left its lease unfinished').toBeDefined();
      const next = rows.find((r) => r.cluster === killedAt!.cluster && Number(r.slot) === Number(killedLease!.slot) + 1);
      expect(next).toMatchObject({ outcome: 'stored' });
      expect(next?.holder).not.toBe('replica-c');
    } finally {
      await client.end();
      await Promise.all(stores.slice(0, 2).map((s) => s.close()));
      // Replica c's loop is stuck in its never-ending collection, as a dead process would be; stopping it only aborts that.
      await loops[2]!.close();
      await pool.close();
    }
  }, 60_000);
});
