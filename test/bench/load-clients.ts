/**
 * The keep-alive clients of the shedding scenario, run in a worker thread: in the main thread
 * they would share an event loop with the /healthz probes and the RSS samples, and so make the
 * server look slower than it is. Counts every answer by kind and keeps the id of every 201, so
 * the runner can check afterwards that none was lost.
 *
 * NOTE: not autocannon. autocannon ignores `Connection: close` (which a draining server
 * sends), and then measures Node's own answers on a closing socket instead of the server's.
 * These clients are node:http with a keep-alive agent, which reconnects when asked, as real
 * HTTP clients do.
 *
 * The clients open their keep-alive connections first (one GET /healthz each) and report
 * `connected` before the timed run: the scenario is 200 clients that are connected, not a storm
 * of 200 connections opened in the same millisecond. Node accepts one connection per event-loop
 * turn, so such a storm is worked off over a second or so, and a health check that arrives
 * within it waits its turn in the listen queue.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { percentile } from './load-probe.js';

export interface ClientsInput {
  url: string;
  token: string;
  body: string;
  connections: number;
  durationS: number;
  /** A request still unanswered after this long counts as unanswered. */
  timeoutS: number;
}

export interface ClientsResult {
  created: number;
  /** 503 with a Retry-After header: the server shed the request, as it should when saturated. */
  shed: number;
  /** Every other answer, by status (503 without Retry-After is counted as "503 no Retry-After"). */
  otherAnswers: Record<string, number>;
  /** Connection errors and timeouts: requests that got no answer at all. */
  unanswered: number;
  timeouts: number;
  /** The first few connection errors, for the report. */
  errorSamples: string[];
  ids: string[];
  /** 201s that carried no usable Location header. */
  createdWithoutLocation: number;
  /** Answers of any kind per second. */
  requestsPerSecond: number;
  /** TCP connections opened: one per client, plus one per reconnect the server asked for. */
  connectionsOpened: number;
  latency: { p50: number; p99: number; max: number };
  retryAfterValues: string[];
}

const LOCATION = /^\/v1\/audits\/([0-9a-f-]{36})$/;

type Outcome =
  | { kind: 'answered'; status: number; location: string | undefined; retryAfter: string | undefined; ms: number; newConnection: boolean }
  | { kind: 'unanswered'; timedOut: boolean; error: string };

function send(input: ClientsInput, agent: Agent): Promise<Outcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    let timedOut = false;
    const req = request(
      `${input.url}/v1/audits`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${input.token}`, 'content-length': Buffer.byteLength(input.body) },
        timeout: input.timeoutS * 1000,
      },
      (res) => {
        // Only the headers matter; the report itself is read back afterwards by id.
        res.resume();
        res.once('end', () =>
          resolve({
            kind: 'answered',
            status: res.statusCode ?? 0,
            location: res.headers.location,
            retryAfter: res.headers['retry-after'],
            ms: performance.now() - started,
            newConnection: !req.reusedSocket,
          }),
        );
        res.once('error', (e) => resolve({ kind: 'unanswered', timedOut, error: e.message }));
      },
    );
    req.once('timeout', () => {
      timedOut = true;
      req.destroy(new Error(`no answer within ${input.timeoutS} s`));
    });
    req.once('error', (e) => resolve({ kind: 'unanswered', timedOut, error: e.message }));
    req.end(input.body);
  });
}

/** One GET /healthz through the agent: with every client doing it at once, each gets its own socket. */
function openConnection(input: ClientsInput, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${input.url}/healthz`, { agent, timeout: input.timeoutS * 1000 }, (res) => {
      res.resume();
      res.once('end', () => resolve());
    });
    req.once('timeout', () => req.destroy(new Error(`no answer to the connection warm-up within ${input.timeoutS} s`)));
    req.once('error', reject);
    req.end();
  });
}

function agentSockets(agent: Agent): number {
  return Object.values(agent.freeSockets).reduce((n, list) => n + (list?.length ?? 0), 0);
}

async function run(input: ClientsInput): Promise<ClientsResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: input.connections });
  let connectionsOpened = 0;
  const ids: string[] = [];
  const otherAnswers: Record<string, number> = {};
  const retryAfterValues = new Set<string>();
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let created = 0;
  let shed = 0;
  let unanswered = 0;
  let timeouts = 0;
  let createdWithoutLocation = 0;

  await Promise.all(Array.from({ length: input.connections }, () => openConnection(input, agent)));
  parentPort?.postMessage({ connected: agentSockets(agent) });

  const started = performance.now();
  const endsAt = started + input.durationS * 1000;
  // Closed loop: each client sends its next request when its previous one was answered.
  const client = async (): Promise<void> => {
    while (performance.now() < endsAt) {
      const outcome = await send(input, agent);
      if (outcome.kind === 'unanswered') {
        unanswered++;
        if (outcome.timedOut) timeouts++;
        if (errorSamples.length < 5) errorSamples.push(outcome.error);
        continue;
      }
      latencies.push(outcome.ms);
      if (outcome.newConnection) connectionsOpened++;
      if (outcome.status === 201) {
        created++;
        const m = LOCATION.exec(outcome.location ?? '');
        if (m) ids.push(m[1]!);
        else createdWithoutLocation++;
      } else if (outcome.status === 503 && outcome.retryAfter !== undefined) {
        shed++;
        if (retryAfterValues.size < 5) retryAfterValues.add(outcome.retryAfter);
      } else {
        const key = outcome.status === 503 ? '503 no Retry-After' : String(outcome.status);
        otherAnswers[key] = (otherAnswers[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: input.connections }, client));
  const elapsedS = (performance.now() - started) / 1000;
  agent.destroy();
  return {
    created,
    shed,
    otherAnswers,
    unanswered,
    timeouts,
    errorSamples,
    ids,
    createdWithoutLocation,
    requestsPerSecond: latencies.length / elapsedS,
    connectionsOpened,
    latency: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies.reduce((a, b) => Math.max(a, b), 0) },
    retryAfterValues: [...retryAfterValues],
  };
}

if (parentPort) {
  const port = parentPort;
  run(workerData as ClientsInput).then(
    (r) => port.postMessage({ ok: true, result: r }),
    (e: unknown) => port.postMessage({ ok: false, error: e instanceof Error ? e.stack ?? e.message : String(e) }),
  );
}
