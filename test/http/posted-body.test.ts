import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Request } from 'express';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditPool } from '../../src/http/audit-pool.js';
import type { TaskOutcome } from '../../src/http/audit-task.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { auditInputsFromRequest, type RequestInputs } from '../../src/http/request-inputs.js';
import { postedBodyBytes } from '../../src/http/validate.js';
import { runAudit } from '../../src/pipeline/audit.js';
import { bearer, incidentBody, testApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

/**
 * Posted audit and what-if bodies travel to the worker as bytes and are read there. These tests
 * pin what that path adds over the HTTP suites (which pin the answers themselves): the bytes are
 * moved, not copied, and never the caller's shared memory; options read in the worker come back
 * to label metrics; encodings the body reader handled before still work.
 */

const pool = new AuditPool({ workers: 1, queueLimit: 4, warmThreads: 0 });
afterAll(() => pool.close());

const bytesOf = (text: string): ArrayBuffer => {
  const encoded = new TextEncoder().encode(text);
  const own = new ArrayBuffer(encoded.byteLength);
  new Uint8Array(own).set(encoded);
  return own;
};

describe('the body moves to the worker as bytes', () => {
  it('transfers the ArrayBuffer (detached here) and answers with the in-process report, its counts and the options the worker read', async () => {
    const body = incidentBody({ maxPairs: 3, cluster: 'prod-eu' });
    const bytes = bytesOf(JSON.stringify(body));
    const size = bytes.byteLength;
    const outcome = await pool.run({ kind: 'posted-audit', body: bytes, reportLimitBytes: 16 * 1024 * 1024 });
    // A transferred buffer is left empty on the sending side; a cloned one would keep its bytes.
    expect(size).toBeGreaterThan(1000);
    expect(bytes.byteLength).toBe(0);

    const expected = runAudit(auditInputsFromRequest(body.inputs as unknown as RequestInputs), { maxPairs: 3 }).report;
    expect(outcome.kind).toBe('report');
    const report = outcome as Extract<TaskOutcome, { kind: 'report' }>;
    expect(report.json).toBe(JSON.stringify(expected));
    expect(report.bytes).toBe(Buffer.byteLength(report.json));
    expect(report.counts).toEqual({ summary: expected.summary, findings: expected.findings.length, remediations: expected.remediations.length });
    expect(report.options).toEqual({ maxPairs: 3, cluster: 'prod-eu' });
  });

  it('answers an unreadable body with the problem as data, errors already bounded', async () => {
    const malformed = await pool.run({ kind: 'posted-audit', body: bytesOf('{"inputs": nope}'), reportLimitBytes: 1e6 });
    expect(malformed).toEqual({ kind: 'bad-request', problem: { kind: 'malformed-json', detail: 'the request body is not valid JSON: Unexpected token \'o\'' } });

    // A 5 KB value fails the schema: the entry crosses without it, as the problem document would send it.
    const big = await pool.run({ kind: 'posted-whatif', body: bytesOf(JSON.stringify({ inputs: { nodes: [] }, proposed: { aws: [] }, extra: 'x'.repeat(5000) })), reportLimitBytes: 1e6 });
    expect(big.kind).toBe('bad-request');
    const errors = (big as Extract<TaskOutcome, { kind: 'bad-request' }>).problem.errors ?? [];
    expect(errors).toContainEqual({ pointer: '/extra', reason: 'is not a known property' });
  });

  it('copies a body out of Node\'s shared buffer pool instead of handing that pool to a worker', () => {
    // A small Buffer is a slice of an 8 KB slab that other Buffers share.
    const pooled = Buffer.from('{"inputs":{}}');
    const neighbour = Buffer.from('still here');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.byteLength);
    const own = postedBodyBytes({ body: pooled } as Request);
    expect(own).not.toBe(pooled.buffer);
    expect(Buffer.from(own).toString()).toBe('{"inputs":{}}');
    // Transferring what was handed over must leave every other Buffer intact.
    structuredClone(own, { transfer: [own] });
    expect(own.byteLength).toBe(0);
    expect(pooled.toString()).toBe('{"inputs":{}}');
    expect(neighbour.toString()).toBe('still here');
    expect(postedBodyBytes({ body: undefined } as Request).byteLength).toBe(0);
  });
});

