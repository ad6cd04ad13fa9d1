import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logging.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { WebhookSecret, type WebhookTarget } from '../../src/http/watch/webhook-config.js';
import { MAX_LISTED, type WebhookPayload } from '../../src/http/watch/webhook-payload.js';
import { createNotifier, type Notifier, type NotifierOptions } from '../../src/http/watch/webhooks.js';
import type { ChangeEvent, PairChange } from '../../src/model/run-changes.js';
import { changeKind, compareRuns } from '../../src/report/compare-runs.js';
import { startHungUpstream, type HungUpstream } from '../support/hung-upstream.js';
import { incidentReport } from '../support/sample-report.js';
import { startWebhookReceiver, verifySignature, type Reply, type WebhookReceiver } from '../support/webhook-receiver.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const LINKS = { audit: 'https://sgaudit.example/v1/audits/a-2', ticket: 'https://sgaudit.example/v1/audits/a-2/ticket' };
/** Fast enough for tests, with the same shape as the defaults. */
const QUICK = { requestTimeoutMs: 1_000, maxAttempts: 4, deadlineMs: 5_000, backoffMs: 20, maxBackoffMs: 100 };

let blockedEvent: ChangeEvent;

beforeAll(async () => {
  // A real first run of the bundled incident: UDP 8472 blocked between the OpenStack nodes.
  const report = await incidentReport();
  const changes = compareRuns(undefined, report);
  const kind = changeKind(changes);
  if (kind === undefined) throw new Error('the incident report should be a change');
  blockedEvent = { cluster: 'prod', kind, at: '2025-01-02T03:04:05.000Z', auditId: 'a-2', previousAuditId: null, summary: { blocked: report.summary.blocked, unknown: report.summary.unknown, allowed: report.summary.allowed, directedPairs: report.summary.directedPairs }, changes };
});

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

function target(url: string, extra: Partial<WebhookTarget> = {}): WebhookTarget {
  return { name: 'ops', url, secretEnv: 'SGAUDIT_WEBHOOK_SECRET', secret: new WebhookSecret(Buffer.from(SECRET)), format: 'json', ...extra };
}

function notifierFor(targets: WebhookTarget[], extra: Partial<NotifierOptions> = {}): { notifier: Notifier; metrics: ApiMetrics; logs: string[] } {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const metrics = new ApiMetrics();
  const notifier = createNotifier(targets, { logger: createLogger('debug', sink), metrics, policy: QUICK, ...extra });
  open.push(notifier);
  return { notifier, metrics, logs };
}

async function receiver(replies: Reply[] = []): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(SECRET, replies);
  open.push(r);
  return r;
}

