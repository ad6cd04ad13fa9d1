import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditReport } from '../../src/model/report.js';
import type { ChangeKind } from '../../src/model/run-changes.js';
import type { AuditOrigin, StoredChange } from '../../src/store/types.js';
import { incidentReport } from '../support/sample-report.js';
import { storeFactories } from '../support/test-stores.js';

const factories = await storeFactories();
afterAll(async () => {
  for (const f of factories) await f.cleanup();
});

let report: AuditReport;
beforeAll(async () => {
  report = await incidentReport();
});

function change(cluster: string, at: string, kind: ChangeKind = 'blocked'): StoredChange {
  return {
    id: randomUUID(),
    cluster,
    kind,
    at,
    auditId: randomUUID(),
    previousAuditId: null,
    summary: { blocked: 12, unknown: 0, allowed: 0, directedPairs: 12 },
    changes: {
      newlyBlocked: [{ sourceNode: 'a', destinationNode: 'b', requirement: 'flannel-vxlan', before: 'allowed', after: 'blocked' }],
      resolved: [],
      newlyUnknown: [],
      newFindings: [],
      goneFindings: [],
      newContradictions: [],
      newRemediations: [],
      pairsTruncated: false,
    },
  };
}

for (const factory of factories) {
  describe.skipIf(!factory.enabled)(`watch changes store: ${factory.name}`, () => {
    it('latestAudit: the newest audit of the cluster with one of the origins, strictly before the key', async () => {
      const store = await factory.open();
      try {
        const save = async (createdAt: string, origin: AuditOrigin, cluster = 'prod') => {
          const id = randomUUID();
          await store.save({ id, createdAt, cluster, origin, report });
          return id;
        };
        const live = await save('2026-01-10T12:00:00.000Z', 'live');
        const watch1 = await save('2026-01-10T12:01:00.000Z', 'watch');
        await save('2026-01-10T12:02:00.000Z', 'request');
        await save('2026-01-10T12:03:00.000Z', 'watch', 'other');
        const watch2 = await save('2026-01-10T12:04:00.000Z', 'watch');

        expect((await store.latestAudit('prod', ['watch', 'live']))?.id).toBe(watch2);
        const before = await store.latestAudit('prod', ['watch', 'live'], { createdAt: '2026-01-10T12:04:00.000Z', id: watch2 });
        expect(before?.id).toBe(watch1);
        expect(before?.origin).toBe('watch');
        expect(before?.report).toEqual(report);
        expect((await store.latestAudit('prod', ['live']))?.id).toBe(live);
        expect((await store.latestAudit('prod', ['request']))?.createdAt).toBe('2026-01-10T12:02:00.000Z');
        expect(await store.latestAudit('prod', ['watch', 'live'], { createdAt: '2026-01-10T12:00:00.000Z', id: live })).toBeUndefined();
        expect(await store.latestAudit('nobody', ['watch', 'live'])).toBeUndefined();
        expect(await store.latestAudit('prod', [])).toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it('changes: kept as saved, listed per cluster newest first, paged without gaps or repeats', async () => {
      const store = await factory.open();
      try {
        const saved: StoredChange[] = [];
        for (let i = 0; i < 7; i++) {
          const c = change('prod', `2026-01-10T12:0${i}:00.000Z`, i % 2 ? 'resolved' : 'blocked');
          saved.push(c);
          await store.saveChange(c);
        }
        // Same instant as the last one: the id breaks the tie.
        const tie = change('prod', '2026-01-10T12:06:00.000Z');
        saved.push(tie);
        await store.saveChange(tie);
        await store.saveChange(change('other', '2026-01-10T13:00:00.000Z'));

        const seen: StoredChange[] = [];
        let after;
        for (let pages = 0; pages < 10; pages++) {
          const page = await store.listChanges('prod', { limit: 3, ...(after ? { after } : {}) });
          seen.push(...page.items);
          if (!page.next) break;
          after = page.next;
        }
        const expected = [...saved].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
        expect(seen).toEqual(expected);
        expect((await store.listChanges('nobody', { limit: 5 })).items).toEqual([]);
      } finally {
        await store.close();
      }
    });

    it('findings since: one row per cluster, replaced on save', async () => {
      const store = await factory.open();
      try {
        expect(await store.getFindingsSince('prod')).toBeUndefined();
        await store.saveFindingsSince({ cluster: 'prod', auditId: 'a1', since: { k1: '2026-01-10T12:00:00.000Z' } });
        await store.saveFindingsSince({ cluster: 'prod', auditId: 'a2', since: { k1: '2026-01-10T12:00:00.000Z', k2: '2026-01-10T12:05:00.000Z' } });
        await store.saveFindingsSince({ cluster: 'other', auditId: 'b1', since: {} });
        expect(await store.getFindingsSince('prod')).toEqual({ cluster: 'prod', auditId: 'a2', since: { k1: '2026-01-10T12:00:00.000Z', k2: '2026-01-10T12:05:00.000Z' } });
        expect(await store.getFindingsSince('other')).toEqual({ cluster: 'other', auditId: 'b1', since: {} });
      } finally {
        await store.close();
      }
    });
  });
}
