import { readFileSync } from 'node:fs';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { specPath } from '../../src/http/spec.js';
import { bearer, incidentBody, testApp } from '../support/http-app.js';
import { expectConformsToSpec, specAndSchemas } from '../support/openapi-response.js';

describe('health, readiness, metrics, spec and docs', () => {
  it('is live and ready while the store answers, and not ready once it does not', async () => {
    const t = await testApp();
    const live = await request(t.app).get('/healthz');
    expect(live.body).toEqual({ status: 'ok' });
    const ready = await request(t.app).get('/readyz');
    expect(ready.status).toBe(200);
    expectConformsToSpec(ready, 'getReadiness');
    await t.deps.store.close();
    const down = await request(t.app).get('/readyz');
    expect(down.status).toBe(503);
    expectConformsToSpec(down, 'getReadiness');
    expect(down.body.type).toBe('/docs#problem-not-ready');
    expect((await request(t.app).get('/healthz')).status).toBe(200);
  });

  it('counts audits by cluster and outcome, the blocked pairs per cluster, and request durations by route template', async () => {
    const t = await testApp();
    const post = (body: object) => request(t.app).post('/v1/audits').set('Authorization', bearer('audit')).send(body);
    await post(incidentBody({ cluster: 'prod' }));
    await post(incidentBody({ cluster: 'prod' }));
    await post(incidentBody());
    await post({ inputs: { nodes: { kind: 'Pod' } }, options: { cluster: 'prod' } });
    const id = (await post(incidentBody())).body.id as string;
    await request(t.app).get(`/v1/audits/${id}`).set('Authorization', bearer('read'));
    const res = await request(t.app).get('/metrics').set('Authorization', bearer('read'));
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'getMetrics');
    expect(res.text).toContain('sgaudit_audits_total{cluster="prod",outcome="blocked"} 2');
    expect(res.text).toContain('sgaudit_audits_total{cluster="",outcome="blocked"} 2');
    expect(res.text).toContain('sgaudit_audits_total{cluster="prod",outcome="invalid-input"} 1');
    expect(res.text).toContain('sgaudit_blocked_pairs{cluster="prod"} 12');
    expect(res.text).toMatch(/sgaudit_http_request_duration_seconds_count\{route="\/v1\/audits",method="POST",status="201"\} 4/);
    expect(res.text).toMatch(/sgaudit_http_request_duration_seconds_count\{route="\/v1\/audits\/\{id\}",method="GET",status="200"\} 1/);
    // Raw ids never become label values.
    expect(res.text).not.toContain(id);
  });

  it('serves openapi.yaml exactly as shipped', async () => {
    const t = await testApp();
    const res = await request(t.app).get('/openapi.yaml');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/yaml; charset=utf-8');
    expect(res.text).toBe(readFileSync(specPath(), 'utf8'));
  });

  it('renders /docs from the spec: every operation, schema and problem type, nothing loaded from elsewhere', async () => {
    const t = await testApp();
    const res = await request(t.app).get('/docs');
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'getDocs');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const { spec } = specAndSchemas();
    for (const op of spec.operations) expect(res.text).toContain(`id="op-${op.operationId}"`);
    for (const name of Object.keys(spec.doc.components.schemas)) expect(res.text).toContain(`id="schema-${name}"`);
    for (const kind of ['malformed-json', 'validation-failed', 'invalid-input', 'not-found']) expect(res.text).toContain(`id="problem-${kind}"`);
    expect(res.text).not.toMatch(/<script|<link|src=|url\(/i);
    // Every in-page link has its target.
    const targets = new Set([...res.text.matchAll(/id="([^"]+)"/g)].map((m) => m[1]));
    const links = [...res.text.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(links.filter((l) => !targets.has(l))).toEqual([]);
  });
});
