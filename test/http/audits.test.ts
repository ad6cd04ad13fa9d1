import request from 'supertest';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditStore } from '../../src/store/types.js';
import { bearer, incidentBody, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import { storeFactories } from '../support/test-stores.js';

const factories = await storeFactories();
afterAll(async () => {
  for (const f of factories) await f.cleanup();
});

for (const factory of factories) {
  describe.skipIf(!factory.enabled)(`audit routes over ${factory.name}`, () => {
    let t: TestApp;
    let store: AuditStore;
    let clock: number;

    beforeEach(async () => {
      store = await factory.open();
      clock = Date.parse('2026-03-01T10:00:00.000Z');
      // Each audit is one second after the previous one, so listing order is known.
      t = await testApp({ store, now: () => new Date((clock += 1000)) });
      return () => store.close();
    });

    const post = (body: unknown) => request(t.app).post('/v1/audits').set('Authorization', bearer('audit')).send(body as object);

    it('audits posted exports: 201, Location, the report with id/createdAt/cluster, stored', async () => {
      const res = await post(incidentBody({ cluster: 'prod-eu', maxPairs: 2 }));
      expect(res.status).toBe(201);
      expectConformsToSpec(res, 'createAudit');
      expect(res.headers.location).toBe(`/v1/audits/${res.body.id}`);
      expect(res.body).toMatchObject({ cluster: 'prod-eu', origin: 'request', schemaVersion: 1, summary: { nodes: 4, directedPairs: 12, blocked: 12 } });
      expect(res.body.findings[0]).toMatchObject({ requirement: 'flannel-vxlan', pairCount: 12, pairsTruncated: true });
      expect(res.body.findings[0].pairs).toHaveLength(2);
      // Evidence points into the request: the security group came from /inputs/openstack/1.
      expect(res.body.findings[0].evidence[0].nearest[0].rule.source.document).toBe('/inputs/openstack/1');

      const got = await request(t.app).get(`/v1/audits/${res.body.id}`).set('Authorization', bearer('read'));
      expect(got.status).toBe(200);
      expectConformsToSpec(got, 'getAudit');
      expect(got.body).toEqual(res.body);
    });

    it('takes a single node document or a list of them, and no cluster label', async () => {
      const body = incidentBody();
      body.inputs.nodes = [body.inputs.nodes];
      const res = await post(body);
      expect(res.status).toBe(201);
      expect(res.body.cluster).toBeNull();
      expect(res.body.summary.nodes).toBe(4);
    });

    it('answers 404 problem+json for an unknown id and 400 for a malformed one', async () => {
      const missing = await request(t.app).get('/v1/audits/6f1c2b1e-0000-4000-8000-000000000000').set('Authorization', bearer('read'));
      expect(missing.status).toBe(404);
      expectConformsToSpec(missing, 'getAudit');
      expect(missing.body.detail).toContain('6f1c2b1e-0000-4000-8000-000000000000');
      const bad = await request(t.app).get('/v1/audits/not-an-id').set('Authorization', bearer('read'));
      expect(bad.status).toBe(400);
      expectConformsToSpec(bad, 'getAudit');
      expect(bad.body.errors).toEqual([{ parameter: 'id', value: 'not-an-id', reason: 'must match format "uuid"' }]);
    });

    it('returns the ticket as JSON by default and as text/markdown on request', async () => {
      const { body } = await post(incidentBody());
      const json = await request(t.app).get(`/v1/audits/${body.id}/ticket`).set('Authorization', bearer('read'));
      expect(json.status).toBe(200);
      expectConformsToSpec(json, 'getAuditTicket');
      expect(json.body).toMatchObject({ severity: 'critical', title: expect.stringContaining('blocked for 12 of 12') });
      expect(json.body.commands[0].cli).toContain('openstack security group rule create --ingress');
      const md = await request(t.app).get(`/v1/audits/${body.id}/ticket?format=markdown`).set('Authorization', bearer('read'));
      expect(md.status).toBe(200);
      expect(md.headers['content-type']).toBe('text/markdown; charset=utf-8');
      expectConformsToSpec(md, 'getAuditTicket');
      expect(md.text).toBe(json.body.markdown);
      const bad = await request(t.app).get(`/v1/audits/${body.id}/ticket?format=pdf`).set('Authorization', bearer('read'));
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]).toMatchObject({ parameter: 'format', value: 'pdf' });
      const missing = await request(t.app).get('/v1/audits/6f1c2b1e-0000-4000-8000-000000000000/ticket').set('Authorization', bearer('read'));
      expect(missing.status).toBe(404);
    });

    it('lists newest first, filters by cluster and time, and pages with an opaque cursor', async () => {
      const ids: string[] = [];
      for (const cluster of ['a', 'b', 'a', 'a', 'b']) ids.push((await post(incidentBody({ cluster }))).body.id as string);
      const list = (query: string) => request(t.app).get(`/v1/audits${query}`).set('Authorization', bearer('read'));

      const all = await list('');
      expect(all.status).toBe(200);
      expectConformsToSpec(all, 'listAudits');
      expect(all.body.items.map((i: { id: string }) => i.id)).toEqual([...ids].reverse());
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.items[0]).toMatchObject({ cluster: 'b', findings: 1, remediations: 1, summary: { blocked: 12 } });

      const onlyA = await list('?cluster=a');
      expect(onlyA.body.items.map((i: { id: string }) => i.id)).toEqual([ids[3], ids[2], ids[0]]);

      // Audits were created at 10:00:01 .. 10:00:05; since is inclusive, until exclusive.
      const window = await list(`?since=${encodeURIComponent('2026-03-01T10:00:02Z')}&until=${encodeURIComponent('2026-03-01T11:00:04+01:00')}`);
      expect(window.body.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await list(`?cluster=a&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expectConformsToSpec(page, 'listAudits');
        seen.push(...page.body.items.map((i: { id: string }) => i.id));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([ids[3], ids[2], ids[0]]);
    });

    it.each([
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['limit=1&limit=2', 'limit'],
      ['since=yesterday', 'since'],
      ['until=2026-03-01T10:00:00', 'until'],
      ['cluster=-bad', 'cluster'],
      ['cursor=not-ours', 'cursor'],
      ['cursor=%5B%5D', 'cursor'],
    ])('rejects the query %s with 400 naming the parameter', async (query, parameter) => {
      const res = await request(t.app).get(`/v1/audits?${query}`).set('Authorization', bearer('read'));
      expect(res.status).toBe(400);
      expectConformsToSpec(res, 'listAudits');
      expect(res.body.type).toBe('/docs#problem-invalid-parameter');
      expect(res.body.errors.map((e: { parameter: string }) => e.parameter)).toContain(parameter);
    });
  });
}
