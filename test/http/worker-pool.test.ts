import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditPool } from '../../src/http/audit-pool.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { inputErrorProblem } from '../../src/http/problems.js';
import { auditInputsFromRequest, type RequestInputs } from '../../src/http/request-inputs.js';
import { resolveSettings } from '../../src/http/settings.js';
import { InputError } from '../../src/model/source.js';
import { packageRoot } from '../../src/package-root.js';
import { runAudit } from '../../src/pipeline/audit.js';
import { generateAwsCluster } from '../bench/generate-aws-cluster.js';
import { bearer, incidentBody, poolWithMetrics, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

/**
 * The audit worker pool over real HTTP on 127.0.0.1: a pool of one worker and a queue of one,
 * kept busy by a genuinely large audit (no fake timers, no stubbed pool).
 */

/** 5,000 nodes in 500 single-group pools: a few hundred milliseconds of evaluation on a worker. */
const heavy = (() => {
  const c = generateAwsCluster(5000, 500, 1);
  return JSON.stringify({ inputs: { nodes: c.nodes, flannel: c.flannel, aws: c.aws.map((d) => d.body) } });
})();
const small = JSON.stringify(incidentBody());
/** The incident fixed by a Terraform plan: a what-if that lists 12 newly allowed pairs. */
const whatifBody = (options: Record<string, unknown> = {}): Record<string, unknown> => ({
  inputs: incidentBody().inputs,
  terraformPlan: JSON.parse(readFileSync(`${packageRoot()}/test/golden/whatif/incident-add-rule/plan.json`, 'utf8')) as unknown,
  options,
});

interface Running {
  t: TestApp;
  pool: AuditPool;
  metrics: ApiMetrics;
  url: string;
  server: Server;
}

const started: Running[] = [];
afterEach(async () => {
  for (const r of started.splice(0)) {
    r.server.closeAllConnections();
    await new Promise((resolve) => r.server.close(resolve));
    await r.pool.close();
  }
});

async function serve(options: { workers: number; queueLimit: number }, reportLimitBytes?: number): Promise<Running> {
  const metrics = new ApiMetrics();
  const pool = poolWithMetrics({ ...options, warmThreads: options.workers }, metrics);
  const t = await testApp({ auditPool: pool, metrics, ...(reportLimitBytes !== undefined ? { reportLimitBytes } : {}) });
  const server = t.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const r = { t, pool, metrics, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  started.push(r);
  return r;
}

function post(r: Running, path: string, body: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${r.url}${path}`, { method: 'POST', headers: { authorization: bearer('audit'), 'content-type': 'application/json' }, body, ...(signal ? { signal } : {}) });
}

/** Polls the pool (a plain read, no timers inside the pool) until `ok` holds. */
async function until(r: Running, ok: (s: ReturnType<AuditPool['stats']>) => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!ok(r.pool.stats())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for the pool: ${what}; stats ${JSON.stringify(r.pool.stats())}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('audits run on worker threads', () => {
  it('sheds with 503 overloaded and Retry-After at once when the worker is busy and the queue is full; the rest complete', async () => {
    const r = await serve({ workers: 1, queueLimit: 1 });
    const first = post(r, '/v1/audits', heavy);
    await until(r, (s) => s.running === 1, 'the heavy audit runs');
    const second = post(r, '/v1/audits', small);
    await until(r, (s) => s.queued === 1, 'the second audit waits');

    const shed = await post(r, '/v1/audits', small);
    // The heavy audit is still on the worker: the 503 did not wait for a slot.
    expect(r.pool.stats()).toMatchObject({ running: 1, queued: 1 });
    expect(shed.status).toBe(503);
    expect(shed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(shed.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    const problem = (await shed.json()) as { type: string; detail: string };
    expect(problem.type).toBe('/docs#problem-overloaded');
    expect(problem.detail).toContain('1 audit worker is busy');

    // So is a what-if: it shares the pool.
    const whatif = await post(r, '/v1/whatif', JSON.stringify(whatifBody({ maxPairs: 12 })));
    expect(whatif.status).toBe(503);
    expect(whatif.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);

    // Shedding comes before the body is read: not even malformed JSON is looked at.
    const unread = await post(r, '/v1/audits', '{"inputs": [not json');
    expect(unread.status).toBe(503);
    expect(unread.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);

    // Nothing admitted is lost.
    expect((await first).status).toBe(201);
    expect((await second).status).toBe(201);
    const metrics = await r.metrics.registry.metrics();
    expect(metrics).toMatch(/^sgaudit_requests_shed_total 3$/m);
    expect(metrics).toMatch(/^sgaudit_pool_queued_tasks 0$/m);
  });

  it('answers /healthz, /readyz and /metrics while every worker is busy', async () => {
    const r = await serve({ workers: 1, queueLimit: 1 });
    const audit = post(r, '/v1/audits', heavy);
    await until(r, (s) => s.running === 1, 'the heavy audit runs');

    const health = await fetch(`${r.url}/healthz`);
    const ready = await fetch(`${r.url}/readyz`);
    const metrics = await fetch(`${r.url}/metrics`, { headers: { authorization: bearer('read') } });
    // Answered while the audit was still running, not after it.
    expect(r.pool.stats().running).toBe(1);
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/^sgaudit_pool_running_tasks 1$/m);
    expect(text).toMatch(/^sgaudit_pool_workers 1$/m);
    expect((await audit).status).toBe(201);
  });

  it('frees the slot of a client that disconnects: the running evaluation is stopped', async () => {
    const r = await serve({ workers: 1, queueLimit: 0 });
    const gone = new AbortController();
    const abandoned = post(r, '/v1/audits', heavy, gone.signal).catch((e: unknown) => e);
    await until(r, (s) => s.running === 1, 'the heavy audit runs');
    gone.abort();
    expect(await abandoned).toBeInstanceOf(Error);
    await until(r, (s) => s.running === 0 && s.queued === 0, 'the abandoned audit leaves the pool');
    // With queue 0, this would be shed if the slot were still taken.
    const next = await post(r, '/v1/audits', small);
    expect(next.status).toBe(201);
    expect((await r.t.deps.store.list({}, { limit: 10 })).items).toHaveLength(1);
  });
});

describe('errors cross the thread boundary as data', () => {
  it('an unusable input answers 422 with exactly the pointers and reasons of the in-process audit', async () => {
    const body = incidentBody();
    const inputs = body.inputs as { openstack: { security_groups: { security_group_rules: { remote_ip_prefix: string }[] }[] }[] };
    inputs.openstack[1]!.security_groups[0]!.security_group_rules[0]!.remote_ip_prefix = '10.0.0.300/8';
    delete (body.inputs as { flannel?: unknown }).flannel;
    (body.inputs as { nodes: unknown }).nodes = { kind: 'NodeList', items: [{ metadata: {} }] };

    let expected: unknown;
    try {
      runAudit(auditInputsFromRequest(body.inputs as unknown as RequestInputs));
      throw new Error('the in-process audit accepted the input');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      expected = inputErrorProblem(e).errors;
    }

    const r = await serve({ workers: 1, queueLimit: 1 });
    const res = await post(r, '/v1/audits', JSON.stringify(body));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { type: string; errors: unknown[] };
    expect(problem.type).toBe('/docs#problem-invalid-input');
    expect((expected as unknown[]).length).toBeGreaterThan(1);
    expect(problem.errors).toEqual(expected);
  });
});

describe('bounded work per request', () => {
  it('a report over --report-limit answers 422 report-too-large naming options.maxPairs, and stores nothing', async () => {
    const r = await serve({ workers: 1, queueLimit: 1 }, 4096);
    const res = await post(r, '/v1/audits', JSON.stringify(incidentBody({ maxPairs: 12 })));
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { type: string; detail: string; errors: { pointer: string; value: unknown; reason: string }[] };
    expect(problem.type).toBe('/docs#problem-report-too-large');
    expect(problem.errors).toEqual([{ pointer: '/options/maxPairs', value: 12, reason: problem.detail }]);
    expect(problem.detail).toMatch(/the report would be \d+ bytes of JSON, over the server's bound of 4096 bytes \(--report-limit\); lower options\.maxPairs/);
    expect((await r.t.deps.store.list({}, { limit: 10 })).items).toEqual([]);

    const whatif = await post(r, '/v1/whatif', JSON.stringify(whatifBody({ maxPairs: 12 })));
    expect(whatif.status).toBe(422);
    expect(((await whatif.json()) as { type: string }).type).toBe('/docs#problem-report-too-large');
  });

  it('the same audit under the bound is stored and answered whole', async () => {
    const r = await serve({ workers: 1, queueLimit: 1 });
    const res = await post(r, '/v1/audits', JSON.stringify(incidentBody({ maxPairs: 12 })));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { id: string; findings: { pairs: unknown[] }[] };
    expect(body.findings[0]!.pairs).toHaveLength(12);
    expect((await r.t.deps.store.get(body.id))?.report.findings[0]!.pairs).toHaveLength(12);
  });

  it('maxPairs over its documented maximum of 5,000 answers 422 validation-failed at /options/maxPairs', async () => {
    const t = await testApp();
    for (const [path, body] of [
      ['/v1/audits', incidentBody({ maxPairs: 5001 })],
      ['/v1/whatif', whatifBody({ maxPairs: 5001 })],
    ] as const) {
      const { default: request } = await import('supertest');
      const res = await request(t.app).post(path).set('Authorization', bearer('audit')).send(body);
      expect(res.status, path).toBe(422);
      expectConformsToSpec(res, path === '/v1/audits' ? 'createAudit' : 'createWhatif');
      expect(res.body.type).toBe('/docs#problem-validation-failed');
      expect(res.body.errors).toEqual([expect.objectContaining({ pointer: '/options/maxPairs', value: 5001 })]);
    }
  });
});

describe('pool settings', () => {
  it('default to the cores and twice as many queued; bad values are reported with where they came from', () => {
    const s = resolveSettings({}, {});
    expect(s.workers).toBeGreaterThanOrEqual(1);
    expect(s.queueLimit).toBeUndefined();
    expect(s.reportLimit).toBe(16 * 1024 * 1024);
    expect(resolveSettings({ workers: '3', queueLimit: '0', reportLimit: '2mb' }, {})).toMatchObject({ workers: 3, queueLimit: 0, reportLimit: 2 * 1024 * 1024 });
    expect(() => resolveSettings({ workers: '0' }, { SGAUDIT_QUEUE_LIMIT: 'many' })).toThrow(InputError);
    try {
      resolveSettings({ workers: '0' }, { SGAUDIT_QUEUE_LIMIT: 'many' });
    } catch (e) {
      expect((e as InputError).problems).toEqual([
        { document: '--workers', pointer: '', value: '0', reason: 'must be a whole number from 1 to 256' },
        { document: 'SGAUDIT_QUEUE_LIMIT', pointer: '', value: 'many', reason: 'must be a whole number from 0 to 10000' },
      ]);
    }
  });
});
