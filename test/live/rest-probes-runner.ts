/**
 * The REST service and a fake Kubernetes API, run inside a lab's bridge namespace
 * (`ip netns exec`) where the probe agents are reachable; test/live/rest-probes-netns.test.ts
 * drives it. Requests come in as JSON lines on stdin and are made here over real HTTP to the
 * server; answers go out as JSON lines on stdout prefixed with `@@ ` (anything else on stdout,
 * e.g. a library's warning, is not an answer).
 *
 *   node --import tsx test/live/rest-probes-runner.ts <nodes.json> <config.json>
 *   config: {"tokens": {name: {token, scopes}}, "clusters": {name: secretEnv}, "timeoutSeconds": n}
 *   stdin:  {"id": 1, "method": "POST", "path": "/v1/...", "token": "name", "body": {...}}
 *   stdout: @@ {"ready": true} then @@ {"id": 1, "status": 201, "body": {...}}
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { sha256 } from '../../src/http/auth.js';
import { startServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';
import { startFakeApiServer, vxlanNetConf, writeKubeconfig } from '../support/fake-apiserver.js';

export interface RunnerConfig {
  tokens: Record<string, { token: string; scopes: string[] }>;
  /** Cluster name -> the environment variable its probe secret is read from. */
  clusters: Record<string, string>;
  timeoutSeconds: number;
}

export interface RunnerRequest {
  id: number;
  method: 'GET' | 'POST';
  path: string;
  /** A key of RunnerConfig.tokens. */
  token: string;
  body?: unknown;
}

const KUBE_TOKEN = 'rest-probes-netns-kube-token';
const say = (line: unknown) => process.stdout.write(`@@ ${JSON.stringify(line)}\n`);

const [nodesFile, configJson] = process.argv.slice(2);
if (!nodesFile || !configJson) {
  process.stderr.write('usage: rest-probes-runner.ts <nodes.json> <config-json>\n');
  process.exit(2);
}
const config = JSON.parse(configJson) as RunnerConfig;
const nodeList = JSON.parse(readFileSync(nodesFile, 'utf8')) as { items: Record<string, unknown>[] };

// List items carry no kind/apiVersion on the wire.
const api = await startFakeApiServer({
  token: KUBE_TOKEN,
  nodes: nodeList.items.map(({ kind: _k, apiVersion: _a, ...node }) => node),
  configMaps: { 'kube-flannel/kube-flannel-cfg': { 'net-conf.json': vxlanNetConf('10.244.0.0/16') } },
});
const kubeconfig = await writeKubeconfig(api.server, KUBE_TOKEN);
const dir = await mkdtemp(join(tmpdir(), 'sgaudit-rest-probes-'));
const configFile = join(dir, 'sgaudit.yaml');
await writeFile(
  configFile,
  stringify({
    tokens: Object.entries(config.tokens).map(([name, t]) => ({ name, sha256: sha256(t.token).toString('hex'), scopes: t.scopes })),
    clusters: Object.fromEntries(
      Object.entries(config.clusters).map(([name, secretEnv]) => [
        name,
        { kubernetes: { kubeconfig, context: 'fake' }, probe: { secretEnv, timeoutSeconds: config.timeoutSeconds } },
      ]),
    ),
  }),
);
const server = await startServer(resolveSettings({ port: '0', dataDir: ':memory:', config: configFile, logLevel: 'silent' }, {}), process.env);
say({ ready: true });

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() === '') continue;
  const r = JSON.parse(line) as RunnerRequest;
  const token = config.tokens[r.token]?.token ?? r.token;
  const res = await fetch(`${server.url}${r.path}`, {
    method: r.method,
    headers: { authorization: `Bearer ${token}`, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: handed back as text, for the test to show.
  }
  say({ id: r.id, status: res.status, body });
}
await server.close();
await api.close();