/** Polls until the notifier has settled a status for the cluster's targets. */
async function settled(notifier: Notifier, cluster: string, count = 1, ms = 8_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const list = notifier.deliveries(cluster);
    if (list.length >= count) return list;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no delivery status for ${cluster} within ${ms} ms`);
}

async function counter(metrics: ApiMetrics, target: string, outcome: string): Promise<number> {
  const m = (await metrics.registry.getSingleMetric('sgaudit_webhook_deliveries_total')?.get())?.values.find((v) => v.labels.target === target && v.labels.outcome === outcome);
  return m?.value ?? 0;
}

describe('webhook notifications', () => {
  it('POSTs a signed JSON payload naming the newly blocked pairs and the exact rule', async () => {
    const r = await receiver();
    const { notifier, metrics, logs } = notifierFor([target(r.url)]);
    notifier.notify(blockedEvent, LINKS);
    const [got] = await r.waitFor(1);
    expect(got?.verified, got?.rejection).toBe(true);
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['x-sgaudit-event']).toBe('blocked');
    expect(got?.headers['x-sgaudit-delivery']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Math.abs(Number(got?.headers['x-sgaudit-timestamp']) - Date.now() / 1000)).toBeLessThan(5);

    const body = JSON.parse(got?.raw ?? '') as WebhookPayload;
    const c = blockedEvent.changes;
    expect(c.newlyBlocked.length).toBeGreaterThan(0);
    expect(body).toMatchObject({ cluster: 'prod', event: 'blocked', at: blockedEvent.at, audit: { id: 'a-2', url: LINKS.audit }, ticket: { url: LINKS.ticket }, previousAuditId: null, summary: blockedEvent.summary });
    expect(body.newlyBlocked).toEqual(c.newlyBlocked);
    expect(body.counts.newlyBlocked).toBe(c.newlyBlocked.length);
    expect(body.newFindings.map((f) => f.id)).toEqual(c.newFindings.map((f) => f.id));
    expect(body.fixes.length).toBe(c.newRemediations.length);
    // The incident's missing rule: UDP 8472 into the nodes' security group.
    expect(body.fixes.some((f) => /openstack security group rule create/.test(f.cli) && /--protocol udp/.test(f.cli) && /8472/.test(f.cli))).toBe(true);
    expect(body.fixes[0]?.terraform).toMatch(/resource "/);

    const [status] = await settled(notifier, 'prod');
    expect(status).toMatchObject({ target: 'ops', event: 'blocked', auditId: 'a-2', outcome: 'delivered', attempts: 1, httpStatus: 200, deliveryId: got?.headers['x-sgaudit-delivery'] });
    expect(await counter(metrics, 'ops', 'delivered')).toBe(1);
    // Neither the secret nor the URL (which carries a token) reaches the log.
    const text = logs.join('');
    expect(text).toContain('webhook: delivered');
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('receiver-path-token');
  });

  it('signs the exact bytes it sends: the receiver refuses a changed body, an old timestamp or another secret', async () => {
    const r = await receiver();
    const { notifier } = notifierFor([target(r.url)]);
    notifier.notify(blockedEvent, LINKS);
    const [got] = await r.waitFor(1);
    if (!got) throw new Error('nothing received');
    expect(verifySignature(SECRET, got.headers, got.raw)).toBeUndefined();
    expect(verifySignature(SECRET, got.headers, got.raw.replace('"prod"', '"prue"'))).toBe('signature mismatch');
    expect(verifySignature('another-secret-0123456789', got.headers, got.raw)).toBe('signature mismatch');
    expect(verifySignature(SECRET, got.headers, got.raw, Number(got.headers['x-sgaudit-timestamp']) + 301)).toBe('timestamp outside the window');
  });

  it('retries a 500 with backoff and delivers on the third attempt, under one delivery id', async () => {
    const r = await receiver([{ status: 500, body: 'db down' }, { status: 503 }, { status: 200 }]);
    const { notifier, metrics, logs } = notifierFor([target(r.url)]);
    notifier.notify(blockedEvent, LINKS);
    const got = await r.waitFor(3);
    expect(got.every((g) => g.verified)).toBe(true);
    expect(new Set(got.map((g) => g.headers['x-sgaudit-delivery'])).size).toBe(1);
    // Backoff: QUICK waits 10-20 ms, then 20-40 ms.
    expect((got[1]?.at ?? 0) - (got[0]?.at ?? 0)).toBeGreaterThanOrEqual(9);
    const [status] = await settled(notifier, 'prod');
    expect(status).toMatchObject({ outcome: 'delivered', attempts: 3, httpStatus: 200 });
    expect(status?.error).toBeUndefined();
    expect(await counter(metrics, 'ops', 'delivered')).toBe(1);
    expect(await counter(metrics, 'ops', 'failed')).toBe(0);
    expect(logs.join('')).toContain('HTTP 500: db down');
  });

  it('does not retry a 400: the receiver refuses the request itself', async () => {
    const r = await receiver([{ status: 400, body: 'unknown field "fixes"' }]);
    const { notifier, metrics } = notifierFor([target(r.url)]);
    notifier.notify(blockedEvent, LINKS);
    const [status] = await settled(notifier, 'prod');
    expect(status).toMatchObject({ outcome: 'failed', attempts: 1, httpStatus: 400, error: 'HTTP 400: unknown field "fixes"' });
    await new Promise((res) => setTimeout(res, 150));
    expect(r.received).toHaveLength(1);
    expect(await counter(metrics, 'ops', 'failed')).toBe(1);
  });

  it('does not follow a redirect: notifications go to the configured URL only', async () => {
    const r = await receiver([{ status: 302, headers: { Location: 'http://127.0.0.1:9/elsewhere' } }]);
    const { notifier } = notifierFor([target(r.url)]);
    notifier.notify(blockedEvent, LINKS);
    const [status] = await settled(notifier, 'prod');
    expect(status).toMatchObject({ outcome: 'failed', attempts: 1, httpStatus: 302 });
    expect(status?.error).toMatch(/redirects are not followed/);
  });

  it('times out a hung receiver and retries within the deadline', async () => {
    const r = await receiver(['hang']);
    const { notifier } = notifierFor([target(r.url)], { policy: { ...QUICK, requestTimeoutMs: 200, maxAttempts: 3, deadlineMs: 3_000 } });
    const started = Date.now();
    notifier.notify(blockedEvent, LINKS);
    const [status] = await settled(notifier, 'prod');
    const took = Date.now() - started;
    expect(status).toMatchObject({ outcome: 'failed', attempts: 3 });
    expect(status?.error).toBe('no answer within 200 ms; gave up after 3 attempts');
    expect(r.received).toHaveLength(3);
    expect(r.received.every((g) => g.verified)).toBe(true);
    expect(took).toBeGreaterThanOrEqual(600);
    expect(took).toBeLessThan(3_000);
  });

  it('closes the connection of a timed-out attempt instead of leaving it open', async () => {
    const hung: HungUpstream = await startHungUpstream();
    open.push(hung);
    const { notifier } = notifierFor([target(`${hung.url}/hook`)], { policy: { ...QUICK, requestTimeoutMs: 200, maxAttempts: 1 } });
    notifier.notify(blockedEvent, LINKS);
    expect((await settled(notifier, 'prod'))[0]).toMatchObject({ outcome: 'failed', attempts: 1, error: 'no answer within 200 ms; gave up after 1 attempt' });
    expect(await hung.allClosed(2_000)).toBe(true);
  });

  it('stops at the total deadline, however many attempts are left', async () => {
    const hung = await startHungUpstream();
    open.push(hung);
    const { notifier } = notifierFor([target(hung.url)], { policy: { ...QUICK, requestTimeoutMs: 300, maxAttempts: 50, deadlineMs: 800 } });
    const started = Date.now();
    notifier.notify(blockedEvent, LINKS);
    const [status] = await settled(notifier, 'prod');
    expect(Date.now() - started).toBeLessThan(1_300);
    expect(status?.outcome).toBe('failed');
    expect(status?.attempts).toBeLessThan(50);
    expect(status?.error).toMatch(/deadline/);
  });

  it('honours Retry-After on a 429, and gives up at once when it points past the deadline', async () => {
    const r = await receiver([{ status: 429, headers: { 'Retry-After': '1' } }, { status: 200 }]);
    const { notifier } = notifierFor([target(r.url)]);
    notifier.notify(blockedEvent, LINKS);
    const got = await r.waitFor(2, 5_000);
    expect((got[1]?.at ?? 0) - (got[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect((await settled(notifier, 'prod'))[0]).toMatchObject({ outcome: 'delivered', attempts: 2 });

    const far = await receiver([{ status: 503, headers: { 'Retry-After': '3600' } }]);
    const second = notifierFor([target(far.url)]).notifier;
    second.notify(blockedEvent, LINKS);
    const [status] = await settled(second, 'prod', 1, 2_000);
    expect(status).toMatchObject({ outcome: 'failed', attempts: 1, httpStatus: 503 });
    expect(status?.error).toBe('HTTP 503; Retry-After asks for 3600 s, beyond the delivery deadline');
  });

  it('sends a signed Slack-compatible body for format: slack', async () => {
    const r = await receiver();
    const { notifier } = notifierFor([target(r.url, { name: 'chat', format: 'slack' })]);
    notifier.notify(blockedEvent, LINKS);
    const [got] = await r.waitFor(1);
    expect(got?.verified, got?.rejection).toBe(true);
    const body = JSON.parse(got?.raw ?? '') as { text: string; blocks: { type: string; text?: { type: string; text: string } }[] };
    const n = blockedEvent.changes.newlyBlocked.length;
    expect(body.text).toBe(`sgaudit prod: ${n} pairs newly blocked — ${LINKS.audit}`);
    expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `sgaudit prod: ${n} pairs newly blocked` } });
    const mrkdwn = body.blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(mrkdwn).toContain(`<${LINKS.audit}|audit a-2>`);
    const first = blockedEvent.changes.newlyBlocked[0] as PairChange;
    expect(mrkdwn).toContain(`• ${first.sourceNode} → ${first.destinationNode}`);
    expect(mrkdwn).toMatch(/```openstack security group rule create[^`]*8472/);
    expect(body.blocks.length).toBeLessThanOrEqual(50);
  });

  it('sends nothing to a target filtered out by cluster or by event', async () => {
    const r = await receiver();
    const other = await receiver();
    const { notifier } = notifierFor([
      target(other.url, { name: 'staging-only', clusters: ['staging'] }),
      target(other.url, { name: 'resolved-only', events: ['resolved'] }),
      target(r.url, { name: 'prod-blocked', clusters: ['prod'], events: ['blocked'] }),
    ]);
    notifier.notify(blockedEvent, LINKS);
    await r.waitFor(1);
    const statuses = await settled(notifier, 'prod');
    await new Promise((res) => setTimeout(res, 200));
    expect(other.received).toHaveLength(0);
    expect(statuses.map((s) => s.target)).toEqual(['prod-blocked']);
    expect(notifier.deliveries('staging')).toEqual([]);

    notifier.notify({ ...blockedEvent, kind: 'resolved' }, LINKS);
    await other.waitFor(1);
    expect(other.received[0]?.headers['x-sgaudit-event']).toBe('resolved');
    expect(r.received).toHaveLength(1);
  });

  it('lists at most MAX_LISTED entries per list, with exact counts', async () => {
    const r = await receiver();
    const { notifier } = notifierFor([target(r.url)]);
    const many: PairChange[] = Array.from({ length: MAX_LISTED + 25 }, (_, i) => ({ sourceNode: `n${i}`, destinationNode: 'n-x', requirement: 'flannel-vxlan', before: 'allowed', after: 'blocked' }));
    notifier.notify({ ...blockedEvent, changes: { ...blockedEvent.changes, newlyBlocked: many } }, LINKS);
    const [got] = await r.waitFor(1);
    const body = JSON.parse(got?.raw ?? '') as WebhookPayload;
    expect(body.newlyBlocked).toHaveLength(MAX_LISTED);
    expect(body.counts.newlyBlocked).toBe(MAX_LISTED + 25);
    expect(body.truncated.lists).toBe(true);
  });

  it('never throws into the schedule and never waits for a receiver', async () => {
    // A port nothing listens on: connection refused.
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const a = s.address() as { port: number };
        s.close(() => resolve(a.port));
      });
    });
    const hung = await startHungUpstream();
    open.push(hung);
    const { notifier, metrics } = notifierFor([target(`http://127.0.0.1:${port}/hook`, { name: 'refused' }), target(hung.url, { name: 'hung' })], {
      policy: { ...QUICK, requestTimeoutMs: 300, maxAttempts: 2 },
    });
    const started = performance.now();
    notifier.notify(blockedEvent, LINKS);
    expect(performance.now() - started).toBeLessThan(50);
    // Malformed events (no changes at all) are logged, not thrown.
    expect(() => notifier.notify({ ...blockedEvent, changes: undefined } as unknown as ChangeEvent, LINKS)).not.toThrow();
    expect(() => notifier.notify(undefined as unknown as ChangeEvent, LINKS)).not.toThrow();
    const statuses = await settled(notifier, 'prod', 2);
    expect(statuses.find((s) => s.target === 'refused')).toMatchObject({ outcome: 'failed', attempts: 2, error: 'ECONNREFUSED; gave up after 2 attempts' });
    expect(statuses.find((s) => s.target === 'hung')).toMatchObject({ outcome: 'failed', attempts: 2 });
    expect(await counter(metrics, 'refused', 'failed')).toBe(1);
    await notifier.close();
    expect(() => notifier.notify(blockedEvent, LINKS)).not.toThrow();
  });

  it('drops the oldest waiting notification when a target queue is full, with a metric', async () => {
    const r = await receiver([{ status: 200, delayMs: 300 }]);
    const { notifier, metrics } = notifierFor([target(r.url)], { queueLimit: 2 });
    for (const id of ['a-1', 'a-2', 'a-3', 'a-4']) notifier.notify({ ...blockedEvent, auditId: id }, LINKS);
    // a-1 is in flight; a-2 was pushed out by a-4.
    const got = await r.waitFor(3, 5_000);
    expect(got.map((g) => (JSON.parse(g.raw) as WebhookPayload).audit.id)).toEqual(['a-1', 'a-3', 'a-4']);
    expect(await counter(metrics, 'ops', 'dropped')).toBe(1);
    const until = Date.now() + 3_000;
    while ((await counter(metrics, 'ops', 'delivered')) < 3 && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
    expect(notifier.deliveries('prod')[0]).toMatchObject({ auditId: 'a-4', outcome: 'delivered' });
  });

  it('close() lets an attempt in flight finish, and cuts a hung one after the grace', async () => {
    const slow = await receiver([{ status: 200, delayMs: 200 }]);
    const first = notifierFor([target(slow.url)]);
    first.notifier.notify(blockedEvent, LINKS);
    await slow.waitFor(1);
    await first.notifier.close();
    expect(first.notifier.deliveries('prod')[0]).toMatchObject({ outcome: 'delivered', attempts: 1 });

    const hung = await startHungUpstream();
    open.push(hung);
    const second = notifierFor([target(hung.url)], { closeGraceMs: 150, policy: { ...QUICK, requestTimeoutMs: 10_000 } });
    second.notifier.notify(blockedEvent, LINKS);
    second.notifier.notify({ ...blockedEvent, auditId: 'a-3' }, LINKS);
    while (hung.accepted() === 0) await new Promise((res) => setTimeout(res, 10));
    const started = Date.now();
    await second.notifier.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(second.notifier.deliveries('prod')[0]).toMatchObject({ auditId: 'a-2', outcome: 'failed', error: 'the service shut down during the attempt' });
    expect(await counter(second.metrics, 'ops', 'dropped')).toBe(1);
  });
});
