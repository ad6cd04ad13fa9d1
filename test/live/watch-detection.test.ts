/**
 * Issue #13's detection target, end to end: a real `sgaudit serve` watches a cluster (fake
 * Kubernetes API + moto, or + the real Keystone/neutron-server) every 5 s; someone revokes the
 * UDP 8472 rule of the nodes' security group through the cloud's own API, and a webhook
 * receiver on 127.0.0.1 must get a correctly signed `blocked` notification naming the pairs and
 * the exact rule to add within one interval plus the audit's own time; restoring the rule must
 * produce a `resolved` one. Nothing in sgaudit is injected: the production collector, watch
 * loop, change tracker and webhook delivery run as `sgaudit serve` runs them.
 */
import { dirname, join } from 'node:path';
import { AuthorizeSecurityGroupIngressCommand, RevokeSecurityGroupIngressCommand, type EC2Client, type IpPermission } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../src/http/server.js';
import type { ChangeEvent } from '../../src/model/run-changes.js';
import type { AuditReport } from '../../src/model/report.js';
import { buildTopology, randomBlock, threeNodeSpec, type Topology } from '../support/aws-topology.js';
import type { FakeApiServer } from '../support/fake-apiserver.js';
import { motoClient, motoReachable } from '../support/moto.js';
import { requireTier } from '../support/tier.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { CLOUDS_FILE, lockCloud, NAME_PREFIX, NeutronAdmin, openstackReachable } from './openstack-fixture.js';
import { allPairs, fakeCluster, getJson, nextWebhook, pairKeys, pollUntil, scopedEnv, SECRET, serveWatching } from './watch-detection-support.js';
import { motoProfileEnv } from '../support/live-cluster.js';

const [moto, openstack] = await Promise.all([motoReachable(), openstackReachable()]);
const awsOk = requireTier('aws-moto', moto.ok, moto.reason);
const openstackOk = requireTier('openstack', openstack.ok, openstack.reason);

const INTERVAL_S = 5;
/** The schema's minimum is 0; a little jitter keeps the schedule's randomised start in play. */
const JITTER_S = 0.1;
/** The audit's own time: a live audit of three nodes against moto or neutron-server takes well under this. */
const AUDIT_ALLOWANCE_S = 10;
const DETECTION_BOUND_MS = (INTERVAL_S + JITTER_S + AUDIT_ALLOWANCE_S) * 1000;

interface ClusterStatus {
  cluster: string;
  watch: { intervalSeconds: number; jitterSeconds: number; lastRun: { auditId?: string; startedAt: string; finishedAt: string; outcome: string } | null } | null;
  lastRun: { auditId: string; origin: string; summary: AuditReport['summary'] } | null;
  openFindings: { verdict: string; layer: string; target?: { id: string }; since: string }[];
  lastChange: ChangeEvent & { id: string } | null;
  webhooks: { target: string; event: string; auditId: string; outcome: string; attempts: number; httpStatus?: number }[];
}

/** What differs between the two clouds; the scenario is the same. */
interface Scenario {
  cluster: string;
  nodes: string[];
  groupId: string;
  /** The exact rule a fix must name: CLI fragments every proposed command for the group contains. */
  fixCli: RegExp[];
  revoke(): Promise<void>;
  restore(): Promise<void>;
}

/** Figures printed at the end, so each run reports its measured detection times. */
const figures: string[] = [];
afterAll(() => {
  if (figures.length > 0) console.log(`\nwatch detection (interval ${INTERVAL_S} s, jitter ${JITTER_S} s, bound ${DETECTION_BOUND_MS / 1000} s):\n  ${figures.join('\n  ')}\n`);
});

