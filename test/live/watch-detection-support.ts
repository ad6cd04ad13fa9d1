import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';
export { fakeCluster, scopedEnv } from '../support/live-cluster.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import type { WebhookPayload } from '../../src/http/watch/webhook-payload.js';
import type { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver.js';

/** Helpers of the watch-mode detection tier: a real `sgaudit serve` watching one cluster and notifying one receiver. */

export const TOKEN = 'watch-detection-token-0123456789';
export const AUTH = `Bearer ${TOKEN}`;
export const SECRET_ENV = 'SGAUDIT_TEST_WEBHOOK_SECRET';
export const SECRET = 'watch-detection-hmac-secret-0123456789abcdef';

/**
 * Starts `sgaudit serve` (one worker, in-memory store) from a configuration file naming one
 * watched cluster and one webhook target for it. The secret reaches the server only through
 * the environment variable the file names.
 */
export async function serveWatching(configDir: string, cluster: string, target: Record<string, unknown>, webhookUrl: string): Promise<RunningServer> {
  const config = join(configDir, 'sgaudit-watch.yaml');
  await writeFile(
    config,
    stringify({
      tokens: [{ name: 'watch-detection', sha256: sha256(TOKEN).toString('hex'), scopes: ['audit', 'read'] }],
      clusters: { [cluster]: target },
      webhooks: [{ name: 'receiver', url: webhookUrl, secretEnv: SECRET_ENV, format: 'json', clusters: [cluster] }],
    }),
  );
  return startServer(resolveSettings({ port: '0', dataDir: ':memory:', config, logLevel: 'silent', workers: '1' }, {}), { [SECRET_ENV]: SECRET });
}

/** GET a path of the server with the test token; fails on anything but 200, or an answer openapi.yaml does not describe. */
export async function getJson<T>(server: RunningServer, path: string, operationId: 'getClusterStatus' | 'listClusterChanges' | 'getAudit'): Promise<T> {
  const res = await request(server.url).get(path).set('Authorization', AUTH);
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  expectConformsToSpec(res, operationId);
  return res.body as T;
}

/** Polls `probe` every 250 ms until it returns a value; throws `what` after `ms`. */
export async function pollUntil<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The next webhook after the first `seen` ones, with the milliseconds from `since` to its arrival. */
export async function nextWebhook(receiver: WebhookReceiver, seen: number, since: number, ms: number): Promise<{ hook: ReceivedWebhook; body: WebhookPayload; elapsedMs: number }> {
  const all = await receiver.waitFor(seen + 1, ms);
  const hook = all[seen]!;
  return { hook, body: JSON.parse(hook.raw) as WebhookPayload, elapsedMs: hook.at - since };
}

/** Every directed pair of `nodes` for the flannel vxlan requirement, sorted like a comparison's `src->dst` keys. */
export function allPairs(nodes: string[]): string[] {
  return nodes.flatMap((s) => nodes.filter((d) => d !== s).map((d) => `${s}->${d}`)).sort();
}

export function pairKeys(pairs: { sourceNode: string; destinationNode: string }[]): string[] {
  return pairs.map((p) => `${p.sourceNode}->${p.destinationNode}`).sort();
}
