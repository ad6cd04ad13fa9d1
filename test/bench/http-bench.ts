/**
 * `npm run bench:http`: POST /v1/audits with a 50-node AWS cluster at a fixed 50 requests/s for
 * 10 s against an in-process server on 127.0.0.1, and print throughput and p50/p99 latency.
 * Target: p99 < 100 ms with every response 201. Exits 1 when the target is missed.
 *
 * Usage: npm run bench:http [-- --nodes 50 --rate 50 --duration 10 --connections 10]
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { availableParallelism } from 'node:os';
import { createApp } from '../../src/http/app.js';
import { AuditPool } from '../../src/http/audit-pool.js';
import { sha256, TokenVerifier } from '../../src/http/auth.js';
import { createLogger } from '../../src/http/logging.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { SpecSchemas } from '../../src/http/schemas.js';
import { DEFAULT_REPORT_LIMIT } from '../../src/http/settings.js';
import { loadSpec } from '../../src/http/spec.js';
import { SQLITE_MEMORY, SqliteAuditStore } from '../../src/store/sqlite-store.js';
import { generateAwsCluster } from './generate-aws-cluster.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50' },
    rate: { type: 'string', default: '50' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
  },
});
const nodes = Number(values.nodes);
const rate = Number(values.rate);
const duration = Number(values.duration);
const connections = Number(values.connections);
const P99_TARGET_MS = 100;

const token = `bench-${randomUUID()}`;
const spec = loadSpec();
const store = SqliteAuditStore.open(SQLITE_MEMORY);
const app = createApp({
  spec,
  schemas: new SpecSchemas(spec.doc),
  store,
  tokens: new TokenVerifier([{ name: 'bench', sha256: sha256(token), scopes: ['audit'] }]),
  clusters: [],
  collectLive: undefined,
  // Access logs are written as in production, to a sink that costs what a file would.
  logger: createLogger('info', pino.destination({ dest: process.env.BENCH_LOG ?? '/dev/null', sync: false })),
  metrics: new ApiMetrics({ processMetrics: true }),
  bodyLimitBytes: 20 * 1024 * 1024,
  // As `sgaudit serve` sizes it; a 503 counts as a missed target here, so the queue is generous.
  auditPool: new AuditPool({ workers: availableParallelism(), queueLimit: connections }),
  reportLimitBytes: DEFAULT_REPORT_LIMIT,
  now: () => new Date(),
  newId: randomUUID,
});

const cluster = generateAwsCluster(nodes, Math.max(2, Math.ceil(nodes / 10)), 5);
const body = JSON.stringify({ inputs: { nodes: cluster.nodes, flannel: cluster.flannel, aws: cluster.aws.map((d) => d.body) }, options: { cluster: 'bench' } });

const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const { port } = server.address() as AddressInfo;
const url = `http://127.0.0.1:${port}/v1/audits`;

// One request first, so a broken body fails loudly instead of benchmarking 422s.
const probe = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
const probeBody = (await probe.json()) as { summary?: unknown; detail?: string };
if (probe.status !== 201) {
  console.error(`warm-up request answered ${probe.status}: ${probeBody.detail ?? ''}`);
  process.exit(1);
}

const result = await autocannon({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  body,
  connections,
  overallRate: rate,
  duration,
  // The client runs in a worker thread: sharing the server's event loop, it would add the audits' CPU time to its own latency.
  workers: 1,
  // autocannon "corrects" rate-limited runs for coordinated omission with an expected interval of
  // ceil(1 / rate) = 1 ms (seconds mistaken for ms), which records a 50 ms answer as 50 samples and
  // skews every percentile towards slow answers. Its limiter already sends each second's requests
  // in a burst at the start of the second, which is harsher than evenly spaced arrivals.
  ignoreCoordinatedOmission: true,
});
server.close();
await store.close();

const ok = result['2xx'];
const bad = result.non2xx + result.errors + result.timeouts;
console.log(`POST /v1/audits, ${nodes}-node AWS cluster (${(body.length / 1024).toFixed(0)} KB body), ${rate} req/s for ${duration} s over ${connections} connections`);
console.log(`  summary of each report: ${JSON.stringify(probeBody.summary)}`);
console.log(`  throughput: ${result.requests.average.toFixed(1)} req/s (${ok} answered 201, ${bad} failed)`);
console.log(`  latency: p50 ${result.latency.p50} ms, p90 ${result.latency.p90} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`);
const met = result.latency.p99 < P99_TARGET_MS && bad === 0 && ok > 0;
console.log(met ? `  OK: p99 < ${P99_TARGET_MS} ms` : `  MISSED: target is p99 < ${P99_TARGET_MS} ms with no failed requests`);
process.exit(met ? 0 : 1);