/** `detection` plus, when the schedule still shows the run that found it, that run's own time. */
function figure(what: string, elapsedMs: number, status: ClusterStatus, auditId: string): string {
  const run = status.watch?.lastRun;
  if (run?.auditId !== auditId) return `${what} ${(elapsedMs / 1000).toFixed(2)} s`;
  const auditMs = Date.parse(run.finishedAt) - Date.parse(run.startedAt);
  expect(auditMs).toBeLessThan(AUDIT_ALLOWANCE_S * 1000);
  return `${what} ${(elapsedMs / 1000).toFixed(2)} s (the detecting run took ${(auditMs / 1000).toFixed(2)} s)`;
}

/**
 * The shared steps as four ordered tests: quiet first run, revoke → `blocked`, restore →
 * `resolved`, and the status and change history that show both.
 */
function detectionTests(get: () => { server: RunningServer; receiver: WebhookReceiver; scenario: Scenario }): void {
  const firstRun = { auditId: '' };
  const events: { kind: string; auditId: string }[] = [];

  it('the first watch run finds every pair allowed and sends nothing', async () => {
    const { server, receiver, scenario } = get();
    const status = await pollUntil('the first watch run', (INTERVAL_S + JITTER_S + AUDIT_ALLOWANCE_S) * 1000, async () => {
      const s = await getJson<ClusterStatus>(server, `/v1/clusters/${scenario.cluster}/status`, 'getClusterStatus');
      return s.lastRun ? s : undefined;
    });
    const n = scenario.nodes.length;
    expect(status.lastRun).toMatchObject({ origin: 'watch', summary: { nodes: n, directedPairs: n * (n - 1), allowed: n * (n - 1), blocked: 0, unknown: 0 } });
    expect(status.watch).toMatchObject({ intervalSeconds: INTERVAL_S, jitterSeconds: JITTER_S });
    expect(status.openFindings).toEqual([]);
    // A first run on a healthy cluster reports nothing: no event is stored, so none is sent.
    expect(status.lastChange).toBeNull();
    expect(receiver.received).toEqual([]);
    firstRun.auditId = status.lastRun!.auditId;
  });

  it(`revoking UDP 8472: a signed "blocked" webhook naming every pair and the rule to add, within ${DETECTION_BOUND_MS / 1000} s`, async () => {
    const { server, receiver, scenario } = get();
    await scenario.revoke();
    const since = Date.now();
    // The first delivery of this server must be this one: the healthy first run sent nothing.
    const { hook, body, elapsedMs } = await nextWebhook(receiver, 0, since, DETECTION_BOUND_MS + 10_000);
    const afterBlocked = await getJson<ClusterStatus>(server, `/v1/clusters/${scenario.cluster}/status`, 'getClusterStatus');
    figures.push(figure(`${scenario.cluster}: revoke -> blocked webhook`, elapsedMs, afterBlocked, body.audit.id));
    expect(elapsedMs).toBeLessThan(DETECTION_BOUND_MS);

    expect(hook.verified, hook.rejection).toBe(true);
    expect(hook.headers['x-sgaudit-event']).toBe('blocked');
    expect(hook.headers['x-sgaudit-delivery']).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toMatchObject({ cluster: scenario.cluster, event: 'blocked', truncated: { lists: false, pairs: false } });
    const all = allPairs(scenario.nodes);
    expect(pairKeys(body.newlyBlocked)).toEqual(all);
    for (const p of body.newlyBlocked) expect(p).toMatchObject({ requirement: 'flannel-vxlan', before: 'allowed', after: 'blocked' });
    expect(body.counts).toMatchObject({ newlyBlocked: all.length, resolved: 0, newlyUnknown: 0, newFindings: 1, goneFindings: 0 });
    expect(body.summary).toMatchObject({ blocked: all.length, unknown: 0, allowed: 0, directedPairs: all.length });
    expect(body.newFindings).toEqual([
      expect.objectContaining({ verdict: 'blocked', requirement: 'flannel-vxlan', layer: 'security-group', target: expect.objectContaining({ id: scenario.groupId }), pairCount: all.length }),
    ]);
    expect(body.newFindings[0]!.reason).toMatch(/udp 8472/);
    // The exact rule: a fix on the revoked group whose command re-creates udp 8472 ingress.
    const fixes = body.fixes.filter((f) => f.target === scenario.groupId);
    expect(fixes.length).toBeGreaterThan(0);
    for (const f of fixes) {
      expect(f).toMatchObject({ direction: 'ingress', flow: 'udp 8472' });
      for (const fragment of scenario.fixCli) expect(f.cli).toMatch(fragment);
      expect(f.terraform).toContain('8472');
    }
    // The run it compared with is a stored healthy watch run; the new run is stored too.
    expect(body.previousAuditId).not.toBeNull();
    expect(body.previousAuditId).not.toBe(body.audit.id);
    expect(body.audit.url).toMatch(new RegExp(`/v1/audits/${body.audit.id}$`));
    const audit = await getJson<AuditReport & { origin: string; cluster: string }>(server, `/v1/audits/${body.audit.id}`, 'getAudit');
    expect(audit).toMatchObject({ origin: 'watch', cluster: scenario.cluster, summary: { blocked: all.length } });
    const previous = await getJson<AuditReport & { origin: string }>(server, `/v1/audits/${body.previousAuditId}`, 'getAudit');
    expect(previous).toMatchObject({ origin: 'watch', summary: { blocked: 0, allowed: all.length } });

    const status = await getJson<ClusterStatus>(server, `/v1/clusters/${scenario.cluster}/status`, 'getClusterStatus');
    expect(status.lastChange).toMatchObject({ kind: 'blocked', auditId: body.audit.id });
    expect(status.openFindings).toEqual([expect.objectContaining({ verdict: 'blocked', layer: 'security-group', target: expect.objectContaining({ id: scenario.groupId }) })]);
    events.push({ kind: 'blocked', auditId: body.audit.id });
  }, DETECTION_BOUND_MS + 30_000);

  it(`restoring it: a signed "resolved" webhook for the same pairs, within ${DETECTION_BOUND_MS / 1000} s`, async () => {
    const { server, receiver, scenario } = get();
    expect(events.map((e) => e.kind)).toEqual(['blocked']);
    await scenario.restore();
    const since = Date.now();
    const { hook, body, elapsedMs } = await nextWebhook(receiver, 1, since, DETECTION_BOUND_MS + 10_000);
    figures.push(figure(`${scenario.cluster}: restore -> resolved webhook`, elapsedMs, await getJson<ClusterStatus>(server, `/v1/clusters/${scenario.cluster}/status`, 'getClusterStatus'), body.audit.id));
    expect(elapsedMs).toBeLessThan(DETECTION_BOUND_MS);

    expect(hook.verified, hook.rejection).toBe(true);
    expect(hook.headers['x-sgaudit-event']).toBe('resolved');
    expect(hook.headers['x-sgaudit-delivery']).not.toBe(receiver.received[0]!.headers['x-sgaudit-delivery']);
    const all = allPairs(scenario.nodes);
    expect(body).toMatchObject({ cluster: scenario.cluster, event: 'resolved', newlyBlocked: [], fixes: [] });
    expect(pairKeys(body.resolved)).toEqual(all);
    for (const p of body.resolved) expect(p).toMatchObject({ requirement: 'flannel-vxlan', before: 'blocked', after: 'allowed' });
    expect(body.goneFindings).toEqual([expect.objectContaining({ verdict: 'blocked', target: expect.objectContaining({ id: scenario.groupId }) })]);
    expect(body.summary).toMatchObject({ blocked: 0, unknown: 0, allowed: all.length });
    // Compared with the blocked state: the run that sent "blocked" or a later unchanged one.
    const previous = await getJson<AuditReport>(server, `/v1/audits/${body.previousAuditId}`, 'getAudit');
    expect(previous.summary).toMatchObject({ blocked: all.length });
    events.push({ kind: 'resolved', auditId: body.audit.id });
  }, DETECTION_BOUND_MS + 30_000);

  it('status and /changes show exactly the two changes; both deliveries succeeded', async () => {
    const { server, receiver, scenario } = get();
    expect(events.map((e) => e.kind)).toEqual(['blocked', 'resolved']);
    const changes = await getJson<{ items: (ChangeEvent & { id: string })[]; nextCursor: string | null }>(server, `/v1/clusters/${scenario.cluster}/changes`, 'listClusterChanges');
    expect(changes.nextCursor).toBeNull();
    // Newest first.
    expect(changes.items.map((c) => ({ kind: c.kind, auditId: c.auditId }))).toEqual([...events].reverse());
    expect(changes.items[1]!.changes.newlyBlocked).toHaveLength(allPairs(scenario.nodes).length);
    expect(changes.items[0]!.changes.resolved).toHaveLength(allPairs(scenario.nodes).length);

    // The receiver answers before the service records the outcome: wait for the record.
    const status = await pollUntil('the resolved delivery in status', 5_000, async () => {
      const s = await getJson<ClusterStatus>(server, `/v1/clusters/${scenario.cluster}/status`, 'getClusterStatus');
      return s.webhooks.some((w) => w.event === 'resolved' && w.outcome === 'delivered') ? s : undefined;
    });
    expect(status.lastChange).toMatchObject({ kind: 'resolved', auditId: events[1]!.auditId });
    expect(status.openFindings).toEqual([]);
    expect(status.lastRun).toMatchObject({ origin: 'watch', summary: { blocked: 0, unknown: 0 } });
    expect(status.webhooks).toEqual([expect.objectContaining({ target: 'receiver', event: 'resolved', auditId: events[1]!.auditId, outcome: 'delivered', attempts: 1, httpStatus: 200 })]);
    // Unchanged runs since then sent nothing more; every request carried a valid signature.
    expect(receiver.received.map((r) => r.headers['x-sgaudit-event'])).toEqual(['blocked', 'resolved']);
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });
}

