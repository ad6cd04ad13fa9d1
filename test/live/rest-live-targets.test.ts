/**
 * Live tiers through the REST service: `sgaudit serve` is started from a configuration file
 * naming cluster targets, and POST /v1/clusters/{name}/audits runs the production collector
 * (src/http/live-collector.ts, nothing injected) against a fake Kubernetes API plus moto (AWS)
 * or the real Keystone + neutron-server (OpenStack). The cloud credentials come only from
 * what the configuration names (an AWS profile, a clouds.yaml entry), as in production.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { EC2Client } from '@aws-sdk/client-ec2';
import request, { type Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';
import type { AuditReport } from '../../src/model/report.js';
import { buildTopology, randomBlock, threeNodeSpec, type Topology } from '../support/aws-topology.js';
import type { FakeApiServer } from '../support/fake-apiserver.js';
import { fakeCluster, motoProfileEnv, scopedEnv } from '../support/live-cluster.js';
import { motoClient, motoReachable } from '../support/moto.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import { requireTier } from '../support/tier.js';
import { CLOUDS_FILE, lockCloud, NAME_PREFIX, NeutronAdmin, openstackReachable, proxiedCloud, type ProxiedCloud } from './openstack-fixture.js';

const [moto, openstack] = await Promise.all([motoReachable(), openstackReachable()]);
const awsOk = requireTier('aws-moto', moto.ok, moto.reason);
const openstackOk = requireTier('openstack', openstack.ok, openstack.reason);

const TOKEN = 'rest-live-targets-token-0123456789';
const AUTH = `Bearer ${TOKEN}`;

type Verdict = 'allowed' | 'blocked' | 'unknown';

/** Verdict per directed pair `src->dst` from the findings; pairs no finding names are allowed. */
function pairVerdicts(report: AuditReport): Record<string, Verdict> {
  const names = report.nodes.map((n) => n.name);
  const out: Record<string, Verdict> = {};
  for (const s of names) for (const d of names) if (s !== d) out[`${s}->${d}`] = 'allowed';
  for (const f of report.findings) {
    expect(f.pairsTruncated).toBe(false);
    for (const p of f.pairs) {
      const key = `${p.sourceNode}->${p.destinationNode}`;
      if (f.verdict === 'blocked' || out[key] === 'allowed') out[key] = f.verdict;
    }
  }
  return out;
}

/** Starts `sgaudit serve` on a free port with a configuration file holding one token and `clusters`. */
async function serve(configDir: string, clusters: Record<string, unknown>): Promise<RunningServer> {
  const config = join(configDir, 'sgaudit.yaml');
  await writeFile(config, stringify({ tokens: [{ name: 'rest-live-test', sha256: sha256(TOKEN).toString('hex'), scopes: ['audit', 'read'] }], clusters }));
  return startServer(resolveSettings({ port: '0', dataDir: ':memory:', config, logLevel: 'silent' }, {}), {});
}

async function auditCluster(server: RunningServer, name: string): Promise<Response> {
  const res = await request(server.url).post(`/v1/clusters/${name}/audits`).set('Authorization', AUTH).send({});
  expectConformsToSpec(res, 'createClusterAudit');
  return res;
}

/** The audit is stored: GET /v1/audits/{id} gives back the report the POST answered with. */
async function expectStored(server: RunningServer, created: Response, cluster: string): Promise<void> {
  expect(created.headers.location).toBe(`/v1/audits/${created.body.id}`);
  const got = await request(server.url).get(`/v1/audits/${created.body.id}`).set('Authorization', AUTH);
  expect(got.status).toBe(200);
  expectConformsToSpec(got, 'getAudit');
  expect(got.body).toEqual(created.body);
  const listed = await request(server.url).get(`/v1/audits?cluster=${cluster}`).set('Authorization', AUTH);
  expect(listed.status).toBe(200);
  expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([created.body.id]);
}



function nodesOf(topo: Topology): { name: string; ip: string; instanceId: string }[] {
  return Object.keys(topo.ips).sort().map((name) => ({ name, ip: topo.ips[name]!, instanceId: topo.instanceIds[name]! }));
}

