import request from 'supertest';
import { beforeAll, describe, expect, it } from 'vitest';
import { sha256, TokenVerifier } from '../../src/http/auth.js';
import { loadSpec } from '../../src/http/spec.js';
import { bearer, incidentBody, testApp, TOKENS, type TestApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

const spec = loadSpec();
const concrete = (path: string) => path.replace('{id}', '6f1c2b1e-0000-4000-8000-000000000000').replace('{name}', 'prod');
const guarded = spec.operations.filter((o) => o.scopes !== null);
const open = spec.operations.filter((o) => o.scopes === null);

describe('bearer auth over every operation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
  });
  const call = (op: (typeof guarded)[number]) => request(t.app)[op.method as 'get' | 'post'](concrete(op.path));

  it('guards every operation except the open ones: operations, docs and the web UI\'s data-free files', () => {
    expect(open.map((o) => o.path).sort()).toEqual(['/docs', '/healthz', '/openapi.yaml', '/readyz', '/ui', '/ui/ui.css', '/ui/ui.js']);
  });

  it.each(guarded.map((o) => [o.operationId, o] as const))('%s: 401 without a token, with a wrong one, with a malformed header', async (id, op) => {
    for (const header of [undefined, 'Bearer not-a-known-token-at-all', 'Basic dXNlcjpwYXNz', `Bearer ${TOKENS.admin} extra`]) {
      const req = call(op);
      if (header !== undefined) req.set('Authorization', header);
      const res = await req;
      expect(res.status, `${id} with ${header}`).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="sgaudit"/);
      expectConformsToSpec(res, id);
    }
  });

  it.each(guarded.map((o) => [o.operationId, o] as const))('%s: 403 for a token without the scope, admin passes', async (id, op) => {
    const needed = op.scopes![0]!;
    const lacking = (['read', 'audit', 'probe'] as const).filter((s) => s !== needed);
    for (const scope of lacking) {
      const res = await call(op).set('Authorization', bearer(scope));
      expect(res.status, `${id} with ${scope}`).toBe(403);
      expect(res.headers['www-authenticate']).toContain(`error="insufficient_scope", scope="${needed}"`);
      expectConformsToSpec(res, id);
    }
    for (const scope of [needed as keyof typeof TOKENS, 'admin' as const]) {
      const res = await call(op).set('Authorization', bearer(scope));
      expect([401, 403], `${id} with ${scope}`).not.toContain(res.status);
    }
  });

  it.each(open.map((o) => [o.operationId, o] as const))('%s is open', async (id, op) => {
    const res = await request(t.app).get(op.path);
    expect(res.status, id).toBe(200);
    expectConformsToSpec(res, id);
  });

  it('never writes a token to the log', async () => {
    await request(t.app).post('/v1/audits').set('Authorization', bearer('audit')).send(incidentBody());
    await request(t.app).get('/v1/audits').set('Authorization', 'Bearer wrong-token-that-must-not-leak');
    const logs = t.logs();
    expect(logs).toContain('"client":"audit-client"');
    for (const token of [...Object.values(TOKENS), 'wrong-token-that-must-not-leak']) expect(logs).not.toContain(token);
  });
});

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier([
    { name: 'a', sha256: sha256('token-a-0123456789'), scopes: ['read'] },
    { name: 'b', sha256: sha256('token-b-0123456789'), scopes: ['audit', 'read'] },
  ]);

  it.each([
    ['token-a-0123456789', 'a'],
    ['token-b-0123456789', 'b'],
    ['token-a-012345678', undefined],
    ['token-a-0123456789 ', undefined],
    ['', undefined],
  ])('%j -> %s', (token, name) => {
    expect(verifier.verify(token)?.name).toBe(name);
  });

  it('refuses duplicate tokens and digests of the wrong length at construction', () => {
    expect(() => new TokenVerifier([{ name: 'x', sha256: sha256('same'), scopes: ['read'] }, { name: 'y', sha256: sha256('same'), scopes: ['admin'] }])).toThrow(/x and y are the same token/);
    expect(() => new TokenVerifier([{ name: 'short', sha256: Buffer.alloc(16), scopes: ['read'] }])).toThrow(/32 bytes/);
  });
});