describe.skipIf(!awsOk)('watch detection: Kubernetes (fake API server) + AWS (moto)', () => {
  const PROFILE = 'sgaudit-moto';
  const CLUSTER = 'moto-watched';
  let client: EC2Client;
  let topo: Topology;
  let vxlan: IpPermission;
  let api: FakeApiServer | undefined;
  let receiver: WebhookReceiver | undefined;
  let server: RunningServer | undefined;
  let restoreEnv: (() => void) | undefined;

  beforeAll(async () => {
    client = motoClient();
    const b = randomBlock();
    topo = await buildTopology(client, threeNodeSpec(b, [
      { protocol: 'udp', port: 8472, from: { cidr: `10.${b}.0.0/16` } },
      { protocol: 'tcp', port: 22, from: { cidr: `10.${b}.0.0/16` } },
    ]));
    vxlan = { IpProtocol: 'udp', FromPort: 8472, ToPort: 8472, IpRanges: [{ CidrIp: `10.${b}.0.0/16` }] };
    const nodes = Object.keys(topo.ips).sort().map((name) => ({ name, ip: topo.ips[name]!, instanceId: topo.instanceIds[name]! }));
    const cluster = await fakeCluster(nodes);
    api = cluster.api;

    // Credentials only under the configured profile, as in rest-live-targets: the watch loop
    // must use the target's profile, or EC2 cannot be read.
    restoreEnv = await motoProfileEnv(PROFILE);
    receiver = await startWebhookReceiver(SECRET);
    server = await serveWatching(
      dirname(cluster.kubeconfig),
      CLUSTER,
      {
        kubernetes: { kubeconfig: cluster.kubeconfig, context: 'fake' },
        cloud: { provider: 'aws', region: 'us-east-1', profile: PROFILE, vpcIds: [topo.vpcId] },
        watch: { interval: INTERVAL_S, jitter: JITTER_S },
      },
      receiver.url,
    );
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await api?.close();
    restoreEnv?.();
  }, 30_000);

  detectionTests(() => ({
    server: server!,
    receiver: receiver!,
    scenario: {
      cluster: CLUSTER,
      nodes: Object.keys(topo.ips).sort(),
      groupId: topo.groupIds.nodes!,
      fixCli: [/^aws ec2 authorize-security-group-ingress /, new RegExp(`--group-id ${topo.groupIds.nodes} `), /IpProtocol=udp,FromPort=8472,ToPort=8472/],
      revoke: async () => {
        await client.send(new RevokeSecurityGroupIngressCommand({ GroupId: topo.groupIds.nodes, IpPermissions: [vxlan] }));
      },
      restore: async () => {
        await client.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: topo.groupIds.nodes, IpPermissions: [vxlan] }));
      },
    },
  }));
});

