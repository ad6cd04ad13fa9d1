/**
 * POST /v1/clusters/{name}/audits when the cloud hangs: the Kubernetes API (the fake API
 * server) answers, EC2 accepts connections and never answers. The collection deadline of the
 * cluster ends it; the stored report has every pair `unknown` with the cause, never `allowed`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';
import type { AuditReport } from '../../src/model/report.js';
import { flannelNode, startFakeApiServer, vxlanNetConf, writeKubeconfig, type FakeApiServer } from '../support/fake-apiserver.js';
import { startHungUpstream, type HungUpstream } from '../support/hung-upstream.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

const TOKEN = 'rest-hung-cloud-token-0123456789';
const AUTH = `Bearer ${TOKEN}`;
const KUBE_TOKEN = 'rest-hung-cloud-kube';
const DEADLINE_S = 2;

describe('REST live audit against a hung EC2 endpoint', () => {
  let api: FakeApiServer;
  let ec2: HungUpstream;
  let server: RunningServer;
  const saved = { ...process.env };

  beforeAll(async () => {
    api = await startFakeApiServer({
      token: KUBE_TOKEN,
      nodes: [flannelNode('a1', '10.77.1.10', '10.244.0.0/24', 'i-0a1'), flannelNode('a2', '10.77.1.11', '10.244.1.0/24', 'i-0a2'), flannelNode('b1', '10.77.2.10', '10.244.2.0/24', 'i-0b1')],
      configMaps: { 'kube-flannel/kube-flannel-cfg': { 'net-conf.json': vxlanNetConf('10.244.0.0/16') } },
    });
    ec2 = await startHungUpstream();
    // The SDK reads its endpoint and credentials from the environment, as the AWS CLI does.
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_EC2: ec2.url,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    });
    const dir = await mkdtemp(join(tmpdir(), 'sgaudit-hung-cloud-'));
    const config = join(dir, 'sgaudit.yaml');
    await writeFile(
      config,
      stringify({
        tokens: [{ name: 'faults', sha256: sha256(TOKEN).toString('hex'), scopes: ['audit', 'read'] }],
        defaults: { requestTimeout: 0.5 },
        clusters: { 'hung-ec2': { kubernetes: { kubeconfig: await writeKubeconfig(api.server, KUBE_TOKEN), context: 'fake' }, cloud: { provider: 'aws', region: 'us-east-1' }, deadline: DEADLINE_S } },
      }),
    );
    server = await startServer(resolveSettings({ port: '0', dataDir: ':memory:', config, logLevel: 'silent', workers: '1' } as never, {}), {});
  });

  afterAll(async () => {
    await server?.close();
    await api?.close();
    await ec2?.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('answers 201 within the deadline + 5 s, every pair unknown with "timed out after", and stores it', async () => {
    const started = Date.now();
    const res = await request(server.url).post('/v1/clusters/hung-ec2/audits').set('Authorization', AUTH).send({});
    const seconds = (Date.now() - started) / 1000;
    const body = res.body as AuditReport & { id: string };
    expect(res.status).toBe(201);
    expect(seconds).toBeLessThan(DEADLINE_S + 5);
    expectConformsToSpec(res, 'createClusterAudit');
    expect(body.summary).toMatchObject({ nodes: 3, directedPairs: 6, allowed: 0, blocked: 0, unknown: 6 });
    expect(body.findings.length).toBeGreaterThan(0);
    for (const f of body.findings) {
      expect(f.verdict).toBe('unknown');
      expect(f.reason).toMatch(/timed out after/);
    }
    expect(ec2.accepted()).toBeGreaterThan(0);
    expect(await ec2.allClosed(2000)).toBe(true);
    const got = await fetch(`${server.url}/v1/audits/${body.id}`, { headers: { Authorization: AUTH } });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { summary: unknown }).summary).toEqual(body.summary);
  });
});