describe.skipIf(!awsOk)('REST live targets: Kubernetes (fake API server) + AWS (moto)', () => {
  const PROFILE = 'sgaudit-moto';
  const apis: FakeApiServer[] = [];
  let server: RunningServer | undefined;
  let restoreEnv: (() => void) | undefined;
  let blockedTopo: Topology;
  let partialTopo: Topology;

  beforeAll(async () => {
    const client: EC2Client = motoClient();
    const b = randomBlock();
    blockedTopo = await buildTopology(client, threeNodeSpec(b, [
      { protocol: 'tcp', port: 8472, from: { cidr: `10.${b}.0.0/16` } },
      { protocol: 'tcp', port: 22, from: { cidr: `10.${b}.0.0/16` } },
    ]));
    const p = randomBlock();
    partialTopo = await buildTopology(
      client,
      threeNodeSpec(p, [{ protocol: 'udp', port: 8472, from: { prefixList: 'nodes-a' } }], { prefixLists: { 'nodes-a': [`10.${p}.1.0/24`] } }),
    );
    const blocked = await fakeCluster(nodesOf(blockedTopo));
    const partial = await fakeCluster(nodesOf(partialTopo));
    apis.push(blocked.api, partial.api);

    // Credentials exist only under the configured profile, and IMDS is off: if the target's
    // profile were not passed to the SDK, EC2 could not be read and the audit would say so.
    restoreEnv = await motoProfileEnv(PROFILE);

    const aws = (vpcId: string) => ({ provider: 'aws', region: 'us-east-1', profile: PROFILE, vpcIds: [vpcId] });
    server = await serve(dirname(blocked.kubeconfig), {
      // Relative to the configuration file, which sits beside this kubeconfig.
      'moto-blocked': { kubernetes: { kubeconfig: basename(blocked.kubeconfig), context: 'fake' }, cloud: aws(blockedTopo.vpcId) },
      'moto-partial': { kubernetes: { kubeconfig: partial.kubeconfig, context: 'fake' }, cloud: aws(partialTopo.vpcId) },
      // A profile with no credentials anywhere: every EC2 call fails, nothing can be judged.
      'moto-no-credentials': { kubernetes: { kubeconfig: partial.kubeconfig, context: 'fake' }, cloud: { ...aws(partialTopo.vpcId), profile: 'sgaudit-absent' } },
      // The kubeconfig's current context points at 127.0.0.1:1, where nothing listens.
      unreachable: { kubernetes: { kubeconfig: partial.kubeconfig }, cloud: aws(partialTopo.vpcId) },
    });
  });

  afterAll(async () => {
    await server?.close();
    await Promise.all(apis.map((a) => a.close()));
    restoreEnv?.();
  });

  it('lists the configured targets', async () => {
    const res = await request(server!.url).get('/v1/clusters').set('Authorization', AUTH);
    expect(res.status).toBe(200);
    expectConformsToSpec(res, 'listClusters');
    expect(res.body.items).toEqual([
      { name: 'moto-blocked', kubernetes: 'kubeconfig', cloud: 'aws', probe: false },
      { name: 'moto-no-credentials', kubernetes: 'kubeconfig', cloud: 'aws', probe: false },
      { name: 'moto-partial', kubernetes: 'kubeconfig', cloud: 'aws', probe: false },
      { name: 'unreachable', kubernetes: 'kubeconfig', cloud: 'aws', probe: false },
    ]);
  });

  it('UDP 8472 missing from the node group: 201, all 6 pairs blocked at that group, stored', async () => {
    const res = await auditCluster(server!, 'moto-blocked');
    expect(res.status).toBe(201);
    const report = res.body as AuditReport & { cluster: string; origin: string };
    expect(report).toMatchObject({ cluster: 'moto-blocked', origin: 'live' });
    expect(report.summary).toMatchObject({ nodes: 3, directedPairs: 6, blocked: 6, allowed: 0, unknown: 0 });
    expect(Object.values(pairVerdicts(report))).toEqual(Array(6).fill('blocked'));
    expect(report.findings[0]).toMatchObject({ layer: 'security-group', direction: 'ingress', protocol: 'udp', port: 8472 });
    expect(report.findings[0]!.target?.id).toBe(blockedTopo.groupIds.nodes);
    expect(report.remediations.map((r) => r.target.id)).toContain(blockedTopo.groupIds.nodes);
    // Read from the ConfigMap of the fake cluster, not assumed.
    expect(report.flannel).toMatchObject({ backend: 'vxlan', port: 8472, origin: 'configmap' });
    expect(apis[0]!.requests.some((r) => r.startsWith('/api/v1/nodes'))).toBe(true);
    await expectStored(server!, res, 'moto-blocked');
  });

  it('UDP 8472 through a prefix list of subnet a only: sources in b blocked, the rest allowed', async () => {
    const res = await auditCluster(server!, 'moto-partial');
    expect(res.status).toBe(201);
    const report = res.body as AuditReport;
    expect(pairVerdicts(report)).toEqual({
      'a1->a2': 'allowed',
      'a1->b1': 'allowed',
      'a2->a1': 'allowed',
      'a2->b1': 'allowed',
      'b1->a1': 'blocked',
      'b1->a2': 'blocked',
    });
    expect(report.summary).toMatchObject({ allowed: 4, blocked: 2, unknown: 0 });
    await expectStored(server!, res, 'moto-partial');
  });

  it('a profile without credentials: 201 with every pair unknown and the SDK\'s reason, never allowed', async () => {
    const res = await auditCluster(server!, 'moto-no-credentials');
    expect(res.status).toBe(201);
    const report = res.body as AuditReport;
    expect(report.summary).toMatchObject({ directedPairs: 6, allowed: 0, blocked: 0, unknown: 6 });
    expect(Object.values(pairVerdicts(report))).toEqual(Array(6).fill('unknown'));
    expect(report.findings.map((f) => f.reason)).toEqual(Array(3).fill(expect.stringContaining('DescribeNetworkInterfaces failed: CredentialsProviderError')));
  });

  it('an unknown cluster name: 404 problem+json, nothing collected', async () => {
    const before = apis.map((a) => a.requests.length);
    const res = await auditCluster(server!, 'not-configured');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, type: '/docs#problem-not-found' });
    expect(res.body.detail).toContain('not-configured');
    expect(apis.map((a) => a.requests.length)).toEqual(before);
  });

  it('a cluster whose Kubernetes API is unreachable: 502 problem+json naming the cluster and the cause, not stored', async () => {
    const res = await auditCluster(server!, 'unreachable');
    expect(res.status).toBe(502);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 502, type: '/docs#problem-collection-failed' });
    expect(res.body.detail).toMatch(/reading cluster unreachable failed: .*(ECONNREFUSED|127\.0\.0\.1:1)/);
    const listed = await request(server!.url).get('/v1/audits?cluster=unreachable').set('Authorization', AUTH);
    expect(listed.body.items).toEqual([]);
    const metrics = await request(server!.url).get('/metrics').set('Authorization', AUTH);
    expect(metrics.text).toContain('sgaudit_audits_total{cluster="unreachable",outcome="collection-failed"} 1');
  });
});

