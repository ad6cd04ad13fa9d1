import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ClusterTarget } from '../../src/http/config-file.js';
import { createChangeTracker } from '../../src/http/watch/change-tracker.js';
import { DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import type { Verdict } from '../../src/model/evidence.js';
import type { AuditReport } from '../../src/model/report.js';
import { buildReport } from '../../src/report/build-report.js';
import { allowedCell, boundNode, cellOf, evaluationOf, nodeClass, securityGroup, sgEvidence, snapshotFor, VXLAN } from '../../src/report/testing/fixtures.js';
import { SUBNET_A, SUBNET_B } from '../../src/report/testing/scenarios.js';
import type { AuditOrigin } from '../../src/store/types.js';
import { bearer, testApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

const CLUSTERS: ClusterTarget[] = [{ name: 'prod', kubernetes: { kind: 'in-cluster' }, cloud: { provider: 'aws', region: 'eu-west-1' }, limits: DEFAULT_CALL_LIMITS }];

/** A real report (through buildReport) of a1,a2 in sg-a and b1..b3 in sg-b; `intoB` decides every pair into a b node. */
function report(intoB: Verdict): AuditReport {
  const a = nodeClass(1, [boundNode('a1', '172.16.10.11', ['sg-a']), boundNode('a2', '172.16.10.12', ['sg-a'])]);
  const b = nodeClass(2, ['b1', 'b2', 'b3'].map((n, i) => boundNode(n, `172.16.20.${11 + i}`, ['sg-b'])));
  const into = (s: typeof a) =>
    intoB === 'allowed' ? allowedCell(VXLAN, s, b) : cellOf(VXLAN, s, b, intoB, [sgEvidence('allowed', 'egress', ['sg-a']), sgEvidence(intoB, 'ingress', ['sg-b'])]);
  const evaluation = evaluationOf([VXLAN], [a, b], [allowedCell(VXLAN, a, a), into(a), allowedCell(VXLAN, b, a), into(b)]);
  const snapshot = snapshotFor({ evaluation, groups: [securityGroup('sg-a'), securityGroup('sg-b')], subnets: [SUBNET_A, SUBNET_B] });
  return buildReport(snapshot, evaluation, { maxPairs: 1000 });
}

const T = (minute: number): string => new Date(Date.UTC(2026, 0, 10, 12, minute)).toISOString();

/** What the webhook notifier reports for cluster prod (its real DeliveryStatus shape). */
const deliveries = [{ target: 'ops', event: 'blocked', auditId: 'a-1', deliveryId: '6f6cb51f-6e85-4d15-b2ff-edfad69b789a', outcome: 'delivered', attempts: 1, httpStatus: 200, at: T(1) }];

/** What the watch loop reports for cluster prod (its real WatchScheduleStatus shape). */
const schedule = {
  cluster: 'prod',
  intervalSeconds: 10,
  jitterSeconds: 1,
  probe: false,
  nextRunAt: T(5),
  running: null,
  lastRun: { trigger: 'interval', runKey: 'interval:7', startedAt: T(3), finishedAt: T(3), outcome: 'stored', auditId: 'a-1' },
  lastSuccessAt: T(3),
  consecutiveFailures: 0,
  lastBusy: null,
};

async function watchedApp() {
  const t = await testApp({ clusters: CLUSTERS, watchStatus: { deliveries: (c) => (c === 'prod' ? deliveries : []), schedule: (c) => (c === 'prod' ? schedule : undefined) } });
  let clock = 0;
  const tracker = createChangeTracker({ store: t.deps.store, metrics: t.deps.metrics, now: () => new Date(Date.UTC(2026, 0, 10, 13, clock++)) });
  /** What the watch loop does after a run: store the audit, then hand it to the tracker. */
  const runAt = async (minute: number, intoB: Verdict, origin: AuditOrigin = 'watch') => {
    const r = report(intoB);
    const head = { id: randomUUID(), createdAt: T(minute), cluster: 'prod', origin };
    await t.deps.store.save({ ...head, report: r });
    // Only watch runs reach the tracker; a live audit on request is stored and nothing more.
    if (origin !== 'watch') return { id: head.id, event: undefined };
    return { id: head.id, event: await tracker.onRunStored({ cluster: 'prod', auditId: head.id, createdAt: head.createdAt, report: r }) };
  };
  return { ...t, runAt };
}

describe('watch change tracking, status and change history', () => {
  it('a revoked rule: one blocked event naming the pairs and the rule, findings open since that run, then a resolved event', async () => {
    const t = await watchedApp();
    const empty = await request(t.app).get('/v1/clusters/prod/status').set('Authorization', bearer('read'));
    expect(empty.status).toBe(200);
    expectConformsToSpec(empty, 'getClusterStatus');
    expect(empty.body).toMatchObject({ cluster: 'prod', lastRun: null, openFindings: [], lastChange: null });

    expect((await t.runAt(0, 'allowed')).event).toBeUndefined(); // first run, nothing blocked: no news
    const revoked = await t.runAt(1, 'blocked');
    expect(revoked.event).toMatchObject({ cluster: 'prod', kind: 'blocked', auditId: revoked.id, summary: { blocked: 12, directedPairs: 20 } });
    expect(revoked.event?.changes.newlyBlocked).toHaveLength(12);
    expect(revoked.event?.changes.newRemediations.every((r) => r.target === 'sg-b' && r.flow === 'udp 8472')).toBe(true);
    expect((await t.runAt(2, 'blocked')).event).toBeUndefined(); // unchanged: no event, the streak goes on
    // An on-demand live audit is a run of the cluster too: the status shows it, the next watch run compares with it.
    const live = await t.runAt(3, 'blocked', 'live');

    const status = await request(t.app).get('/v1/clusters/prod/status').set('Authorization', bearer('read'));
    expect(status.status).toBe(200);
    expectConformsToSpec(status, 'getClusterStatus');
    expect(status.body.lastRun).toMatchObject({ auditId: live.id, createdAt: T(3), origin: 'live', summary: { blocked: 12 } });
    expect(status.body.openFindings).toEqual([expect.objectContaining({ verdict: 'blocked', target: expect.objectContaining({ id: 'sg-b' }), since: T(1) })]);
    expect(status.body.lastChange).toMatchObject({ kind: 'blocked', auditId: revoked.id });
    expect(status.body.webhooks).toEqual(deliveries);
    expect(status.body.watch).toEqual(schedule);

    const metrics = await t.deps.metrics.registry.metrics();
    expect(metrics).toContain('sgaudit_cluster_blocked_pairs{cluster="prod"} 12');
    expect(metrics).toContain('sgaudit_cluster_requirement_blocked_pairs{cluster="prod",requirement="flannel-vxlan"} 12');
    expect(metrics).toContain(`sgaudit_cluster_last_run_timestamp_seconds{cluster="prod"} ${Date.parse(T(2)) / 1000}`);
    expect(metrics).toContain('sgaudit_watch_changes_total{cluster="prod",kind="blocked"} 1');

    const restored = await t.runAt(4, 'allowed');
    expect(restored.event).toMatchObject({ kind: 'resolved', previousAuditId: live.id });
    expect(restored.event?.changes.resolved).toHaveLength(12);
    const after = await t.deps.metrics.registry.metrics();
    expect(after).toContain('sgaudit_cluster_blocked_pairs{cluster="prod"} 0');
    expect(after).toContain('sgaudit_cluster_requirement_blocked_pairs{cluster="prod",requirement="flannel-vxlan"} 0');
    const reopened = await t.runAt(5, 'unknown');
    expect(reopened.event?.kind).toBe('changed');
    const now = await request(t.app).get('/v1/clusters/prod/status').set('Authorization', bearer('read'));
    expect(now.body.openFindings).toEqual([expect.objectContaining({ verdict: 'unknown', since: T(5) })]);
  });

  it('lists the history newest first, page by page, as the spec says', async () => {
    const t = await watchedApp();
    await t.runAt(0, 'blocked');
    await t.runAt(1, 'allowed');
    await t.runAt(2, 'unknown');
    const kinds: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await request(t.app)
        .get('/v1/clusters/prod/changes')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set('Authorization', bearer('read'));
      expect(res.status).toBe(200);
      expectConformsToSpec(res, 'listClusterChanges');
      kinds.push(...(res.body.items as { kind: string }[]).map((i) => i.kind));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    expect(kinds).toEqual(['changed', 'resolved', 'blocked']);
    const bad = await request(t.app).get('/v1/clusters/prod/changes?cursor=nonsense').set('Authorization', bearer('read'));
    expect(bad.status).toBe(400);
    expectConformsToSpec(bad, 'listClusterChanges');
  });

  it('404 for a cluster not in the configuration, 401 without a token', async () => {
    const t = await watchedApp();
    for (const path of ['/v1/clusters/nope/status', '/v1/clusters/nope/changes']) {
      const res = await request(t.app).get(path).set('Authorization', bearer('read'));
      expect(res.status).toBe(404);
      expect(res.body.detail).toContain('no cluster named nope');
    }
    const anon = await request(t.app).get('/v1/clusters/prod/status');
    expect(anon.status).toBe(401);
    expectConformsToSpec(anon, 'getClusterStatus');
  });
});
