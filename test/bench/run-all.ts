/**
 * `npm run bench`: the whole-process benchmark, then the in-process one with its per-stage
 * times, both always run; exits 1 when either misses a target. Options go to the bench that
 * knows them: --only to the process bench, --groups-per-pool to the in-process one, --nodes,
 * --groups and --runs to both.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROCESS_ONLY = new Set(['--only']);
const IN_PROCESS_ONLY = new Set(['--groups-per-pool']);

function argsFor(skip: ReadonlySet<string>): string[] {
  const args = process.argv.slice(2);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const name = args[i]!.split('=')[0]!;
    const takesValue = !args[i]!.includes('=') && i + 1 < args.length && !args[i + 1]!.startsWith('--');
    if (!skip.has(name)) out.push(args[i]!, ...(takesValue ? [args[i + 1]!] : []));
    if (takesValue) i++;
  }
  return out;
}

function run(script: string, nodeFlags: string[], args: string[]): number {
  const path = fileURLToPath(new URL(script, import.meta.url));
  const result = spawnSync(process.execPath, [...nodeFlags, path, ...args], { stdio: 'inherit' });
  return result.status ?? 1;
}

const processStatus = run('./process-bench.js', [], argsFor(IN_PROCESS_ONLY));
console.log();
// The in-process bench times stages inside one warm process; a 64 MB young generation keeps
// scavenges of the parsed input out of its stage figures.
const stageStatus = run('./audit-bench.js', ['--max-semi-space-size=64'], argsFor(PROCESS_ONLY));
process.exitCode = processStatus !== 0 || stageStatus !== 0 ? 1 : 0;