describe.skipIf(!openstackOk)('REST live targets: Kubernetes (fake API server) + OpenStack (Keystone + neutron-server)', () => {
  const run = `${NAME_PREFIX}rest-${Date.now().toString(36)}-`;
  const NODES = [
    ['master-0', '172.16.10.11'],
    ['worker-0', '172.16.10.85'],
    ['worker-1', '172.16.10.173'],
    ['worker-2', '172.16.10.201'],
  ] as const;
  let admin: NeutronAdmin | undefined;
  let unlock: (() => void) | undefined;
  let api: FakeApiServer | undefined;
  let server: RunningServer | undefined;
  let restoreEnv: (() => void) | undefined;
  let groupId = '';

  beforeAll(async () => {
    unlock = await lockCloud();
    admin = await NeutronAdmin.connect();
    await admin.removeTestObjects(); // leftovers of an interrupted run would hold the incident's fixed IPs

    // The incident: 4 nodes in 172.16.10.0/24 whose flannel rule was edited to tcp 8472.
    const net = await admin.network(`${run}incident`);
    const sub = await admin.subnet(`${run}incident`, net.id as string, '172.16.10.0/24');
    groupId = (await admin.group(`${run}k8s-nodes`)).id as string;
    await admin.rule(groupId, { direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' });
    await admin.rule(groupId, { direction: 'ingress', protocol: 'tcp', port_range_min: 8472, port_range_max: 8472, remote_ip_prefix: '172.16.10.0/24' });
    await admin.rule(groupId, { direction: 'ingress', protocol: 'tcp', port_range_min: 6443, port_range_max: 6443, remote_group_id: groupId });
    for (const [name, ip] of NODES) await admin.port(`${run}${name}`, net.id as string, sub.id as string, ip, { security_groups: [groupId] });

    const cluster = await fakeCluster(NODES.map(([name, ip]) => ({ name, ip })));
    api = cluster.api;
    // The collector finds clouds.yaml (and secure.yaml beside it) the way openstacksdk does.
    restoreEnv = scopedEnv(['OS_'], { OS_CLIENT_CONFIG_FILE: CLOUDS_FILE });
    server = await serve(dirname(cluster.kubeconfig), {
      incident: { kubernetes: { kubeconfig: cluster.kubeconfig, context: 'fake' }, cloud: { provider: 'openstack', cloud: 'sgaudit-reader' } },
      'no-such-cloud': { kubernetes: { kubeconfig: cluster.kubeconfig, context: 'fake' }, cloud: { provider: 'openstack', cloud: 'sgaudit-missing' } },
    });
  }, 780_000); // includes waiting for another run's lock

  afterAll(async () => {
    try {
      await server?.close();
      await api?.close();
      restoreEnv?.();
      await admin?.removeTestObjects(run);
    } finally {
      unlock?.();
    }
  }, 120_000);

  it('the incident: 201, 12 blocked pairs at the nodes\' group, stored', async () => {
    const res = await auditCluster(server!, 'incident');
    expect(res.status).toBe(201);
    const report = res.body as AuditReport & { cluster: string; origin: string };
    expect(report).toMatchObject({ cluster: 'incident', origin: 'live' });
    expect(report.summary).toMatchObject({ nodes: 4, directedPairs: 12, blocked: 12, allowed: 0, unknown: 0 });
    expect(Object.values(pairVerdicts(report))).toEqual(Array(12).fill('blocked'));
    expect(report.findings[0]).toMatchObject({ layer: 'security-group', direction: 'ingress', protocol: 'udp', port: 8472 });
    expect(report.findings[0]!.target?.id).toBe(groupId);
    expect(report.remediations.map((r) => r.target.id)).toContain(groupId);
    await expectStored(server!, res, 'incident');
  });

  it('a target naming a cloud clouds.yaml does not have: 502 problem+json naming the entry', async () => {
    const res = await auditCluster(server!, 'no-such-cloud');
    expect(res.status).toBe(502);
    expect(res.body).toMatchObject({ status: 502, type: '/docs#problem-collection-failed' });
    expect(res.body.detail).toContain('sgaudit-missing');
  });
});

describe.skipIf(!openstackOk)('REST live targets: OpenStack whose Neutron hangs (fault proxy in front of neutron-server)', () => {
  const DEADLINE_S = 3;
  let cloud: ProxiedCloud | undefined;
  let api: FakeApiServer | undefined;
  let server: RunningServer | undefined;
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    cloud = await proxiedCloud();
    // Keystone answers through its proxy; every Neutron request is accepted and never answered.
    cloud.neutron.setFaults([{ path: /./, action: { kind: 'hang' } }]);
    const cluster = await fakeCluster([
      { name: 'hang-0', ip: '172.16.40.11' },
      { name: 'hang-1', ip: '172.16.40.12' },
    ]);
    api = cluster.api;
    restoreEnv = scopedEnv(['OS_'], cloud.config.env as Record<string, string>);
    server = await serve(dirname(cluster.kubeconfig), {
      'neutron-hung': { kubernetes: { kubeconfig: cluster.kubeconfig, context: 'fake' }, cloud: { provider: 'openstack', cloud: 'sgaudit-reader' }, requestTimeout: 1, deadline: DEADLINE_S },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    await api?.close();
    restoreEnv?.();
    await cloud?.close();
  }, 60_000);

  it('201 within the deadline + 5 s, both pairs unknown with "timed out after", never allowed, stored', async () => {
    const started = Date.now();
    const res = await auditCluster(server!, 'neutron-hung');
    expect((Date.now() - started) / 1000).toBeLessThan(DEADLINE_S + 5);
    expect(res.status).toBe(201);
    const report = res.body as AuditReport;
    expect(report.summary).toMatchObject({ nodes: 2, directedPairs: 2, allowed: 0, blocked: 0, unknown: 2 });
    expect(Object.values(pairVerdicts(report))).toEqual(['unknown', 'unknown']);
    expect(report.findings.map((f) => f.reason).join(' ')).toMatch(/timed out after/);
    expect(cloud!.neutron.log.some((r) => r.outcome === 'hang')).toBe(true);
    await expectStored(server!, res, 'neutron-hung');
  });
});
