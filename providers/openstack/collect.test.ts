import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CollectionDeadline } from '../../src/model/deadline.js';
import { collectOpenstack } from './collect.js';
import { createHttpClient, type HttpOptions } from './http.js';
import { KeystoneError, KeystoneSession } from './keystone.js';
import { resolveOpenstackCloud } from './config.js';

/**
 * A scripted Keystone + Neutron on 127.0.0.1: enough to drive retries, re-login and failure
 * mapping, which the real services (test/live/openstack.test.ts) cannot be made to produce.
 */
type Answer = { status: number; body: unknown; headers?: Record<string, string> };
/** `hang`: accept and never answer, like a stuck upstream. */
type Handler = (path: string, query: URLSearchParams, req: IncomingMessage) => Answer | 'hang' | undefined;

let server: Server | undefined;
afterEach(
  () =>
    new Promise<void>((done) => {
      if (!server) return done();
      server.close(() => done());
      server.closeAllConnections(); // hung requests
    }),
);

async function fakeCloud(neutron: Handler, opts: { tokenTtlMs?: number } = {}) {
  const log: string[] = [];
  let logins = 0;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    log.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v3/auth/tokens' && req.method === 'POST') {
      logins += 1;
      const base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
      const expires = new Date(Date.now() + (opts.tokenTtlMs ?? 3_600_000)).toISOString();
      return send(201, { token: { expires_at: expires, project: { id: 'p1' }, catalog: [{ type: 'network', endpoints: [{ interface: 'public', region_id: 'R1', url: base }] }] } }, { 'x-subject-token': `tok-${logins}` });
    }
    const answer = neutron(url.pathname.replace(/^\/v2\.0\//, ''), url.searchParams, req);
    if (answer === 'hang') return;
    if (answer) return send(answer.status, answer.body, answer.headers);
    const key = url.pathname.replace(/^\/v2\.0\//, '').replace(/-/g, '_');
    // subnets by id exist unless a test says otherwise; everything else is empty
    const subnets = key === 'subnets' ? url.searchParams.getAll('id').map((id) => ({ id, cidr: '10.0.0.0/24', ip_version: 4 })) : [];
    return send(200, { [key]: subnets });
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const env = { OS_AUTH_URL: `http://127.0.0.1:${port}/v3`, OS_USER_ID: 'u1', OS_PASSWORD: 'pw', OS_PROJECT_ID: 'p1' };
  const collect = (
    vtepIps: string[],
    extra: { pageSize?: number; batchSize?: number; deadline?: CollectionDeadline; serverIds?: string[]; http?: HttpOptions } = {},
  ) => collectOpenstack({ vtepIps, http: { retries: 2, backoffScale: 0.001, timeoutMs: 2000 }, ...extra, config: { env, cwd: '/nonexistent', home: '/nonexistent' } });
  return { collect, log, logins: () => logins };
}

const port = (id: string, ip: string, groups: string[]) => ({ id, fixed_ips: [{ subnet_id: 'sn1', ip_address: ip }], security_groups: groups });
const group = (id: string, rules: unknown[] = []) => ({ id, stateful: true, security_group_rules: rules });

describe('collectOpenstack against a scripted cloud', () => {
  it('retries 503 and 429 and then succeeds; counts each request once', async () => {
    let calls = 0;
    const cloud = await fakeCloud((path) => {
      if (path !== 'ports') return undefined;
      calls += 1;
      if (calls === 1) return { status: 503, body: { NeutronError: { message: 'busy' } } };
      if (calls === 2) return { status: 429, body: {}, headers: { 'retry-after': '0' } };
      return { status: 200, body: { ports: [port('p1', '10.0.0.1', [])] } };
    });
    const result = await cloud.collect(['10.0.0.1']);
    expect(result.unavailable).toEqual([]);
    expect(calls).toBe(3);
    expect((result.documents[0]!.body as { ports: unknown[] }).ports).toHaveLength(1);
    expect(result.requests).toBe(2); // ports (3 attempts, one request) + subnets
  });

  it('a batch that keeps failing makes exactly its addresses unavailable, with the error', async () => {
    const cloud = await fakeCloud((path, q) => {
      if (path !== 'ports') return undefined;
      const ips = q.getAll('fixed_ips');
      if (ips.includes('ip_address=10.0.0.3')) return { status: 500, body: { NeutronError: { message: 'db gone' } } };
      return { status: 200, body: { ports: ips.map((f, i) => port(`p${i}`, f.slice('ip_address='.length), [])) } };
    });
    const result = await cloud.collect(['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'], { batchSize: 2 });
    // sorted batches: [.1, .2] ok, [.3, .4] failed
    expect(result.unavailable.map((u) => [u.kind, u.ip])).toEqual([
      ['network-interface', '10.0.0.3'],
      ['network-interface', '10.0.0.4'],
    ]);
    expect(result.unavailable[0]!.reason).toMatch(/HTTP 500 Internal Server Error: db gone \(3 attempts\)/);
  });

  it('a group Neutron does not return, and rules it cannot list, are unavailable by id', async () => {
    const cloud = await fakeCloud((path, q) => {
      if (path === 'ports' && q.has('fixed_ips')) return { status: 200, body: { ports: [port('p1', '10.0.0.1', ['g1', 'g2'])] } };
      if (path === 'security-groups') return { status: 200, body: { security_groups: [group('g1')] } };
      if (path === 'security-group-rules') return { status: 403, body: { NeutronError: { message: 'rule:get_security_group_rule is disallowed by policy' } } };
      return undefined;
    });
    const result = await cloud.collect(['10.0.0.1']);
    expect(result.unavailable.map((u) => [u.kind, u.id])).toEqual([
      ['security-group', 'g2'],
      ['security-group', 'g1'],
      ['security-group', 'g2'],
    ]);
    expect(result.unavailable[0]!.reason).toContain('Neutron returned no security-group g2');
    expect(result.unavailable[1]!.reason).toMatch(/rules of security group g1: .*HTTP 403 .*disallowed by policy .*reader role/);
  });

  it('follows remote groups and reads their members, subnets and address groups', async () => {
    const cloud = await fakeCloud((path, q) => {
      if (path === 'ports' && q.has('fixed_ips')) return { status: 200, body: { ports: [port('p1', '10.0.0.1', ['g1'])] } };
      if (path === 'ports' && q.has('security_groups')) return { status: 200, body: { ports: [port('p1', '10.0.0.1', ['g1']), port('m1', '10.0.0.9', ['g2'])] } };
      if (path === 'security-groups') {
        const all: Record<string, unknown> = {
          g1: group('g1', [{ id: 'r1', security_group_id: 'g1', remote_group_id: 'g2' }]),
          g2: group('g2', [{ id: 'r2', security_group_id: 'g2', remote_address_group_id: 'ag1' }]),
        };
        return { status: 200, body: { security_groups: q.getAll('id').map((id) => all[id]) } };
      }
      if (path === 'subnets') return { status: 200, body: { subnets: [{ id: 'sn1', cidr: '10.0.0.0/24', ip_version: 4 }] } };
      if (path === 'address-groups') return { status: 200, body: { address_groups: [{ id: 'ag1', addresses: ['10.9.0.0/16'] }] } };
      return undefined;
    });
    const result = await cloud.collect(['10.0.0.1']);
    expect(result.unavailable).toEqual([]);
    const ids = Object.fromEntries(result.documents.map((d) => [d.name, Object.values(d.body as Record<string, { id: string }[]>)[0]!.map((x) => x.id)]));
    expect(ids).toEqual({
      'live:openstack/ports': ['p1', 'm1'],
      'live:openstack/security-groups': ['g1', 'g2'],
      'live:openstack/security-group-rules': [],
      'live:openstack/subnets': ['sn1'],
      'live:openstack/address-groups': ['ag1'],
    });
    expect(cloud.log.filter((l) => l.includes('security_groups=')).length).toBe(1);
  });

  it('pages with limit + marker and stops on the empty page after a full one', async () => {
    const all = [port('a', '10.0.0.1', []), port('b', '10.0.0.2', [])];
    const cloud = await fakeCloud((path, q) => {
      if (path !== 'ports') return undefined;
      const start = q.has('marker') ? all.findIndex((p) => p.id === q.get('marker')) + 1 : 0;
      const page = all.slice(start, start + Number(q.get('limit')));
      const links = page.length ? [{ rel: 'next', href: `http://internal-name:9696/v2.0/ports?${q.getAll('fixed_ips').map((f) => `fixed_ips=${encodeURIComponent(f)}`).join('&')}&limit=1&marker=${page.at(-1)!.id}` }] : [];
      return { status: 200, body: { ports: page, ports_links: links } };
    });
    const result = await cloud.collect(['10.0.0.1', '10.0.0.2'], { pageSize: 1 });
    expect((result.documents[0]!.body as { ports: unknown[] }).ports).toHaveLength(2);
    expect(cloud.log.filter((l) => l.startsWith('GET /v2.0/ports'))).toEqual([
      'GET /v2.0/ports?fixed_ips=ip_address%3D10.0.0.1&fixed_ips=ip_address%3D10.0.0.2&limit=1',
      'GET /v2.0/ports?fixed_ips=ip_address%3D10.0.0.1&fixed_ips=ip_address%3D10.0.0.2&limit=1&marker=a',
      'GET /v2.0/ports?fixed_ips=ip_address%3D10.0.0.1&fixed_ips=ip_address%3D10.0.0.2&limit=1&marker=b',
    ]);
  });

  it('logs in again exactly once when Neutron answers 401', async () => {
    let rejected = false;
    const cloud = await fakeCloud((path, _q, req) => {
      if (path === 'ports' && !rejected) {
        rejected = true;
        return { status: 401, body: {} };
      }
      expect(req.headers['x-auth-token']).toBe('tok-2');
      return undefined;
    });
    const result = await cloud.collect(['10.0.0.1']);
    expect(result.unavailable).toEqual([]);
    expect(cloud.logins()).toBe(2);
  });

  it('logs in again before the token expires', async () => {
    // 60 s left is inside the refresh margin, so each request needs a fresh login
    const cloud = await fakeCloud(() => undefined, { tokenTtlMs: 60_000 });
    const result = await cloud.collect(['10.0.0.1']);
    expect(result.requests).toBe(1);
    expect(cloud.logins()).toBe(3); // endpoint lookup, then the ports request (no subnets: no ports)
  });

  it('a rejected login is a KeystoneError, not an empty collection', async () => {
    const cloud = await fakeCloud(() => undefined);
    server!.removeAllListeners('request');
    server!.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 401, message: 'The request you have made requires authentication.' } }));
    });
    await expect(cloud.collect(['10.0.0.1'])).rejects.toThrow(KeystoneError);
    await expect(cloud.collect(['10.0.0.1'])).rejects.toThrow(/HTTP 401 Unauthorized: The request you have made requires authentication\.; password login of user id u1 to project id p1/);
  });

  it('a stuck Neutron: the deadline stops the request in flight, the rest is not sent, and it returns', async () => {
    const cloud = await fakeCloud((path) => (path === 'ports' ? 'hang' : undefined));
    const deadline = new CollectionDeadline({ requestTimeoutMs: 5000, deadlineMs: 400 });
    const started = Date.now();
    const result = await cloud.collect(['10.0.0.1', '10.0.0.2'], { batchSize: 1, serverIds: ['srv-1'], deadline });
    deadline.dispose();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.unavailable.map((u) => u.reason)).toEqual([
      expect.stringMatching(/^ports with address 10\.0\.0\.1: GET http:\/\/127\.0\.0\.1:\d+\/v2\.0\/ports\?fixed_ips=ip_address%3D10\.0\.0\.1 failed: timed out after 0\.4 s \(collection deadline\)$/),
      'ports with address 10.0.0.2: not read: timed out after 0.4 s (collection deadline)',
      'ports of server srv-1: not read: timed out after 0.4 s (collection deadline)',
    ]);
    expect(cloud.log.filter((l) => l.startsWith('GET /v2.0/ports'))).toHaveLength(1);
  });

  it('a per-request timeout is retried, and after the last attempt says so in seconds', async () => {
    const cloud = await fakeCloud((path) => (path === 'ports' ? 'hang' : undefined));
    const deadline = new CollectionDeadline({ requestTimeoutMs: 100, deadlineMs: 60_000 });
    const result = await cloud.collect(['10.0.0.1'], { deadline });
    deadline.dispose();
    expect(result.unavailable).toHaveLength(1);
    expect(result.unavailable[0]!.reason).toMatch(/failed: ETIMEDOUT: timed out after 0\.1 s \(3 attempts\)$/);
    expect(cloud.log.filter((l) => l.startsWith('GET /v2.0/ports'))).toHaveLength(3);
  });

  it('a caller that cancels stops the collection with its reason', async () => {
    const cloud = await fakeCloud((path) => (path === 'ports' ? 'hang' : undefined));
    const parent = new AbortController();
    const deadline = new CollectionDeadline({ requestTimeoutMs: 5000, deadlineMs: 60_000 }, parent.signal);
    setTimeout(() => parent.abort(new Error('client disconnected')), 100);
    const result = await cloud.collect(['10.0.0.1'], { deadline });
    deadline.dispose();
    expect(result.unavailable[0]!.reason).toMatch(/failed: cancelled: client disconnected$/);
  });

  it('a backoff that would end past the deadline is not waited for', async () => {
    const cloud = await fakeCloud((path) => (path === 'ports' ? { status: 503, body: {} } : undefined));
    // got's first backoff is 1 s; 0.8 s are left
    const deadline = new CollectionDeadline({ requestTimeoutMs: 60_000, deadlineMs: 800 });
    const started = Date.now();
    const result = await cloud.collect(['10.0.0.1'], { deadline, http: { retries: 3, backoffScale: 1 } });
    deadline.dispose();
    expect(Date.now() - started).toBeLessThan(500);
    expect(result.unavailable[0]!.reason).toMatch(/failed: HTTP 503 Service Unavailable$/);
    expect(cloud.log.filter((l) => l.startsWith('GET /v2.0/ports'))).toHaveLength(1);
  });

  it('Keystone not listening: no exception, every node unavailable with the connection error', async () => {
    const cloud = await fakeCloud(() => undefined);
    await new Promise<void>((done) => server!.close(() => done()));
    server = undefined;
    const result = await cloud.collect(['10.0.0.2', '10.0.0.1'], { serverIds: ['srv-1'] });
    expect(result.requests).toBe(0);
    expect(result.cloud.neutronUrl).toBeUndefined();
    expect(result.unavailable.map((u) => [u.kind, u.ip ?? u.instanceId])).toEqual([
      ['network-interface', '10.0.0.1'],
      ['network-interface', '10.0.0.2'],
      ['network-interface', 'srv-1'],
    ]);
    expect(result.unavailable[0]!.reason).toMatch(/^ports with address 10\.0\.0\.1: not read, Keystone could not be reached: Keystone login failed at .*: ECONNREFUSED: .* \(3 attempts\)/);
  });

  it('a Keystone login that times out is a KeystoneError marked unreachable and timedOut', async () => {
    const cloud = await fakeCloud(() => undefined);
    server!.removeAllListeners('request');
    server!.on('request', () => undefined); // accept, never answer
    void cloud;
    const port = (server!.address() as AddressInfo).port;
    const os = resolveOpenstackCloud({ env: { OS_AUTH_URL: `http://127.0.0.1:${port}/v3`, OS_USER_ID: 'u1', OS_PASSWORD: 'pw', OS_PROJECT_ID: 'p1' }, cwd: '/nonexistent', home: '/nonexistent' });
    const deadline = new CollectionDeadline({ requestTimeoutMs: 100, deadlineMs: 60_000 });
    const session = new KeystoneSession(os, createHttpClient(os.tls, { retries: 1, backoffScale: 0.001 }, deadline));
    const error = await session.token().catch((e: unknown) => e);
    deadline.dispose();
    expect(error).toBeInstanceOf(KeystoneError);
    expect(error).toMatchObject({ failure: 'unreachable', timedOut: true, status: undefined });
    expect((error as Error).message).toMatch(/ETIMEDOUT: timed out after 0\.1 s \(2 attempts\)/);
  });
});