describe('posted bodies over HTTP', () => {
  const post = async (path: string, payload: string, headers: Record<string, string> = {}, metrics?: ApiMetrics) => {
    const t = await testApp(metrics ? { metrics } : {});
    return request(t.app).post(path).set('Authorization', bearer('audit')).set('Content-Type', 'application/json').set(headers).send(payload);
  };

  /** Raw bytes through a listening server: supertest would serialize a Buffer as JSON. */
  const postBytes = async (payload: Buffer, headers: Record<string, string>): Promise<{ status: number; body: { summary?: unknown } }> => {
    const t = await testApp();
    const server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/audits`;
      const res = await fetch(url, { method: 'POST', headers: { authorization: bearer('audit'), 'content-type': 'application/json', ...headers }, body: payload });
      return { status: res.status, body: (await res.json()) as { summary?: unknown } };
    } finally {
      server.close();
    }
  };

  it('labels the audit metrics with options.cluster, which only the worker read', async () => {
    const metrics = new ApiMetrics();
    const ok = await post('/v1/audits', JSON.stringify(incidentBody({ cluster: 'prod-eu' })), {}, metrics);
    expect(ok.status).toBe(201);
    expect(ok.body.cluster).toBe('prod-eu');
    const bad = incidentBody({ cluster: 'staging' });
    (bad.inputs as { nodes: unknown }).nodes = { kind: 'NodeList', items: [{ metadata: {} }] };
    const refused = await post('/v1/audits', JSON.stringify(bad), {}, metrics);
    expect(refused.status).toBe(422);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/^sgaudit_audits_total\{cluster="prod-eu",outcome="blocked"\} 1$/m);
    expect(text).toMatch(/^sgaudit_audits_total\{cluster="staging",outcome="invalid-input"\} 1$/m);
  });

  it('reads a gzip-encoded body and a body with a UTF-8 byte order mark', async () => {
    const json = JSON.stringify(incidentBody());
    const gz = await postBytes(gzipSync(json), { 'content-encoding': 'gzip' });
    expect(gz.status).toBe(201);
    const bom = await postBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)]), {});
    expect(bom.status).toBe(201);
    expect(gz.body.summary).toBeDefined();
    expect(bom.body.summary).toEqual(gz.body.summary);
  });

  it.each(['utf-8', 'UTF-8', '"utf-8"'])('accepts charset=%s', async (charset) => {
    const res = await post('/v1/audits', JSON.stringify(incidentBody()), { 'Content-Type': `application/json; charset=${charset}` });
    expect(res.status).toBe(201);
  });

  it.each(['utf-16le', 'utf-32', 'latin1'])('answers charset=%s with 415: the worker reads UTF-8, the one charset the API documents', async (charset) => {
    const res = await post('/v1/whatif', '{}', { 'Content-Type': `application/json; charset=${charset}` });
    expect(res.status).toBe(415);
    expectConformsToSpec(res, 'createWhatif');
    expect(res.body.detail).toBe(`unsupported charset "${charset.toUpperCase()}"`);
  });

  it('answers GET /v1/audits/{id} with the stored text, byte for byte what POST answered', async () => {
    const t = await testApp();
    const created = await request(t.app).post('/v1/audits').set('Authorization', bearer('audit')).send(incidentBody({ maxPairs: 7 }));
    expect(created.status).toBe(201);
    const read = await request(t.app).get(`/v1/audits/${created.body.id as string}`).set('Authorization', bearer('read'));
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toBe('application/json; charset=utf-8');
    expectConformsToSpec(read, 'getAudit');
    expect(read.text).toBe(created.text);
  });
});
