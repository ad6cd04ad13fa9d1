import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import type { AuditRecord, AuditStore, SerializedProbe } from '../../src/store/types.js';
import { countsOf, listItemOf, probeCountsOf } from '../../src/store/types.js';
import { ReportTooLargeError } from '../../src/store/report-json.js';
import { incidentReport } from '../support/sample-report.js';
import { retentionContract } from './retention.contract.js';

/** Store options a contract test may set; each factory passes them to its store's `open`. */
export interface ContractStoreOptions {
  maxReportBytes?: number;
}

/**
 * The behaviour every AuditStore must have. Each implementation's test file calls this with
 * a factory that returns an empty, migrated store.
 */
export function auditStoreContract(name: string, open: (options?: ContractStoreOptions) => Promise<AuditStore>, enabled = true): void {
  retentionContract(name, () => open(), enabled);
  describe.skipIf(!enabled)(`AuditStore contract: ${name}`, () => {
    let store: AuditStore;
    let report: AuditReport;

    beforeAll(async () => {
      report = await incidentReport();
    });
    beforeEach(async () => {
      store = await open();
      return () => store.close();
    });

    const record = (over: Partial<AuditRecord> = {}): AuditRecord => ({
      id: randomUUID(),
      createdAt: '2026-01-10T12:00:00.000Z',
      cluster: 'prod-eu',
      origin: 'request',
      report,
      ...over,
    });

    it('returns a saved report exactly as saved, key order included', async () => {
      const r = record();
      await store.save(r);
      const back = await store.get(r.id);
      expect(back).toEqual(r);
      expect(JSON.stringify(back?.report)).toBe(JSON.stringify(r.report));
    });

    it('answers undefined for an unknown id, well-formed or not', async () => {
      expect(await store.get(randomUUID())).toBeUndefined();
      expect(await store.get('not-a-uuid')).toBeUndefined();
    });

    it('rejects a second record with the same id', async () => {
      const r = record();
      await store.save(r);
      await expect(store.save({ ...r, cluster: 'other' })).rejects.toThrow();
      expect((await store.get(r.id))?.cluster).toBe('prod-eu');
    });

    it('keeps a null cluster and the origin', async () => {
      const r = record({ cluster: null, origin: 'live' });
      await store.save(r);
      expect(await store.get(r.id)).toMatchObject({ cluster: null, origin: 'live' });
    });

    it('lists newest first with summaries and counts, not whole reports', async () => {
      const older = record({ createdAt: '2026-01-10T10:00:00.000Z' });
      const newer = record({ createdAt: '2026-01-10T11:00:00.000Z' });
      await store.save(older);
      await store.save(newer);
      const page = await store.list({}, { limit: 10 });
      expect(page.items).toEqual([listItemOf(newer), listItemOf(older)]);
      expect(page.items[0]).toMatchObject({ findings: report.findings.length, remediations: report.remediations.length });
      expect(page.next).toBeUndefined();
    });

    it('filters by cluster, since (inclusive) and until (exclusive)', async () => {
      const at = (h: number, cluster: string | null) => record({ createdAt: `2026-01-10T${String(h).padStart(2, '0')}:00:00.000Z`, cluster });
      const rows = [at(8, 'a'), at(9, 'b'), at(10, 'a'), at(11, null), at(12, 'a')];
      for (const r of rows) await store.save(r);
      const ids = async (f: Parameters<AuditStore['list']>[0]) => (await store.list(f, { limit: 50 })).items.map((i) => i.createdAt.slice(11, 13));
      expect(await ids({ cluster: 'a' })).toEqual(['12', '10', '08']);
      expect(await ids({ since: '2026-01-10T10:00:00.000Z' })).toEqual(['12', '11', '10']);
      expect(await ids({ until: '2026-01-10T10:00:00.000Z' })).toEqual(['09', '08']);
      expect(await ids({ cluster: 'a', since: '2026-01-10T09:00:00.000Z', until: '2026-01-10T12:00:00.000Z' })).toEqual(['10']);
      expect(await ids({ cluster: 'nope' })).toEqual([]);
    });

    it('pages through every record exactly once, ties on createdAt broken by id', async () => {
      const saved: AuditRecord[] = [];
      for (let i = 0; i < 7; i++) {
        // Three records share each timestamp, so the id decides the order within it.
        const r = record({ createdAt: `2026-01-10T12:00:0${Math.floor(i / 3)}.000Z` });
        saved.push(r);
        await store.save(r);
      }
      const seen: string[] = [];
      let after: Awaited<ReturnType<AuditStore['list']>>['next'];
      let pages = 0;
      do {
        const page = await store.list({}, { limit: 3, ...(after ? { after } : {}) });
        seen.push(...page.items.map((i) => i.id));
        after = page.next;
        pages++;
      } while (after && pages < 10);
      expect(pages).toBe(3);
      const expected = [...saved].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((r) => r.id);
      expect(seen).toEqual(expected);
    });

    it('says there is no next page when the last page is exactly full', async () => {
      for (let i = 0; i < 2; i++) await store.save(record({ createdAt: `2026-01-10T12:00:0${i}.000Z` }));
      const page = await store.list({}, { limit: 2 });
      expect(page.items).toHaveLength(2);
      expect(page.next).toBeUndefined();
    });

    it('stores a report of exactly maxReportBytes and refuses one byte more with ReportTooLargeError', async () => {
      // Non-ASCII text, so the bound is checked in UTF-8 bytes, not in string length.
      const big: AuditReport = { ...report, warnings: [...report.warnings, { code: 'note', message: 'Ünïcödé ✓ '.repeat(50) }] };
      const bytes = Buffer.byteLength(JSON.stringify(big), 'utf8');
      expect(bytes).toBeGreaterThan(JSON.stringify(big).length);

      const exact = await open({ maxReportBytes: bytes });
      const fits = record({ report: big });
      try {
        await exact.save(fits);
        expect(JSON.stringify((await exact.get(fits.id))?.report)).toBe(JSON.stringify(big));
      } finally {
        await exact.close();
      }

      const tight = await open({ maxReportBytes: bytes - 1 });
      const over = record({ report: big });
      try {
        const err = await tight.save(over).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(ReportTooLargeError);
        expect(err).toMatchObject({ bytes, limitBytes: bytes - 1 });
        expect((err as Error).message).toBe(`audit report is too large to store: ${bytes} bytes of JSON, over the store's bound of ${bytes - 1} bytes`);
        expect(await tight.get(over.id)).toBeUndefined();
      } finally {
        await tight.close();
      }
    });

    it('stores a report serialized elsewhere as that text: getJson gives the text back, get the parsed record', async () => {
      const { report: r, ...head } = record({ cluster: null, origin: 'live' });
      const text = JSON.stringify(r);
      await store.save({ ...head, reportJson: text, counts: countsOf(r) });
      expect(await store.getJson(head.id)).toEqual({ head, reportJson: text });
      expect(await store.get(head.id)).toEqual({ ...head, report: r });
      expect((await store.list({}, { limit: 10 })).items).toEqual([listItemOf({ ...head, report: r })]);
    });

    it('answers getJson of an unknown id, well-formed or not, with undefined', async () => {
      expect(await store.getJson(randomUUID())).toBeUndefined();
      expect(await store.getJson('not-a-uuid')).toBeUndefined();
    });

    it('lists a serialized report with the counts it was given: it never parses the text for them', async () => {
      const { report: r, ...head } = record();
      const counts = { summary: { ...r.summary, blocked: 4242 }, findings: 99, remediations: 77 };
      await store.save({ ...head, reportJson: JSON.stringify(r), counts });
      expect((await store.list({}, { limit: 10 })).items).toEqual([{ ...head, ...counts }]);
    });

    it('bounds a serialized report like any other: one byte over maxReportBytes is refused', async () => {
      const text = JSON.stringify({ ...report, warnings: [{ code: 'note', message: 'Ünïcödé ✓ '.repeat(50) }] });
      const bytes = Buffer.byteLength(text, 'utf8');
      const tight = await open({ maxReportBytes: bytes - 1 });
      const { report: r, ...head } = record();
      try {
        const err = await tight.save({ ...head, reportJson: text, counts: countsOf(r) }).then(() => undefined, (e: unknown) => e);
        expect(err).toBeInstanceOf(ReportTooLargeError);
        expect(err).toMatchObject({ bytes, limitBytes: bytes - 1 });
        expect(await tight.getJson(head.id)).toBeUndefined();
      } finally {
        await tight.close();
      }
    });

    it('refuses a maxReportBytes above the ceiling or below 1', async () => {
      await expect(open({ maxReportBytes: 0 })).rejects.toThrow(/store maxReportBytes must be an integer from 1 to 134217728, got 0/);
      await expect(open({ maxReportBytes: 2 ** 40 })).rejects.toThrow(/got 1099511627776/);
    });

    describe('probe sweeps', () => {
      const sweep = (over: Partial<SerializedProbe> = {}): SerializedProbe => {
        const report = {
          results: [
            { sourceNode: 'n1', sourceIp: '192.0.2.1', destinationNode: 'n2', destinationIp: '192.0.2.2', verdict: 'blocked', evidence: { overlay: null, underlay: null, timings: {}, reason: 'r' } },
            { sourceNode: 'n2', sourceIp: '192.0.2.2', destinationNode: 'n1', destinationIp: '192.0.2.1', verdict: 'ok', evidence: { overlay: null, underlay: null, timings: {}, reason: 'ü ✓' } },
          ],
          startedAt: '2026-01-10T11:59:58.000Z',
          elapsedMs: 2104,
        };
        return { id: randomUUID(), createdAt: '2026-01-10T12:00:00.000Z', cluster: 'prod-eu', reportJson: JSON.stringify(report), counts: probeCountsOf(report), ...over };
      };

      it('gives a saved sweep back as the text it was saved as, and lists its counts', async () => {
        const p = sweep();
        await store.saveProbe(p);
        expect(await store.getProbeJson(p.id)).toEqual({ head: { id: p.id, createdAt: p.createdAt, cluster: 'prod-eu' }, reportJson: p.reportJson });
        expect((await store.listProbes({}, { limit: 10 })).items).toEqual([
          { id: p.id, createdAt: p.createdAt, cluster: 'prod-eu', pairs: 2, verdicts: { blocked: 1, ok: 1 }, elapsedMs: 2104 },
        ]);
        // Sweeps and audits are apart: neither listing shows the other.
        expect((await store.list({}, { limit: 10 })).items).toEqual([]);
        expect(await store.getJson(p.id)).toBeUndefined();
      });

      it('answers getProbeJson of an unknown id, well-formed or not, with undefined, and refuses a duplicate id', async () => {
        expect(await store.getProbeJson(randomUUID())).toBeUndefined();
        expect(await store.getProbeJson('not-a-uuid')).toBeUndefined();
        const p = sweep();
        await store.saveProbe(p);
        await expect(store.saveProbe({ ...p, cluster: 'other' })).rejects.toThrow();
      });

      it('filters by cluster and time and pages newest first, ties broken by id', async () => {
        const saved: SerializedProbe[] = [];
        for (let i = 0; i < 5; i++) saved.push(sweep({ createdAt: `2026-01-10T12:00:0${Math.floor(i / 2)}.000Z`, cluster: i === 4 ? 'b' : 'a' }));
        for (const p of saved) await store.saveProbe(p);
        const expected = saved
          .filter((p) => p.cluster === 'a')
          .sort((x, y) => (x.createdAt === y.createdAt ? (x.id < y.id ? 1 : -1) : x.createdAt < y.createdAt ? 1 : -1))
          .map((p) => p.id);
        const seen: string[] = [];
        let after: Awaited<ReturnType<AuditStore['listProbes']>>['next'];
        let pages = 0;
        do {
          const page = await store.listProbes({ cluster: 'a' }, { limit: 3, ...(after ? { after } : {}) });
          seen.push(...page.items.map((i) => i.id));
          after = page.next;
          pages++;
        } while (after && pages < 10);
        expect(pages).toBe(2);
        expect(seen).toEqual(expected);
        expect((await store.listProbes({ since: '2026-01-10T12:00:02.000Z' }, { limit: 10 })).items.map((i) => i.cluster)).toEqual(['b']);
        expect((await store.listProbes({ until: '2026-01-10T12:00:01.000Z' }, { limit: 10 })).items).toHaveLength(2);
      });

      it('prunes sweeps by age and by their own count, within one batch budget shared with audits', async () => {
        const old = sweep({ createdAt: '2025-01-01T00:00:00.000Z' });
        const newer = [1, 2, 3].map((d) => sweep({ createdAt: `2026-01-1${d}T00:00:00.000Z` }));
        for (const p of [old, ...newer]) await store.saveProbe(p);
        const audits = [1, 2, 3].map((d) => record({ createdAt: `2026-01-1${d}T00:00:00.000Z` }));
        for (const a of audits) await store.save(a);
        // Count 2 applies to each table on its own: 1 audit and 2 sweeps go, but the budget is 2, audits first.
        expect(await store.prune({ maxCount: 2 }, new Date('2026-02-01T00:00:00.000Z'), 2)).toBe(2);
        expect((await store.list({}, { limit: 10 })).items.map((i) => i.id)).toEqual([audits[2]!.id, audits[1]!.id]);
        expect(await store.getProbeJson(old.id)).toBeUndefined();
        expect((await store.listProbes({}, { limit: 10 })).items).toHaveLength(3);
        expect(await store.prune({ maxCount: 2 }, new Date('2026-02-01T00:00:00.000Z'), 2)).toBe(1);
        expect((await store.listProbes({}, { limit: 10 })).items.map((i) => i.id)).toEqual([newer[2]!.id, newer[1]!.id]);
        expect(await store.prune({ maxAgeDays: 20 }, new Date('2026-02-02T00:00:00.000Z'))).toBe(2);
        expect((await store.listProbes({}, { limit: 10 })).items.map((i) => i.id)).toEqual([newer[2]!.id]);
      });
    });

    it('answers ping while open and fails it once closed', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      await store.close();
      await expect(store.ping()).rejects.toThrow();
    });
  });
}

