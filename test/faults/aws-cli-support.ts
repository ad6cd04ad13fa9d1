import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RawDocument } from '../../src/model/documents.js';
import type { AuditReport } from '../../src/model/report.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TimedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in seconds. */
  seconds: number;
  /**
   * Seconds from the last byte of output to the exit: what open handles (a hung socket, a
   * retry timer) add after the work is done. Near zero when everything was closed.
   */
  lingerSeconds: number;
}

/**
 * Runs the real CLI (`node --import tsx src/cli/bin.ts`) as its own process and waits for it
 * to exit by itself: a handle left open (a hung socket, a timer) shows up as a slow exit.
 * Asynchronous on purpose: the fault proxy and the fake API server answer from this process.
 * `killAfterMs` only stops a runaway so the test can fail with a message instead of hanging.
 */
export function runCli(args: string[], env: Record<string, string>, killAfterMs = 60_000): Promise<TimedRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/bin.ts', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let lastOutput = started;
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    lastOutput = performance.now();
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
    lastOutput = performance.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const now = performance.now();
      resolvePromise({ code, stdout, stderr, seconds: (now - started) / 1000, lingerSeconds: (now - lastOutput) / 1000 });
    });
  });
}

/** Writes documents to a fresh directory and returns their paths, in order. */
export function writeDocs(docs: RawDocument[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'sgaudit-faults-'));
  return docs.map((doc, i) => {
    const path = join(dir, `doc-${i}.json`);
    writeFileSync(path, JSON.stringify(doc.body));
    return path;
  });
}

export type Verdict = 'allowed' | 'blocked' | 'unknown';

/** Verdict per directed pair `src->dst`, read from the report's findings (pairs absent there are allowed). */
export function pairVerdicts(report: AuditReport): Record<string, Verdict> {
  const names = report.nodes.map((n) => n.name);
  const out: Record<string, Verdict> = {};
  for (const s of names) for (const d of names) if (s !== d) out[`${s}->${d}`] = 'allowed';
  for (const f of report.findings) {
    for (const p of f.pairs) {
      const key = `${p.sourceNode}->${p.destinationNode}`;
      if (f.verdict === 'blocked' || out[key] === 'allowed') out[key] = f.verdict;
    }
  }
  return out;
}
