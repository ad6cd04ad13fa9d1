/**
 * Scenario "big": one POST /v1/audits of a 5,000-node cluster with `options.maxPairs` at the
 * maximum openapi.yaml allows, while /healthz is probed on a new connection every 50 ms.
 *
 * Targets (issue #11): answered within 3 s (201, or the 422 report-too-large problem+json that
 * names the option to lower); no stretch longer than 100 ms in which /healthz went unanswered.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { generateAwsCluster } from './generate-aws-cluster.js';
import { startProberThread } from './load-probe.js';
import { round1, type ScenarioResult } from './load-report.js';
import { RssSampler, startServer, type RunningServer } from './load-server.js';
import { sheddingBody } from './load-scenario-shedding.js';

export interface BigOptions {
  nodes: number;
  groups: number;
  serverArgs: readonly string[];
  keepLogs: boolean;
}

const HEALTH_INTERVAL_MS = 50;
const ANSWER_TARGET_MS = 3000;
const GAP_TARGET_MS = 100;
/** Probing before and after the request, so the gap figure covers its edges. */
const SETTLE_MS = 500;
const MAX_PAIRS_FALLBACK = 10_000;
// openapi.yaml is not compiled: from dist/test/bench/ it is ../../../openapi.yaml
const SPEC = fileURLToPath(new URL('../../../openapi.yaml', import.meta.url));

/** The documented maximum of AuditOptions.maxPairs; the fallback only when the spec has none. */
export function maxPairsFromSpec(): { value: number; source: string } {
  const doc = parse(readFileSync(SPEC, 'utf8')) as unknown;
  const options = follow(doc, at(doc, ['components', 'schemas', 'AuditOptions']));
  const maxPairs = follow(doc, at(options, ['properties', 'maxPairs']));
  const maximum = at(maxPairs, ['maximum']);
  return typeof maximum === 'number' && Number.isInteger(maximum) && maximum > 0
    ? { value: maximum, source: 'openapi.yaml AuditOptions.maxPairs maximum' }
    : { value: MAX_PAIRS_FALLBACK, source: 'fallback: openapi.yaml has no AuditOptions.maxPairs maximum' };
}

function at(node: unknown, path: readonly string[]): unknown {
  let here = node;
  for (const key of path) here = typeof here === 'object' && here !== null ? (here as Record<string, unknown>)[key] : undefined;
  return here;
}

/** Follows local `$ref`s ("#/components/schemas/MaxPairs"); a few hops, so a cycle cannot hang the bench. */
function follow(doc: unknown, node: unknown): unknown {
  let here = node;
  for (let hop = 0; hop < 8; hop++) {
    const ref = at(here, ['$ref']);
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return here;
    here = at(doc, ref.slice(2).split('/'));
  }
  return undefined;
}