describe.skipIf(!openstackOk)('watch detection: Kubernetes (fake API server) + OpenStack (Keystone + neutron-server)', () => {
  const run = `${NAME_PREFIX}watch-${Date.now().toString(36)}-`;
  const CLUSTER = 'neutron-watched';
  const CIDR = '172.16.50.0/24';
  const NODES = [
    ['os-a', '172.16.50.11'],
    ['os-b', '172.16.50.12'],
    ['os-c', '172.16.50.13'],
  ] as const;
  const VXLAN = { direction: 'ingress', protocol: 'udp', port_range_min: 8472, port_range_max: 8472, remote_ip_prefix: CIDR };
  let admin: NeutronAdmin | undefined;
  let unlock: (() => void) | undefined;
  let api: FakeApiServer | undefined;
  let receiver: WebhookReceiver | undefined;
  let server: RunningServer | undefined;
  let restoreEnv: (() => void) | undefined;
  let groupId = '';
  let vxlanRuleId = '';

  beforeAll(async () => {
    unlock = await lockCloud();
    admin = await NeutronAdmin.connect();
    await admin.removeTestObjects(); // leftovers of an interrupted run would hold the fixed IPs

    const net = await admin.network(`${run}net`);
    const sub = await admin.subnet(`${run}sub`, net.id as string, CIDR);
    groupId = (await admin.group(`${run}k8s-nodes`)).id as string;
    vxlanRuleId = (await admin.rule(groupId, VXLAN)).id as string;
    await admin.rule(groupId, { direction: 'ingress', protocol: 'tcp', port_range_min: 22, port_range_max: 22, remote_ip_prefix: CIDR });
    for (const [name, ip] of NODES) await admin.port(`${run}${name}`, net.id as string, sub.id as string, ip, { security_groups: [groupId] });

    const cluster = await fakeCluster(NODES.map(([name, ip]) => ({ name, ip })));
    api = cluster.api;
    restoreEnv = scopedEnv(['OS_'], { OS_CLIENT_CONFIG_FILE: CLOUDS_FILE });
    receiver = await startWebhookReceiver(SECRET);
    server = await serveWatching(
      dirname(cluster.kubeconfig),
      CLUSTER,
      {
        kubernetes: { kubeconfig: cluster.kubeconfig, context: 'fake' },
        cloud: { provider: 'openstack', cloud: 'sgaudit-reader' },
        watch: { interval: INTERVAL_S, jitter: JITTER_S },
      },
      receiver.url,
    );
  }, 780_000); // includes waiting for another run's lock on the shared cloud

  afterAll(async () => {
    try {
      await server?.close();
      await receiver?.close();
      await api?.close();
      restoreEnv?.();
      await admin?.removeTestObjects(run);
    } finally {
      unlock?.();
    }
  }, 120_000);

  detectionTests(() => ({
    server: server!,
    receiver: receiver!,
    scenario: {
      cluster: CLUSTER,
      nodes: NODES.map(([name]) => name).sort(),
      groupId,
      fixCli: [/^openstack security group rule create /, /--ingress /, /--protocol udp /, /--dst-port 8472 /, new RegExp(` ${groupId}$`)],
      revoke: async () => {
        await admin!.call('DELETE', `security-group-rules/${vxlanRuleId}`);
      },
      restore: async () => {
        vxlanRuleId = (await admin!.rule(groupId, VXLAN)).id as string;
      },
    },
  }));
});
