import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import request from 'supertest';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { startServer, type RunningServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';
import { flannelNode, startFakeApiServer, vxlanNetConf, writeKubeconfig, type FakeApiServer } from '../support/fake-apiserver.js';
import { expectConformsToSpec } from '../support/openapi-response.js';
import type { WebhookPayload } from '../../src/http/watch/webhook-payload.js';
import type { ReceivedWebhook, WebhookReceiver } from '../support/webhook-receiver.js';

/** Helpers of the watch-mode detection tier: a real `sgaudit serve` watching one cluster and notifying one receiver. */

export const TOKEN = 'watch-detection-token-0123456789';
export const AUTH = `Bearer ${TOKEN}`;
const KUBE_TOKEN = 'watch-detection-kube-token';
export const SECRET_ENV = 'SGAUDIT_TEST_WEBHOOK_SECRET';
export const SECRET = 'watch-detection-hmac-secret-0123456789abcdef';

/**
 * Replaces the process environment's variables with these prefixes by `vars` (the collectors
 * read cloud credentials and endpoints from it, as the AWS CLI and openstacksdk do) and returns
 * the function that puts the old values back.
 */
export function scopedEnv(prefixes: string[], vars: Record<string, string>): () => void {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (prefixes.some((p) => k.startsWith(p))) delete process.env[k];
  Object.assign(process.env, vars);
  return () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
}

/** A fake Kubernetes API with flannel vxlan nodes whose VTEP is `ip`; an instance id makes it an AWS node. */
export async function fakeCluster(nodes: { name: string; ip: string; instanceId?: string }[]): Promise<{ api: FakeApiServer; kubeconfig: string }> {
  const api = await startFakeApiServer({
    token: KUBE_TOKEN,
    nodes: nodes.map((n, i) => {
      const node = flannelNode(n.name, n.ip, `10.244.${i}.0/24`, n.instanceId ?? 'none');
      if (n.instanceId === undefined) delete (node.spec as Record<string, unknown>).providerID;
      return node;
    }),
    configMaps: { 'kube-flannel/kube-flannel-cfg': { 'net-conf.json': vxlanNetConf('10.244.0.0/16') } },
  });
  return { api, kubeconfig: await writeKubeconfig(api.server, KUBE_TOKEN) };
}

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
