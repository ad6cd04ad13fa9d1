/**
 * A real `sgaudit serve` process for the load script: the built bin, started as an operator
 * starts it, on 127.0.0.1 with a free port and a temporary data directory. The bench measures
 * the process from outside (HTTP, /proc), so it imports nothing from src/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));

export interface ServerOptions {
  /** Extra `serve` flags, such as `--workers 2` or `--queue-limit 64`. */
  extraArgs: readonly string[];
  /** How long to wait for the server to answer /healthz. */
  startTimeoutMs: number;
  /** Keep the data directory and the server log after stop, for a post-mortem. */
  keepLogs: boolean;
}

export interface ExitFigures {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From the signal being sent to the process being gone. */
  ms: number;
}

export interface RunningServer {
  url: string;
  pid: number;
  token: string;
  /** The server's stdout and stderr (pino JSON lines), kept for a post-mortem. */
  logFile: string;
  /** The peak resident set size the kernel recorded (VmHWM), in MB; undefined once the process is gone. */
  peakRssMb(): Promise<number | undefined>;
  /** SIGTERM, then SIGKILL after `graceMs`; removes the data directory unless keepLogs. */
  stop(graceMs: number): Promise<ExitFigures>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing; build first: npx tsc -p tsconfig.build.json`);
  const dir = await mkdtemp(join(tmpdir(), 'sgaudit-load-'));
  const logFile = join(dir, 'server.log');
  const token = `load-${randomUUID()}`;
  const port = await freePort();
  // The log goes straight to a file, not through a pipe into this process: under load the
  // access log is megabytes, and reading it here would take CPU from the server we measure.
  const log = await open(logFile, 'w');
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--host', '127.0.0.1', '--port', String(port), '--data-dir', join(dir, 'data'), ...options.extraArgs],
    { stdio: ['ignore', log.fd, log.fd], env: { ...process.env, SGAUDIT_API_TOKEN: token } },
  );
  await log.close();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let gone = false;
  void exited.then(() => {
    gone = true;
  });

  const url = `http://127.0.0.1:${port}`;
  await waitForHealthy(url, child, () => gone, options.startTimeoutMs).catch(async (e: unknown) => {
    child.kill('SIGKILL');
    const tail = await readFile(logFile, 'utf8').catch(() => '');
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${(e as Error).message}\nserver log:\n${tail.slice(-4000)}`);
  });
  const pid = child.pid!;

  return {
    url,
    pid,
    token,
    logFile,
    peakRssMb: async () => (gone ? undefined : await statusFieldMb(pid, 'VmHWM')),
    stop: async (graceMs) => {
      const started = performance.now();
      if (!gone) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(killer);
      }
      const { code, signal } = await exited;
      if (!options.keepLogs) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
      return { code, signal, ms: performance.now() - started };
    },
  };
}

/**
 * A port that was free a moment ago. The server is given a fixed port rather than `--port 0`
 * because its log line with the bound URL is not written under `--log-level warn`, and the
 * access log's cost is one of the things worth measuring with and without.
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address !== null && typeof address === 'object' ? resolve(address.port) : reject(new Error('no TCP port'))));
    });
  });
}

async function waitForHealthy(url: string, child: ChildProcess, gone: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (gone()) throw new Error(`sgaudit serve exited with ${child.exitCode ?? child.signalCode} before answering /healthz`);
    const ok = await fetch(`${url}/healthz`).then(
      async (res) => {
        await res.arrayBuffer();
        return res.status === 200;
      },
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sgaudit serve did not answer /healthz within ${timeoutMs} ms`);
}

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM) in MB, or undefined when the process is gone. */
export async function statusFieldMb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number | undefined> {
  let status: string;
  try {
    status = await readFile(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m ? Number(m[1]) / 1024 : undefined;
}

/** Samples VmRSS every `intervalMs` until stopped; the kernel's VmHWM catches peaks between samples. */
export class RssSampler {
  private readonly samples: number[] = [];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(pid: number, intervalMs: number) {
    this.timer = setInterval(() => {
      void statusFieldMb(pid, 'VmRSS').then((mb) => {
        if (mb !== undefined) this.samples.push(mb);
      });
    }, intervalMs);
  }

  stop(): { samples: number; peakMb: number; lastMb: number } {
    clearInterval(this.timer);
    return { samples: this.samples.length, peakMb: Math.max(0, ...this.samples), lastMb: this.samples.at(-1) ?? 0 };
  }
}
