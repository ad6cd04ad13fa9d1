import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuditStore } from '../../src/store/types.js';
import { bearer, incidentBody, testApp, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

describe('problem+json error paths', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
  });
  const post = () => request(t.app).post('/v1/audits').set('Authorization', bearer('audit'));

  it('answers malformed JSON with 400 and the line and column', async () => {
    const res = await post().set('Content-Type', 'application/json').send('{"inputs": {"nodes": {}\n  "options": 1}');
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expectConformsToSpec(res, 'createAudit');
    expect(res.body).toMatchObject({ type: '/docs#problem-malformed-json', title: 'Malformed JSON', status: 400, instance: '/v1/audits' });
    expect(res.body.detail).toMatch(/line 2 column 3/);
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  });

  it('answers schema violations with 422 listing every failing field with its pointer and value', async () => {
    const body = { inputs: { nodes: {}, aws: {}, extra: true }, options: { maxPairs: 0, cluster: 'no spaces allowed' } };
    const res = await post().send(body);
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.type).toBe('/docs#problem-validation-failed');
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/inputs/extra', value: true, reason: 'is not a known property' },
        { pointer: '/inputs/aws', value: {}, reason: 'must be array' },
        { pointer: '/options/maxPairs', value: 0, reason: 'must be >= 1' },
        expect.objectContaining({ pointer: '/options/cluster', value: 'no spaces allowed' }),
      ]),
    );
  });

  it.each([
    ['a missing inputs object', {}, '/inputs', 'is required'],
    ['nodes given as a string', { inputs: { nodes: 'nodes.json' } }, '/inputs/nodes', 'must be object or array'],
    ['an empty nodes list', { inputs: { nodes: [] } }, '/inputs/nodes', 'must NOT have fewer than 1 items'],
    ['a body that is an array', [], '', 'must be object'],
  ])('422 for %s', async (_name, body, pointer, reason) => {
    const res = await post().send(body as object);
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.errors).toContainEqual(expect.objectContaining({ pointer, reason }));
  });

  it('maps core input errors (unknown document kind, invalid CIDR) to 422 with pointers into the request', async () => {
    const body = incidentBody();
    const aws = { SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: [{ IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: '10.0.0.0/33' }] }] }] };
    body.inputs.aws = [{ Unknown: [] }, aws];
    const res = await post().send(body);
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.type).toBe('/docs#problem-invalid-input');
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toContain('/inputs/aws/1/SecurityGroups/0/IpPermissions/0/IpRanges/0/CidrIp');
    expect(pointers.some((p: string) => p.startsWith('/inputs/aws/0'))).toBe(true);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ pointer: '/inputs/aws/1/SecurityGroups/0/IpPermissions/0/IpRanges/0/CidrIp', value: '10.0.0.0/33' }));
  });

  it('answers documents keyed by inherited names ("__proto__", "constructor") with 422, not 500', async () => {
    const body = incidentBody();
    // A raw JSON body: JSON.stringify of an object literal would drop a "__proto__" key.
    const raw = JSON.stringify(body).replace('"inputs":{', '"inputs":{"aws":[{"__proto__":[]},{"constructor":[]}],');
    const res = await post().set('Content-Type', 'application/json').send(raw);
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
    const pointers = res.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['/inputs/aws/0', '/inputs/aws/1']));
  });

  it('leaves values larger than 1 KB out of errors', async () => {
    const big = { kind: 'Mystery', padding: 'x'.repeat(5000) };
    const res = await post().send({ inputs: { nodes: big } });
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
    expect(JSON.stringify(res.body).length).toBeLessThan(2000);
  });

  it('answers a body over the limit with 413 before parsing it', async () => {
    t = await testApp({ bodyLimitBytes: 1024 });
    const res = await post().send({ inputs: { nodes: { padding: 'x'.repeat(2000) } } });
    expect(res.status).toBe(413);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.detail).toContain('1024 bytes');
  });

  it.each([
    ['text/plain', '{}'],
    ['application/x-www-form-urlencoded', 'inputs=1'],
    ['application/json; charset=latin1', '{}'],
  ])('answers Content-Type %s with 415', async (type, payload) => {
    const res = await post().set('Content-Type', type).send(payload);
    expect(res.status).toBe(415);
    expectConformsToSpec(res, 'createAudit');
  });

  it('answers a missing body with 422', async () => {
    const res = await post();
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
  });

  it('answers unknown routes with 404 and known paths with another method with 405 and Allow', async () => {
    const missing = await request(t.app).get('/v2/anything').set('Authorization', bearer('admin'));
    expect(missing.status).toBe(404);
    expect(missing.body.type).toBe('/docs#problem-not-found');
    const wrong = await request(t.app).delete('/v1/audits').set('Authorization', bearer('admin'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, POST, HEAD');
    expect(wrong.body.type).toBe('/docs#problem-method-not-allowed');
  });

  it('answers a badly encoded path with 400', async () => {
    const res = await request(t.app).get('/v1/audits/%E0%A4%A').set('Authorization', bearer('read'));
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });

  it('answers an internal failure with 500 that leaks no stack, and logs it with the request id', async () => {
    const failing: AuditStore = { ...t.deps.store, kind: 'sqlite', save: async () => { throw new Error('disk on fire at /var/secret/path'); } } as AuditStore;
    t = await testApp({ store: failing });
    const res = await post().set('X-Request-Id', 'req-500-test').send(incidentBody());
    expect(res.status).toBe(500);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.detail).toContain('req-500-test');
    expect(JSON.stringify(res.body)).not.toMatch(/disk on fire|secret|at .*\.ts/);
    expect(t.logs()).toContain('disk on fire');
    expect(t.logs()).toContain('"reqId":"req-500-test"');
  });

  it('honours a usable X-Request-Id and replaces an unusable one', async () => {
    const kept = await request(t.app).get('/healthz').set('X-Request-Id', 'abc-123');
    expect(kept.headers['x-request-id']).toBe('abc-123');
    const replaced = await request(t.app).get('/healthz').set('X-Request-Id', 'bad id\twith spaces');
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
