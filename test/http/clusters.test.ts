import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ClusterTarget } from '../../src/http/config-file.js';
import type { LiveCollector } from '../../src/http/live-collector.js';
import { ClientClosed } from '../../src/http/request-state.js';
import { auditInputsFromRequest } from '../../src/http/request-inputs.js';
import { DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import { AccessError, InputError } from '../../src/model/source.js';
import { bearer, incidentBody, testApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

const CLUSTERS: ClusterTarget[] = [
  { name: 'edge', kubernetes: { kind: 'in-cluster' }, cloud: { provider: 'aws', region: 'eu-west-1' }, limits: DEFAULT_CALL_LIMITS },
  {
    name: 'prod',
    kubernetes: { kind: 'kubeconfig', kubeconfig: '/etc/sgaudit/prod.kubeconfig', context: 'prod' },
    cloud: { provider: 'openstack', cloud: 'prod-cloud' },
    limits: { requestTimeoutMs: 5000, deadlineMs: 30_000 },
  },
];

/** Stands in for the live providers: the incident exports, as if read from the APIs. */
const incidentCollector: LiveCollector = async () => ({
  inputs: auditInputsFromRequest(incidentBody().inputs as never, 'live:test'),
  warnings: [{ code: 'test-note', message: 'collected by the test collector' }],
});

describe('configured clusters', () => {
  it('lists names and kinds, never credentials or files', async () => {
    const t = await testApp({ clusters: CLUSTERS });
    const res = await request(t.app).get('/v1/clusters').set('Authorization', bearer('read'));
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'listClusters');
    expect(res.body).toEqual({
      items: [
        { name: 'edge', kubernetes: 'in-cluster', cloud: 'aws', probe: false },
        { name: 'prod', kubernetes: 'kubeconfig', cloud: 'openstack', probe: false },
      ],
    });
    expect(res.text).not.toContain('context');
    expect(res.text).not.toContain('/etc/sgaudit');
  });

  it('audits a configured cluster live, stores it under its name, and adds collection notes', async () => {
    const seen: string[] = [];
    const t = await testApp({ clusters: CLUSTERS, collectLive: async (target, signal) => (seen.push(target.name), incidentCollector(target, signal)) });
    const res = await request(t.app).post('/v1/clusters/prod/audits').set('Authorization', bearer('audit')).send({ options: { maxPairs: 1 } });
    expect(res.status).toBe(201);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(seen).toEqual(['prod']);
    expect(res.body).toMatchObject({ cluster: 'prod', origin: 'live', summary: { blocked: 12 } });
    expect(res.body.findings[0].pairs).toHaveLength(1);
    expect(res.body.warnings).toContainEqual({ code: 'test-note', message: 'collected by the test collector' });
    const listed = await request(t.app).get('/v1/audits?cluster=prod').set('Authorization', bearer('read'));
    expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([res.body.id]);
  });

  it('needs no body', async () => {
    const t = await testApp({ clusters: CLUSTERS, collectLive: incidentCollector });
    const res = await request(t.app).post('/v1/clusters/edge/audits').set('Authorization', bearer('audit'));
    expect(res.status).toBe(201);
    expectConformsToSpec(res, 'createClusterAudit');
  });

  it('answers 404 for a name not in the configuration, whatever the caller sends', async () => {
    const t = await testApp({ clusters: CLUSTERS, collectLive: incidentCollector });
    const res = await request(t.app).post('/v1/clusters/elsewhere/audits').set('Authorization', bearer('audit')).send({});
    expect(res.status).toBe(404);
    expectConformsToSpec(res, 'createClusterAudit');
  });

  it('rejects anything but options in the body, so no endpoint or credential can be passed', async () => {
    const t = await testApp({ clusters: CLUSTERS, collectLive: incidentCollector });
    const res = await request(t.app).post('/v1/clusters/prod/audits').set('Authorization', bearer('audit')).send({ server: 'https://evil.example', token: 'x' });
    expect(res.status).toBe(422);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(res.body.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(['/server', '/token']);
  });

  it('answers 501 when this build has no live collection', async () => {
    const t = await testApp({ clusters: CLUSTERS, collectLive: undefined });
    const res = await request(t.app).post('/v1/clusters/prod/audits').set('Authorization', bearer('audit'));
    expect(res.status).toBe(501);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(res.body.type).toBe('/docs#problem-not-implemented');
  });

  it.each([
    ['the collector fails outright', async () => { throw new Error('connect ECONNREFUSED 10.0.0.1:6443'); }, /ECONNREFUSED/],
    ['the collector reports unusable configuration', async () => { throw new InputError([{ document: 'clouds.yaml', pointer: '/clouds/prod', reason: 'no auth_url' }]); }, /no auth_url/],
    ['the cluster returns unusable documents', async () => ({ inputs: auditInputsFromRequest({ nodes: { kind: 'Pod' } }, 'live:test'), warnings: [] }), /cannot use/],
  ] as [string, LiveCollector, RegExp][])('answers 502 when %s, and counts it', async (_name, collectLive, detail) => {
    const t = await testApp({ clusters: CLUSTERS, collectLive });
    const res = await request(t.app).post('/v1/clusters/prod/audits').set('Authorization', bearer('audit'));
    expect(res.status).toBe(502);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(res.body.detail).toMatch(detail);
    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toContain('sgaudit_audits_total{cluster="prod",outcome="collection-failed"} 1');
  });

  it('hands the collector the target\'s own limits and a live signal', async () => {
    const seen: { limits: unknown; aborted: boolean }[] = [];
    const t = await testApp({ clusters: CLUSTERS, collectLive: async (target, signal) => (seen.push({ limits: target.limits, aborted: signal.aborted }), incidentCollector(target, signal)) });
    const res = await request(t.app).post('/v1/clusters/prod/audits').set('Authorization', bearer('audit'));
    expect(res.status).toBe(201);
    expect(seen).toEqual([{ limits: { requestTimeoutMs: 5000, deadlineMs: 30_000 }, aborted: false }]);
  });

  it('answers 504 upstream-timeout when the Kubernetes API did not answer in time, and counts it', async () => {
    const timedOut = new AccessError('the Kubernetes API of cluster prod did not answer: timed out after 30 s (collection deadline)');
    timedOut.timedOut = true;
    const t = await testApp({ clusters: CLUSTERS, collectLive: async () => { throw timedOut; } });
    const res = await request(t.app).post('/v1/clusters/prod/audits').set('Authorization', bearer('audit'));
    expect(res.status).toBe(504);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: '/docs#problem-upstream-timeout', status: 504 });
    expect(res.body.detail).toBe('reading cluster prod timed out: the Kubernetes API of cluster prod did not answer: timed out after 30 s (collection deadline)');
    expect(await t.deps.metrics.registry.metrics()).toContain('sgaudit_audits_total{cluster="prod",outcome="collection-failed"} 1');
  });

  it('an AccessError that is not a timeout stays 502', async () => {
    const t = await testApp({ clusters: CLUSTERS, collectLive: async () => { throw new AccessError('nodes is forbidden'); } });
    const res = await request(t.app).post('/v1/clusters/prod/audits').set('Authorization', bearer('audit'));
    expect(res.status).toBe(502);
    expect(res.body.detail).toBe('reading cluster prod failed: nodes is forbidden');
  });

  it('aborts the collector\'s signal when the client disconnects, and stores nothing', async () => {
    let sawAbort: (reason: unknown) => void = () => undefined;
    const aborted = new Promise<unknown>((resolve) => (sawAbort = resolve));
    let entered: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (entered = resolve));
    // Like a provider: ends as soon as its signal aborts, with whatever it had (here: nothing usable).
    const collectLive: LiveCollector = (_target, signal) =>
      new Promise((_resolve, reject) => {
        entered();
        signal.addEventListener('abort', () => {
          sawAbort(signal.reason);
          reject(new Error('aborted'));
        });
      });
    const t = await testApp({ clusters: CLUSTERS, collectLive });
    const server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new AbortController();
      const call = fetch(`http://127.0.0.1:${port}/v1/clusters/prod/audits`, { method: 'POST', headers: { Authorization: bearer('audit') }, signal: client.signal });
      await started;
      client.abort();
      await expect(call).rejects.toThrow();
      const reason = await Promise.race([aborted, new Promise((r) => setTimeout(() => r('not aborted within 2 s'), 2000))]);
      expect(reason).toBeInstanceOf(ClientClosed);
      await new Promise((r) => setTimeout(r, 50));
      const listed = await request(t.app).get('/v1/audits?cluster=prod').set('Authorization', bearer('read'));
      expect(listed.body.items).toEqual([]);
      expect(t.logs()).toContain('live audit cancelled');
      expect(t.logs()).not.toContain('live collection failed');
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
