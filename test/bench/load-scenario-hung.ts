/**
 * Scenario "hung": a TCP server on 127.0.0.1 that accepts every connection and never answers,
 * used first as the EC2 endpoint of `sgaudit audit --aws-live`, then as the API server of a
 * kubeconfig for `sgaudit audit --kubeconfig`. Each command runs as a user runs it (the built
 * bin, a fresh process) and is timed from spawn to exit.
 *
 * Targets (issue #11): each ends within --deadline + 5 s; the EC2 case exits 1 with a report
 * whose missing data is "timed out after N s"; the Kubernetes case exits non-zero.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateAwsCluster } from './generate-aws-cluster.js';
import { round1, type ScenarioResult, type Target } from './load-report.js';
import { BIN } from './load-server.js';

export interface HungOptions {
  deadlineS: number;
  requestTimeoutS: number;
}

const SLACK_S = 5;
/** A command still running this long after its deadline is killed, so the bench itself never hangs. */
const HARD_STOP_AFTER_S = 60;

interface HungServer {
  url: string;
  accepted(): number;
  close(): Promise<void>;
}

async function startHungServer(): Promise<HungServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the hung server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  ms: number;
  killed: boolean;
  stderr: string;
}

function runCli(args: readonly string[], env: NodeJS.ProcessEnv, hardStopMs: number): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });
  let killed = false;
  const killer = setTimeout(() => {
    killed = true;
    child.kill('SIGKILL');
  }, hardStopMs);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, ms: performance.now() - started, killed, stderr });
    });
  });
}

/** The environment without any AWS setting of the shell, so only the hung endpoint can be reached. */
function awsEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  return {
    ...env,
    AWS_ENDPOINT_URL_EC2: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** The flags this scenario needs, or the reason it cannot run on this build. */
function missingFlags(): string | undefined {
  const help = spawnSync(process.execPath, [BIN, 'audit', '--help'], { encoding: 'utf8', timeout: 30_000 });
  const missing = ['--deadline', '--request-timeout'].filter((f) => !help.stdout.includes(f));
  return missing.length === 0 ? undefined : `\`sgaudit audit\` has no ${missing.join(' / ')} flag in this build`;
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines.at(-1) ?? '').slice(0, 200) || '-';
}

export async function runHung(options: HungOptions): Promise<ScenarioResult[]> {
  const { deadlineS, requestTimeoutS } = options;
  const awsScenario = `hung EC2: audit --aws-live --deadline ${deadlineS} --request-timeout ${requestTimeoutS} against a server that never answers`;
  const kubeScenario = `hung Kubernetes API: audit --kubeconfig --deadline ${deadlineS} against a server that never answers`;
  const missing = missingFlags();
  if (missing !== undefined) {
    return [
      { scenario: awsScenario, kind: 'not-run', reason: missing },
      { scenario: kubeScenario, kind: 'not-run', reason: missing },
    ];
  }
  const dir = await mkdtemp(join(tmpdir(), 'sgaudit-load-hung-'));
  const hung = await startHungServer();
  const limitMs = (deadlineS + SLACK_S) * 1000;
  const hardStopMs = (deadlineS + HARD_STOP_AFTER_S) * 1000;
  try {
    const nodesFile = join(dir, 'nodes.json');
    await writeFile(nodesFile, JSON.stringify(generateAwsCluster(3, 2, 1).nodes));

    const awsReport = join(dir, 'aws-report.json');
    const before = hung.accepted();
    const aws = await runCli(
      ['audit', '--nodes', nodesFile, '--aws-live', '--deadline', String(deadlineS), '--request-timeout', String(requestTimeoutS), '--format', 'json', '--out', awsReport],
      awsEnv(hung.url),
      hardStopMs,
    );
    const awsConnections = hung.accepted() - before;
    const report = await readFile(awsReport, 'utf8').catch(() => undefined);
    const timedOut = report !== undefined && /timed out after \d+(\.\d)? s/.test(report);

    const kubeconfig = join(dir, 'kubeconfig.yaml');
    await writeFile(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'hung',
        // client-node refuses plain http unless TLS verification is explicitly off.
        clusters: [{ name: 'hung', cluster: { server: hung.url, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'auditor', user: { token: 'load-bench' } }],
        contexts: [{ name: 'hung', context: { cluster: 'hung', user: 'auditor' } }],
      }),
    );
    const beforeKube = hung.accepted();
    const kube = await runCli(['audit', '--kubeconfig', kubeconfig, '--deadline', String(deadlineS), '--format', 'json', '--out', join(dir, 'kube-report.json')], process.env, hardStopMs);
    const kubeConnections = hung.accepted() - beforeKube;

    return [
      {
        scenario: awsScenario,
        kind: 'measured',
        figures: {
          'wall ms': round1(aws.ms),
          exit: aws.signal ?? String(aws.code),
          'killed by the bench': aws.killed,
          'connections to the hung endpoint': awsConnections,
          'report written': report !== undefined,
          'report says "timed out after N s"': timedOut,
          'last stderr line': lastLine(aws.stderr),
        },
        targets: [
          withinDeadline(aws, limitMs, deadlineS),
          { name: 'exit 1 with the missing data "timed out after N s"', met: aws.code === 1 && timedOut, detail: `exit ${aws.signal ?? aws.code}, report ${report === undefined ? 'missing' : timedOut ? 'names the timeout' : 'does not name a timeout'}` },
        ],
      },
      {
        scenario: kubeScenario,
        kind: 'measured',
        figures: {
          'wall ms': round1(kube.ms),
          exit: kube.signal ?? String(kube.code),
          'killed by the bench': kube.killed,
          'connections to the hung endpoint': kubeConnections,
          'last stderr line': lastLine(kube.stderr),
        },
        targets: [
          withinDeadline(kube, limitMs, deadlineS),
          { name: 'non-zero exit', met: kube.code !== null && kube.code !== 0, detail: `exit ${kube.signal ?? kube.code}` },
        ],
      },
    ];
  } finally {
    await hung.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function withinDeadline(run: Run, limitMs: number, deadlineS: number): Target {
  return {
    name: `ends within deadline + ${SLACK_S} s`,
    met: !run.killed && run.ms <= limitMs,
    detail: `${round1(run.ms / 1000)} s, limit ${deadlineS + SLACK_S} s${run.killed ? ' (killed by the bench)' : ''}`,
  };
}
