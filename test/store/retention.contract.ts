import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import { startRetention, type RetentionSweeper } from '../../src/store/retention.js';
import type { AuditRecord, AuditStore, RetentionPolicy } from '../../src/store/types.js';
import { incidentReport } from '../support/sample-report.js';

const NOW = new Date('2026-03-01T00:00:00.000Z');
const DAY_MS = 86_400_000;

/** An instant `days` before NOW, in the form the stores keep. */
function daysAgo(days: number): string {
  return new Date(NOW.getTime() - days * DAY_MS).toISOString();
}

async function waitFor(what: string, done: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The real store with its prune observed: how many prunes run at once, and an optional step
 * before each (a delay, or a failure) so the sweeper's scheduling can be watched against it.
 */
function observedStore(store: AuditStore, before: (call: number) => Promise<void> = async () => undefined) {
  const stats = { calls: 0, running: 0, maxRunning: 0, finished: 0 };
  const observed: AuditStore = {
    kind: store.kind,
    save: (r) => store.save(r),
    get: (id) => store.get(id),
    getJson: (id) => store.getJson(id),
    list: (f, p) => store.list(f, p),
    saveProbe: (p) => store.saveProbe(p),
    getProbeJson: (id) => store.getProbeJson(id),
    listProbes: (f, p) => store.listProbes(f, p),
    ping: () => store.ping(),
    close: () => store.close(),
    claimWatchRun: (c) => store.claimWatchRun(c),
    finishWatchRun: (c, k, h, o) => store.finishWatchRun(c, k, h, o),
    latestAudit: (c, o, b) => store.latestAudit(c, o, b),
    saveChange: (c) => store.saveChange(c),
    listChanges: (c, p) => store.listChanges(c, p),
    saveFindingsSince: (s) => store.saveFindingsSince(s),
    getFindingsSince: (c) => store.getFindingsSince(c),
    prune: async (policy, now, batchLimit) => {
      const call = ++stats.calls;
      stats.running++;
      stats.maxRunning = Math.max(stats.maxRunning, stats.running);
      try {
        await before(call);
        return await store.prune(policy, now, batchLimit);
      } finally {
        stats.running--;
        stats.finished++;
      }
    },
  };
  return { observed, stats };
}

/** Retention behaviour every AuditStore must have; called from the store contract. */
export function retentionContract(name: string, open: () => Promise<AuditStore>, enabled = true): void {
  describe.skipIf(!enabled)(`AuditStore retention: ${name}`, () => {
    let store: AuditStore;
    let report: AuditReport;
    const sweepers: RetentionSweeper[] = [];

    beforeAll(async () => {
      report = await incidentReport();
    });
    beforeEach(async () => {
      store = await open();
      return async () => {
        for (const s of sweepers.splice(0)) await s.stop();
        await store.close();
      };
    });

    const record = (createdAt: string, over: Partial<AuditRecord> = {}): AuditRecord => ({
      id: randomUUID(),
      createdAt,
      cluster: 'prod-eu',
      origin: 'request',
      report,
      ...over,
    });
    const saveAll = async (records: AuditRecord[]) => {
      for (const r of records) await store.save(r);
      return records;
    };
    /** Ids left in the store, in listing order (newest first, then id descending). */
    const remaining = async () => (await store.list({}, { limit: 1000 })).items.map((i) => i.id);
    const listingOrder = (records: AuditRecord[]) =>
      [...records].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((r) => r.id);
    const sweeper = (s: AuditStore, policy: RetentionPolicy, options: Parameters<typeof startRetention>[2] = {}) => {
      const sw = startRetention(s, policy, options);
      sweepers.push(sw);
      return sw;
    };

    describe('prune', () => {
      it('deletes audits created before now minus maxAgeDays, keeping one exactly at the cutoff', async () => {
        const [old1, old2, atCutoff, fresh] = await saveAll([record(daysAgo(30)), record(daysAgo(7.5)), record(daysAgo(7)), record(daysAgo(1))]);
        expect(await store.prune({ maxAgeDays: 7 }, NOW)).toBe(2);
        expect(await remaining()).toEqual([fresh!.id, atCutoff!.id]);
        expect(await store.get(old1!.id)).toBeUndefined();
        expect(await store.get(old2!.id)).toBeUndefined();
        expect(await store.prune({ maxAgeDays: 7 }, NOW)).toBe(0);
      });

      it('reads maxAgeDays relative to the given now, fractions of a day included', async () => {
        const [a, b] = await saveAll([record(daysAgo(2)), record(daysAgo(1))]);
        expect(await store.prune({ maxAgeDays: 0.5 }, new Date(NOW.getTime() - 1.25 * DAY_MS))).toBe(1);
        expect(await remaining()).toEqual([b!.id]);
        expect(await store.get(a!.id)).toBeUndefined();
      });

      it('keeps only the newest maxCount audits', async () => {
        const saved = await saveAll([5, 1, 4, 2, 3].map((d) => record(daysAgo(d))));
        expect(await store.prune({ maxCount: 2 }, NOW)).toBe(3);
        expect(await remaining()).toEqual(listingOrder(saved).slice(0, 2));
        expect(await store.prune({ maxCount: 2 }, NOW)).toBe(0);
        expect(await store.prune({ maxCount: 5 }, NOW)).toBe(0);
      });

      it('breaks createdAt ties by id, as the listing does', async () => {
        const at = daysAgo(1);
        const saved = await saveAll([...Array(6)].map(() => record(at)));
        const order = listingOrder(saved);
        expect(await store.prune({ maxCount: 4 }, NOW)).toBe(2);
        expect(await remaining()).toEqual(order.slice(0, 4));
        // A batch that ends inside a run of equal createdAt takes the smallest ids first.
        expect(await store.prune({ maxCount: 1 }, NOW, 2)).toBe(2);
        expect(await remaining()).toEqual(order.slice(0, 2));
      });

      it('applies both bounds together, whichever deletes more', async () => {
        const saved = await saveAll([40, 20, 10, 5, 3, 1].map((d) => record(daysAgo(d))));
        const order = listingOrder(saved);
        // Age alone would delete 2 (40 and 20 days), count alone 3: count wins.
        expect(await store.prune({ maxAgeDays: 15, maxCount: 3 }, NOW)).toBe(3);
        expect(await remaining()).toEqual(order.slice(0, 3));
        // Now age alone deletes 2 (5 and 3 days), count alone none: age wins.
        expect(await store.prune({ maxAgeDays: 2, maxCount: 3 }, NOW)).toBe(2);
        expect(await remaining()).toEqual(order.slice(0, 1));
      });

      it('deletes at most batchLimit per call, oldest first, and works the backlog off over calls', async () => {
        const saved = await saveAll([...Array(7)].map((_, i) => record(daysAgo(30 + i))));
        const fresh = await saveAll([record(daysAgo(1))]);
        const oldestFirst = listingOrder(saved).reverse();
        expect(await store.prune({ maxAgeDays: 10 }, NOW, 3)).toBe(3);
        for (const id of oldestFirst.slice(0, 3)) expect(await store.get(id)).toBeUndefined();
        expect(await remaining()).toEqual([fresh[0]!.id, ...oldestFirst.slice(3).reverse()]);
        expect(await store.prune({ maxAgeDays: 10 }, NOW, 3)).toBe(3);
        expect(await store.prune({ maxAgeDays: 10 }, NOW, 3)).toBe(1);
        expect(await store.prune({ maxAgeDays: 10 }, NOW, 3)).toBe(0);
        expect(await remaining()).toEqual([fresh[0]!.id]);
      });

      it('deletes exactly batchLimit when the backlog is several hundred rows', async () => {
        // Larger than the SQLite store's internal step, so the step boundaries are crossed.
        const at = (i: number) => new Date(NOW.getTime() - 30 * DAY_MS - i * 1000).toISOString();
        const saved = await saveAll([...Array(260)].map((_, i) => record(at(i))));
        const oldestFirst = listingOrder(saved).reverse();
        expect(await store.prune({ maxCount: 10 }, NOW, 230)).toBe(230);
        expect(await remaining()).toEqual(oldestFirst.slice(230).reverse());
        expect(await store.prune({ maxCount: 10 }, NOW, 230)).toBe(20);
        expect(await remaining()).toEqual(oldestFirst.slice(250).reverse());
      });

      it('keeps everything under an empty policy, and on an empty store deletes nothing', async () => {
        expect(await store.prune({ maxAgeDays: 1, maxCount: 1 }, NOW)).toBe(0);
        const saved = await saveAll([record(daysAgo(400)), record(daysAgo(300))]);
        expect(await store.prune({}, NOW)).toBe(0);
        expect(await remaining()).toEqual(listingOrder(saved));
      });

      it.each<[RetentionPolicy, number | undefined, RegExp]>([
        [{ maxCount: 0 }, undefined, /retention maxCount must be a positive integer, got 0/],
        [{ maxCount: 2.5 }, undefined, /retention maxCount must be a positive integer, got 2\.5/],
        [{ maxAgeDays: -1 }, undefined, /retention maxAgeDays must be a positive number of days, got -1/],
        [{ maxAgeDays: Number.NaN }, undefined, /retention maxAgeDays must be a positive number of days, got NaN/],
        [{ maxAgeDays: 1 }, 0, /prune batchLimit must be a positive integer, got 0/],
      ])('refuses %j with batchLimit %s, deleting nothing', async (policy, batchLimit, message) => {
        await saveAll([record(daysAgo(30))]);
        await expect(store.prune(policy, NOW, batchLimit)).rejects.toThrow(message);
        expect(await remaining()).toHaveLength(1);
      });

      it('refuses an invalid now', async () => {
        await expect(store.prune({ maxAgeDays: 1 }, new Date('nope'))).rejects.toThrow(/prune now must be a valid date/);
      });
    });

    describe('background sweeper', () => {
      it('sweeps once at start, then keeps to the policy at each interval', async () => {
        const first = await saveAll([record(daysAgo(3)), record(daysAgo(2)), record(daysAgo(1))]);
        const swept: number[] = [];
        sweeper(store, { maxCount: 1 }, { intervalMs: 30, now: () => NOW, onSwept: (n) => swept.push(n) });
        await waitFor('the first sweep', () => swept.length >= 1);
        expect(swept[0]).toBe(2);
        expect(await remaining()).toEqual([first[2]!.id]);
        const later = await saveAll([record(daysAgo(0.5))]);
        await waitFor('a sweep that deletes the now older audit', () => swept.includes(1));
        expect(await remaining()).toEqual([later[0]!.id]);
      });

      it('repeats at once while a sweep hits the batch limit, then waits for the interval', async () => {
        await saveAll([...Array(10)].map((_, i) => record(daysAgo(30 + i))));
        const swept: number[] = [];
        sweeper(store, { maxAgeDays: 7 }, { intervalMs: 60_000, batchLimit: 3, now: () => NOW, onSwept: (n) => swept.push(n) });
        await waitFor('the backlog to be worked off', () => swept.length >= 4, 10_000);
        expect(swept).toEqual([3, 3, 3, 1]);
        await sleep(100);
        expect(swept).toEqual([3, 3, 3, 1]);
        expect(await remaining()).toEqual([]);
      });

      it('never runs two sweeps at once, however they are asked for', async () => {
        await saveAll([...Array(6)].map((_, i) => record(daysAgo(30 + i))));
        const { observed, stats } = observedStore(store, () => sleep(40));
        const sw = sweeper(observed, { maxAgeDays: 7 }, { intervalMs: 1, batchLimit: 2, now: () => NOW });
        const results = await Promise.all([sw.sweepNow(), sw.sweepNow(), sw.sweepNow()]);
        await waitFor('a few background sweeps too', () => stats.finished >= 6);
        expect(stats.maxRunning).toBe(1);
        expect(results).toEqual([2, 2, 2]);
        expect(await remaining()).toEqual([]);
      });

      it('stop waits for a running sweep and prevents any later one', async () => {
        await saveAll([record(daysAgo(30))]);
        const { observed, stats } = observedStore(store, () => sleep(150));
        const sw = sweeper(observed, { maxAgeDays: 7 }, { intervalMs: 1, now: () => NOW });
        await waitFor('a sweep to start', () => stats.running === 1);
        await sw.stop();
        expect(stats.running).toBe(0);
        expect(stats.finished).toBe(1);
        expect(await remaining()).toEqual([]);
        await expect(sw.sweepNow()).rejects.toThrow(/stopped/);
        await sleep(50);
        expect(stats.calls).toBe(1);
      });

      it('reports a failed sweep through onError and sweeps again at the next interval', async () => {
        await saveAll([record(daysAgo(30)), record(daysAgo(1))]);
        const failure = new Error('store unavailable for a moment');
        const { observed } = observedStore(store, async (call) => {
          if (call === 1) throw failure;
        });
        const errors: unknown[] = [];
        const swept: number[] = [];
        sweeper(observed, { maxAgeDays: 7 }, { intervalMs: 20, now: () => NOW, onError: (e) => errors.push(e), onSwept: (n) => swept.push(n) });
        await waitFor('a sweep after the failure', () => swept.length >= 1);
        expect(errors).toEqual([failure]);
        expect(swept[0]).toBe(1);
        expect(await remaining()).toHaveLength(1);
      });

      it('keeps sweeping when the callbacks themselves throw', async () => {
        await saveAll([record(daysAgo(30)), record(daysAgo(20))]);
        let calls = 0;
        const sw = sweeper(store, { maxAgeDays: 7 }, {
          intervalMs: 20,
          batchLimit: 1,
          now: () => NOW,
          onSwept: () => {
            calls++;
            throw new Error('logger broke');
          },
        });
        await waitFor('both old audits to go', () => calls >= 2);
        expect(await remaining()).toEqual([]);
        await expect(sw.sweepNow()).resolves.toBe(0);
      });

      it('rejects sweepNow with the error of its own sweep', async () => {
        const failure = new Error('prune failed');
        const { observed } = observedStore(store, async () => {
          throw failure;
        });
        const errors: unknown[] = [];
        const sw = sweeper(observed, { maxCount: 1 }, { intervalMs: 60_000, onError: (e) => errors.push(e) });
        // The sweep at start fails in the background, so only onError can tell of it ...
        await waitFor('the sweep at start to fail', () => errors.length === 1);
        expect(errors).toEqual([failure]);
        // ... while an asked-for sweep tells its caller, and only its caller.
        await expect(sw.sweepNow()).rejects.toBe(failure);
        expect(errors).toEqual([failure]);
      });

      it('deletes nothing and never calls prune under a policy with neither bound', async () => {
        const saved = await saveAll([record(daysAgo(400))]);
        const { observed, stats } = observedStore(store);
        const sw = sweeper(observed, {}, { intervalMs: 1 });
        expect(await sw.sweepNow()).toBe(0);
        await sleep(30);
        expect(stats.calls).toBe(0);
        expect(await remaining()).toEqual([saved[0]!.id]);
      });

      it('refuses a bad policy or interval at start', () => {
        expect(() => startRetention(store, { maxCount: -3 }, {})).toThrow(/retention maxCount must be a positive integer, got -3/);
        expect(() => startRetention(store, { maxCount: 3 }, { intervalMs: 0 })).toThrow(/retention intervalMs must be a positive integer, got 0/);
        expect(() => startRetention(store, { maxCount: 3 }, { batchLimit: 1.5 })).toThrow(/retention batchLimit must be a positive integer, got 1.5/);
      });
    });
  });
}