export async function runBig(options: BigOptions): Promise<ScenarioResult> {
  const maxPairs = maxPairsFromSpec();
  const scenario = `big: one POST of a ${options.nodes}-node audit with maxPairs ${maxPairs.value}`;
  const cluster = generateAwsCluster(options.nodes, options.groups, 10);
  const body = JSON.stringify({
    inputs: { nodes: cluster.nodes, flannel: cluster.flannel, aws: cluster.aws.map((d) => d.body) },
    options: { cluster: 'load-big', maxPairs: maxPairs.value },
  });
  let server: RunningServer;
  try {
    server = await startServer({ extraArgs: options.serverArgs, startTimeoutMs: 30_000, keepLogs: options.keepLogs });
  } catch (e) {
    return { scenario, kind: 'not-run', reason: (e as Error).message };
  }
  try {
    // A small audit first: the target is about a running server, not its first request.
    const warm = await fetch(`${server.url}/v1/audits`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
      body: sheddingBody(50),
    });
    await warm.arrayBuffer();
    if (warm.status !== 201) return { scenario, kind: 'not-run', reason: `the warm-up POST answered ${warm.status}` };

    const rss = new RssSampler(server.pid, 250);
    const health = await startProberThread(server.url, HEALTH_INTERVAL_MS, 10_000);
    await sleep(SETTLE_MS);
    const answer = await post(server, body);
    await sleep(SETTLE_MS);
    const healthFigures = await health.stop();
    const rssFigures = rss.stop();
    const hwm = await server.peakRssMb();

    // Parsed only now: parsing a large report while probing would stall this process's own
    // event loop and show up as a /healthz gap that the server did not cause.
    const described = describeAnswer(answer);
    return {
      scenario,
      kind: 'measured',
      figures: {
        'maxPairs source': maxPairs.source,
        'request MB': round1(body.length / 1024 / 1024),
        status: answer.kind === 'answered' ? answer.status : `no answer: ${answer.error}`,
        'answered in ms': round1(answer.ms),
        'response MB': answer.kind === 'answered' ? round1(answer.bytes.length / 1024 / 1024) : 0,
        answer: described.text,
        '/healthz probes': healthFigures.probes,
        '/healthz failed': healthFigures.failed,
        '/healthz TCP connect p99 ms': Number.isFinite(healthFigures.connectP99Ms) ? round1(healthFigures.connectP99Ms) : 'not connected',
        'prober event-loop delay max ms': round1(healthFigures.benchLoopDelayMaxMs),
        '/healthz p99 ms': Number.isFinite(healthFigures.p99Ms) ? round1(healthFigures.p99Ms) : 'no answer',
        '/healthz max ms': Number.isFinite(healthFigures.maxMs) ? round1(healthFigures.maxMs) : 'no answer',
        '/healthz longest gap ms': round1(healthFigures.maxGapMs),
        'RSS peak sampled MB': round1(rssFigures.peakMb),
        'RSS peak VmHWM MB': hwm === undefined ? 'unreadable' : round1(hwm),
        'server log': options.keepLogs ? server.logFile : '(removed; --keep-logs keeps it)',
      },
      targets: [
        {
          name: 'answered within 3 s (201, or 422 report-too-large)',
          met: described.accepted && answer.ms < ANSWER_TARGET_MS,
          detail: `${answer.kind === 'answered' ? answer.status : 'no answer'} in ${round1(answer.ms)} ms`,
        },
        {
          name: 'no /healthz gap > 100 ms',
          met: healthFigures.maxGapMs <= GAP_TARGET_MS && healthFigures.failed === 0,
          detail: `longest gap ${round1(healthFigures.maxGapMs)} ms, ${healthFigures.failed} failed probes`,
        },
      ],
    };
  } finally {
    await server.stop(60_000);
  }
}

type Answer =
  | { kind: 'answered'; status: number; contentType: string; bytes: Buffer; ms: number }
  | { kind: 'failed'; error: string; ms: number };

/** One POST on its own connection; the body is kept as bytes until the probing is over. */
function post(server: RunningServer, body: string): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = request(
      `${server.url}/v1/audits`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () =>
          resolve({ kind: 'answered', status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), bytes: Buffer.concat(chunks), ms: performance.now() - started }),
        );
        res.once('error', (e) => resolve({ kind: 'failed', error: e.message, ms: performance.now() - started }));
      },
    );
    req.once('error', (e) => resolve({ kind: 'failed', error: e.message, ms: performance.now() - started }));
    req.end(body);
  });
}

/**
 * What came back, and whether it is an answer the target accepts: the report, or the
 * problem+json that says the report would be too large. Any other problem (a 422 for the
 * request itself, a 500) means this request was not served.
 */
function describeAnswer(answer: Answer): { accepted: boolean; text: string } {
  if (answer.kind === 'failed') return { accepted: false, text: answer.error };
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.bytes.toString('utf8'));
  } catch {
    return { accepted: false, text: `not JSON (${answer.contentType})` };
  }
  const doc = parsed as { type?: unknown; detail?: unknown; summary?: unknown };
  if (answer.contentType.startsWith('application/problem+json')) {
    const tooLarge = answer.status === 422 && typeof doc.type === 'string' && doc.type.endsWith('report-too-large');
    return { accepted: tooLarge, text: `problem ${String(doc.type)}: ${String(doc.detail)}`.slice(0, 300) };
  }
  return { accepted: answer.status === 201, text: `summary ${JSON.stringify(doc.summary)}`.slice(0, 300) };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
