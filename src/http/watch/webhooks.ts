import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ChangeEvent, ChangeKind } from '../../model/run-changes.js';
import type { ApiMetrics, WebhookOutcome } from '../metrics.js';
import { DeliveryQueue } from './delivery-queue.js';
import { DEFAULT_DELIVERY_POLICY, deliver, type DeliveryPolicy, type DeliveryResult } from './webhook-delivery.js';
import type { WebhookTarget } from './webhook-config.js';
import { jsonPayload, slackPayload, type Links } from './webhook-payload.js';

export type { WebhookTarget } from './webhook-config.js';

/** What became of the latest notification of one cluster to one target. */
export interface DeliveryStatus {
  target: string;
  event: ChangeKind;
  auditId: string;
  /** The X-Sgaudit-Delivery header: one id for all attempts of a notification, so receivers can drop repeats. */
  deliveryId: string;
  /** When the outcome was settled. */
  at: string;
  outcome: WebhookOutcome;
  /** 0 when the notification was dropped before it was sent. */
  attempts: number;
  /** The last HTTP status received, if any answer came. */
  httpStatus?: number;
  error?: string;
}

export interface Notifier {
  /** Queues the event for every matching target and returns at once; never throws, never waits for a receiver. */
  notify(event: ChangeEvent, links: Links): void;
  /** The latest delivery status per target for this cluster, by target name; targets never used for it are absent. */
  deliveries(cluster: string): DeliveryStatus[];
  /** Stops retrying, drops what was not sent yet and gives the attempts in flight a short grace. */
  close(): Promise<void>;
}

export interface NotifierOptions {
  logger: Logger;
  metrics: ApiMetrics;
  now?: () => Date;
  /** Defaults: DEFAULT_DELIVERY_POLICY. */
  policy?: Partial<DeliveryPolicy>;
  /** Notifications waiting per target before the oldest is dropped; default 100. */
  queueLimit?: number;
  /** How long close() lets attempts in flight finish; default 5 s. */
  closeGraceMs?: number;
}

interface Job {
  cluster: string;
  event: ChangeKind;
  auditId: string;
  deliveryId: string;
  body: string;
}

export function createNotifier(targets: WebhookTarget[], options: NotifierOptions): Notifier {
  const now = options.now ?? (() => new Date());
  const policy: DeliveryPolicy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  const log = options.logger.child({ component: 'webhooks' });
  const stop = new AbortController();
  const abort = new AbortController();
  let closing: Promise<void> | undefined;
  /** target name -> cluster -> latest status */
  const statuses = new Map<string, Map<string, DeliveryStatus>>();

  const settle = (target: WebhookTarget, job: Job, result: DeliveryResult | { outcome: 'dropped'; attempts: 0; error: string }): void => {
    const status: DeliveryStatus = {
      target: target.name,
      event: job.event,
      auditId: job.auditId,
      deliveryId: job.deliveryId,
      at: now().toISOString(),
      outcome: result.outcome,
      attempts: result.attempts,
      ...('httpStatus' in result && result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
      ...('error' in result ? { error: result.error } : {}),
    };
    let byCluster = statuses.get(target.name);
    if (!byCluster) statuses.set(target.name, (byCluster = new Map()));
    byCluster.set(job.cluster, status);
    options.metrics.recordWebhookDelivery(target.name, result.outcome);
    // The URL is never logged: webhook URLs often carry a token.
    const fields = { webhook: target.name, cluster: job.cluster, event: job.event, auditId: job.auditId, deliveryId: job.deliveryId, attempts: result.attempts, ...(status.httpStatus ? { httpStatus: status.httpStatus } : {}) };
    if (result.outcome === 'delivered') log.info(fields, 'webhook: delivered');
    else log.warn({ ...fields, error: status.error }, result.outcome === 'dropped' ? 'webhook: notification dropped' : 'webhook: delivery failed');
  };

  const send = async (target: WebhookTarget, job: Job): Promise<void> => {
    const result = await deliver(
      { url: target.url, secret: target.secret.bytes(), event: job.event, deliveryId: job.deliveryId, body: job.body },
      policy,
      { stop: stop.signal, abort: abort.signal },
      () => Math.floor(now().getTime() / 1000),
      (attempt, error, waitMs) => log.info({ webhook: target.name, cluster: job.cluster, deliveryId: job.deliveryId, attempt, error, retryInMs: waitMs }, 'webhook: attempt failed, retrying'),
    );
    settle(target, job, result);
  };

  const queueLimit = options.queueLimit ?? 100;
  const queues = new Map(
    targets.map((t) => [
      t.name,
      {
        target: t,
        queue: new DeliveryQueue<Job>(
          queueLimit,
          (job) => send(t, job),
          (job) => settle(t, job, { outcome: 'dropped', attempts: 0, error: `the queue already held ${queueLimit} newer notifications for this target` }),
          (job, e) => {
            log.error({ webhook: t.name, cluster: job.cluster, deliveryId: job.deliveryId, err: e }, 'webhook: delivery crashed');
            settle(t, job, { outcome: 'failed', attempts: 0, error: `internal error: ${(e as Error)?.message ?? String(e)}` });
          },
        ),
      },
    ]),
  );

  const matches = (t: WebhookTarget, cluster: string, kind?: ChangeKind): boolean => (t.clusters === undefined || t.clusters.includes(cluster)) && (kind === undefined || t.events === undefined || t.events.includes(kind));

  return {
    notify(event, links) {
      try {
        const chosen = [...queues.values()].filter(({ target }) => matches(target, event.cluster, event.kind));
        if (chosen.length === 0) return;
        if (closing) {
          log.warn({ cluster: event.cluster, event: event.kind, auditId: event.auditId }, 'webhook: notification after shutdown began; not sent');
          return;
        }
        // Each body is built once and signed per attempt; a format's body is shared by its targets.
        const bodies = new Map<string, string>();
        const bodyOf = (format: WebhookTarget['format']): string => {
          let body = bodies.get(format);
          if (body === undefined) bodies.set(format, (body = JSON.stringify(format === 'slack' ? slackPayload(event, links) : jsonPayload(event, links))));
          return body;
        };
        for (const { target, queue } of chosen) {
          queue.push({ cluster: event.cluster, event: event.kind, auditId: event.auditId, deliveryId: randomUUID(), body: bodyOf(target.format) });
        }
      } catch (e) {
        // The schedule must go on whatever a notification does; the log says what went wrong.
        log.error({ err: e, cluster: event?.cluster, auditId: event?.auditId }, 'webhook: could not queue the notification');
      }
    },

    deliveries(cluster) {
      const out: DeliveryStatus[] = [];
      for (const { target } of queues.values()) {
        const status = statuses.get(target.name)?.get(cluster);
        if (status && matches(target, cluster)) out.push(status);
      }
      return out.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
    },

    close() {
      closing ??= (async () => {
        stop.abort();
        for (const { target, queue } of queues.values()) {
          for (const job of queue.clear()) settle(target, job, { outcome: 'dropped', attempts: 0, error: 'the service shut down before it was sent' });
        }
        const grace = setTimeout(() => abort.abort(), options.closeGraceMs ?? 5_000);
        try {
          await Promise.all([...queues.values()].map(({ queue }) => queue.idle()));
        } finally {
          clearTimeout(grace);
        }
      })();
      return closing;
    },
  };
}
