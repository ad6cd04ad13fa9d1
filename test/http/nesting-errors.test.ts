import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditStore } from '../../src/store/types.js';
import { bearer, incidentBody, testApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

describe('deeply nested request bodies', () => {
  it('answers {"inputs":{"nodes":[[[[…5,000 levels…]]]]}} with 400 nesting-too-deep and the pointer where it stopped', async () => {
    const { app } = await testApp();
    const raw = `{"inputs":{"nodes":${deep(5000)}}}`;
    const res = await request(app).post('/v1/audits').set('Authorization', bearer('audit')).set('Content-Type', 'application/json').send(raw);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.type).toBe('/docs#problem-nesting-too-deep');
    // Body 1, inputs 2, nodes 3, then 62 nested arrays: level 65 is nodes/0/…/0 with 62 zeros.
    expect(res.body.errors).toEqual([{ pointer: `/inputs/nodes${'/0'.repeat(62)}`, reason: 'nests deeper than 64 levels of arrays and objects, the most the server reads' }]);
  });

  it('answers the same depth inside a native AWS document field (IpPermissions) with 400, not 500', async () => {
    const { app } = await testApp();
    const body = incidentBody();
    const aws = JSON.stringify({ SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: '__DEEP__' }] }).replace('"__DEEP__"', deep(5000));
    const raw = JSON.stringify(body).replace('"inputs":{', `"inputs":{"aws":[${aws}],`).replace(/,"aws":\[[^\]]*?\]/, '');
    const res = await request(app).post('/v1/audits').set('Authorization', bearer('audit')).set('Content-Type', 'application/json').send(raw);
    expect(res.status).toBe(400);
    expectConformsToSpec(res, 'createAudit');
    expect(res.body.errors[0].pointer).toMatch(/^\/inputs\/aws\/0\/SecurityGroups\/0\/IpPermissions(\/0)+$/);
    expect(res.body.errors[0].pointer.split('/')).toHaveLength(65);
  });

  it('reads a body at the limit and judges it by the schema and the translators instead', async () => {
    const { app } = await testApp();
    const raw = `{"inputs":{"nodes":${deep(61)}}}`;
    const res = await request(app).post('/v1/audits').set('Authorization', bearer('audit')).set('Content-Type', 'application/json').send(raw);
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createAudit');
  });

  it('applies to the what-if body too', async () => {
    const { app } = await testApp();
    const res = await request(app).post('/v1/whatif').set('Authorization', bearer('audit')).set('Content-Type', 'application/json').send(`{"baseline":${deep(3000)}}`);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('/docs#problem-nesting-too-deep');
  });
});

describe('the error path itself cannot fail', () => {
  const savedEnv = process.env['NODE_ENV'];
  afterEach(() => {
    if (savedEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = savedEnv;
  });

  /** An error no code can look at: every property read, instanceof and key listing throws. */
  const untouchable = (): unknown =>
    new Proxy(
      {},
      {
        get: () => {
          throw new Error('stack-like secret at /srv/app/x.ts:1');
        },
        getPrototypeOf: () => {
          throw new Error('prototype secret');
        },
        ownKeys: () => {
          throw new Error('keys secret');
        },
        has: () => {
          throw new Error('has secret');
        },
      },
    );

  it.each(['production', 'development'])('answers an error no code can read with problem+json 500 (NODE_ENV=%s)', async (env) => {
    process.env['NODE_ENV'] = env;
    const base = await testApp();
    const store = { ...base.deps.store, kind: 'sqlite', save: async () => Promise.reject(untouchable()) } as AuditStore;
    const { app } = await testApp({ store });
    const res = await request(app).post('/v1/audits').set('Authorization', bearer('audit')).send(incidentBody());
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.text).not.toMatch(/<|secret|\.ts:|at /);
    expect(res.body.type).toBe('/docs#problem-internal-error');
  });

  it.each(['production', 'development'])('answers a failure while rendering the error with a bare problem+json 500 (NODE_ENV=%s)', async (env) => {
    process.env['NODE_ENV'] = env;
    const base = await testApp();
    // The logger breaks (a sink that throws): rendering the internal error logs it first, and fails.
    const broken = <T extends object>(logger: T): T =>
      new Proxy(logger, {
        get(target, prop, receiver) {
          if (prop === 'error') return () => { throw new Error('log sink broken at /srv/app/x.ts:1'); };
          if (prop === 'child') return (...args: unknown[]) => broken((target as unknown as { child: (...a: unknown[]) => object }).child(...args));
          return Reflect.get(target, prop, receiver) as unknown;
        },
      });
    const store = { ...base.deps.store, kind: 'sqlite', save: async () => { throw new Error('disk on fire'); } } as AuditStore;
    const { app } = await testApp({ store, logger: broken(base.deps.logger) });
    const res = await request(app).post('/v1/audits').set('Authorization', bearer('audit')).send(incidentBody());
    expect(res.status).toBe(500);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.text).not.toMatch(/<|broken|disk|\.ts:|at /);
    expect(res.body).toEqual({ type: '/docs#problem-internal-error', title: 'Internal server error', status: 500, detail: 'an unexpected error occurred while reporting an error; the server log has it' });
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it.each([
    ['gzip that is not gzip', { 'Content-Encoding': 'gzip' }, Buffer.from('definitely not gzip')],
    ['an unknown content encoding', { 'Content-Encoding': 'x-unknown' }, Buffer.from('{}')],
    ['invalid UTF-8', {}, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['a NUL byte outside a string', {}, Buffer.from('{"inputs":\u0000{}}')],
    ['a lone surrogate escape', {}, Buffer.from('{"inputs":{"nodes":"\\ud800"}}')],
  ])('answers a body with %s as problem+json, never express\'s HTML page', async (_name, headers, payload) => {
    for (const env of ['production', 'development']) {
      process.env['NODE_ENV'] = env;
      const { app } = await testApp();
      const res = await request(app).post('/v1/audits').set('Authorization', bearer('audit')).set('Content-Type', 'application/json').set(headers).send(payload);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.text).not.toMatch(/<html|<pre|node_modules/i);
    }
  });
});
