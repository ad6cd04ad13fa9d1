/**
 * `npm run bench` (first part): times whole `sgaudit` processes, what a user runs, against floors
 * on the same machine:
 *   - `sgaudit --version` and `sgaudit --help` vs `node -e 0`: target <= 3x;
 *   - `sgaudit audit ... --format json --out /dev/null` vs `node floor.mjs <the same files>` (a
 *     process that only reads and JSON.parses them): target <= 2x, on three inputs:
 *       audit            the benchmark cluster, generateAwsCluster(nodes, groups, 10)
 *       no-shared-group  the same with one node pool launched without the shared cluster group
 *                        (and the group holding its VXLAN rule): about a million more blocked pairs
 *       worst-case       1 group per pool: every group is its own pool, the most equivalence classes
 *
 * Each comparison runs one warm-up of each command, then A B A B ... `--runs` times, each a fresh
 * child process (spawnSync, output discarded, 120 s timeout) timed with process.hrtime.bigint().
 * It prints min/median/max of both and the median of the per-pair ratios A/B, which is what the
 * target is checked against. Exits 1 when a target is missed or a command fails (after printing all).
 *
 * The CLI is driven only through the built bin (dist/src/cli/bin.js) with no node flags, as a user
 * runs it; this file imports nothing from src/.
 *
 * Usage: node dist/test/bench/process-bench.js [--nodes 5000] [--groups 500] [--runs 7]
 *          [--only version|help|audit|no-shared-group|worst-case ...]  (repeatable or comma-separated)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateAwsCluster } from './generate-aws-cluster.js';
// Type only: the bench runs the CLI as a process and loads nothing of src/ itself.
import type { ReportSummary } from '../../src/model/report.js';

const COMPARISONS = ['version', 'help', 'audit', 'no-shared-group', 'worst-case'] as const;

const TIMEOUT_MS = 120_000;
const NODE = process.execPath;
const BIN = fileURLToPath(new URL('../../src/cli/bin.js', import.meta.url));
// floor.mjs is not compiled: from dist/test/bench/ it is ../../../test/bench/floor.mjs
const FLOOR = fileURLToPath(new URL('../../../test/bench/floor.mjs', import.meta.url));

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    groups: { type: 'string', default: '500' },
    runs: { type: 'string', default: '7' },
    only: { type: 'string', multiple: true },
  },
});
const nodeCount = positiveInt('--nodes', values.nodes);
const groupCount = positiveInt('--groups', values.groups);
const runs = positiveInt('--runs', values.runs);
const only = new Set((values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''));
for (const name of only) {
  if (!(COMPARISONS as readonly string[]).includes(name)) usage(`unknown --only ${name}; one of ${COMPARISONS.join(', ')}`);
}
const selected = COMPARISONS.filter((name) => only.size === 0 || only.has(name));
for (const file of [BIN, FLOOR]) {
  if (!existsSync(file)) usage(`${file} is missing; build first: npx tsc -p tsconfig.build.json`);
}

/** One command line, run with `cwd` as its working directory. */
interface Command {
  args: string[];
  cwd: string;
  /** Exit codes that mean success: audit exits 1 when it has findings, which these inputs have. */
  okCodes: number[];
}

interface Stats {
  min: number;
  median: number;
  max: number;
}

interface AuditInput {
  dir: string;
  files: string[];
  megabytes: number;
}

const fmt = (n: number): string => n.toLocaleString('en-US');

console.log('sgaudit process benchmark: whole processes, as a user runs them');
console.log(`  node ${process.version} (${NODE}), ${process.platform}/${process.arch}, ${cpus().length} CPUs: ${cpus()[0]?.model ?? 'unknown'}`);
console.log(`  NODE_OPTIONS: ${process.env.NODE_OPTIONS ? JSON.stringify(process.env.NODE_OPTIONS) : '(none)'}; children get no extra node flags`);
console.log(`  ${runs} counted runs per command after one warm-up, alternating A B A B ..., ${TIMEOUT_MS / 1000} s timeout per process, output discarded`);
console.log('  ratio = median of the per-pair ratios A/B (time of a whole process, spawn to exit)');

const root = await mkdtemp(join(tmpdir(), 'sgaudit-process-bench-'));
let failed = false;
try {
  const groupsPerPool = 10;
  const poolCount = Math.max(1, Math.floor(groupCount / groupsPerPool));
  const poolWithoutSharedGroup = poolCount > 1 ? 1 : 0;
  const inputs = new Map<string, Promise<AuditInput>>();
  const input = (name: string, gpp: number, pool?: number): Promise<AuditInput> => {
    let p = inputs.get(name);
    if (!p) {
      p = writeInput(join(root, name), gpp, pool);
      inputs.set(name, p);
    }
    return p;
  };
  const summaries = new Map<string, Promise<ReportSummary>>();
  const summaryOf = (name: string, gpp: number, pool?: number): Promise<ReportSummary> => {
    let p = summaries.get(name);
    if (!p) {
      p = input(name, gpp, pool).then(auditSummary);
      summaries.set(name, p);
    }
    return p;
  };

  for (const name of selected) {
    console.log('');
    try {
      switch (name) {
        case 'version':
        case 'help': {
          const flag = `--${name}`;
          console.log(`${flag} vs node -e 0`);
          const ok = compare({ args: [BIN, flag], cwd: root, okCodes: [0] }, { args: ['-e', '0'], cwd: root, okCodes: [0] }, 3);
          if (!ok) failed = true;
          break;
        }
        case 'audit': {
          console.log(`audit (${fmt(nodeCount)} nodes, ${groupsPerPool} groups per pool)`);
          const data = await input('audit', groupsPerPool);
          describeInput(data, `generateAwsCluster(${nodeCount}, ${groupCount}, ${groupsPerPool}): ${fmt(groupCount + 1)} security groups, ${poolCount} node pools`);
          console.log(`  report summary: ${JSON.stringify(await summaryOf('audit', groupsPerPool))}`);
          if (!compareAudit(data)) failed = true;
          break;
        }
        case 'no-shared-group': {
          console.log('audit (one pool without the shared group)');
          const data = await input('no-shared-group', groupsPerPool, poolWithoutSharedGroup);
          describeInput(
            data,
            `generateAwsCluster(${nodeCount}, ${groupCount}, ${groupsPerPool}, 10, ${poolWithoutSharedGroup}): ` +
              `pool ${poolWithoutSharedGroup}'s ENIs lack the shared cluster group and the group holding their VXLAN rule`,
          );
          const summary = await summaryOf('no-shared-group', groupsPerPool, poolWithoutSharedGroup);
          const base = await summaryOf('audit', groupsPerPool);
          console.log(`  report summary: ${JSON.stringify(summary)}`);
          console.log(
            `  blocked pairs: ${fmt(summary.blocked)}, ${fmt(summary.blocked - base.blocked)} more than the ${groupsPerPool}-groups-per-pool input (${fmt(base.blocked)})`,
          );
          if (!compareAudit(data)) failed = true;
          break;
        }
        case 'worst-case': {
          console.log('audit (worst case, 1 group per pool)');
          const data = await input('worst-case', 1);
          describeInput(data, `generateAwsCluster(${nodeCount}, ${groupCount}, 1): every group is its own node pool (${groupCount} pools)`);
          console.log(`  report summary: ${JSON.stringify(await summaryOf('worst-case', 1))}`);
          if (!compareAudit(data)) failed = true;
          break;
        }
      }
    } catch (err) {
      failed = true;
      console.log(`  ERROR: ${err instanceof Error ? err.message : String(err)}`);
      console.log('  RESULT: missed (the command failed)');
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
console.log('');
console.log(failed ? 'process bench: at least one target missed' : 'process bench: all targets met');
if (failed) process.exitCode = 1;

async function writeInput(dir: string, groupsPerPool: number, poolWithoutSharedGroup?: number): Promise<AuditInput> {
  await mkdir(dir);
  const cluster = generateAwsCluster(nodeCount, groupCount, groupsPerPool, 10, poolWithoutSharedGroup);
  const docs: [string, unknown][] = [
    ['nodes.json', cluster.nodes],
    ['flannel.json', cluster.flannel],
    ...cluster.aws.map((d): [string, unknown] => [d.name, d.body]),
  ];
  let bytes = 0;
  for (const [name, body] of docs) {
    await writeFile(join(dir, name), JSON.stringify(body));
    bytes += (await stat(join(dir, name))).size;
  }
  return { dir, files: docs.map(([name]) => name), megabytes: bytes / 1e6 };
}

/** The audit command line; files are relative to the input directory, the children's cwd. */
function auditArgs(data: AuditInput, out: string): string[] {
  const [nodes, flannel, ...aws] = data.files;
  return [BIN, 'audit', '--nodes', nodes!, '--flannel', flannel!, '--aws', ...aws, '--format', 'json', '--out', out];
}

function describeInput(data: AuditInput, what: string): void {
  console.log(`  input: ${what}; ${data.megabytes.toFixed(1)} MB in ${data.files.length} files`);
}

/** Runs the audit once to a file and returns its report summary, so readers see the blocked counts. */
async function auditSummary(data: AuditInput): Promise<ReportSummary> {
  const out = join(data.dir, 'report.json');
  run({ args: auditArgs(data, out), cwd: data.dir, okCodes: [0, 1] });
  const report = JSON.parse(await readFile(out, 'utf8')) as { summary: ReportSummary };
  await rm(out);
  return report.summary;
}

function compareAudit(data: AuditInput): boolean {
  return compare(
    { args: auditArgs(data, '/dev/null'), cwd: data.dir, okCodes: [0, 1] },
    { args: [FLOOR, ...data.files], cwd: data.dir, okCodes: [0] },
    2,
  );
}

/** A B A B ... after one warm-up each; prints the block's numbers and returns whether the target is met. */
function compare(a: Command, b: Command, target: number): boolean {
  console.log(`  A: (cd ${a.cwd} && ${commandLine(a)})`);
  console.log(`  B: (cd ${b.cwd} && ${commandLine(b)})`);
  run(a);
  run(b);
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    const ta = run(a);
    const tb = run(b);
    as.push(ta);
    bs.push(tb);
    ratios.push(ta / tb);
  }
  const sa = stats(as);
  const sb = stats(bs);
  const ratio = median(ratios);
  const met = ratio <= target;
  console.log(`  A: min ${ms(sa.min)}  median ${ms(sa.median)}  max ${ms(sa.max)}`);
  console.log(`  B: min ${ms(sb.min)}  median ${ms(sb.median)}  max ${ms(sb.max)}`);
  console.log(`  ratio A/B: ${ratio.toFixed(2)}x (median of ${runs} pairs; ratio of medians ${(sa.median / sb.median).toFixed(2)}x)  target <= ${target.toFixed(2)}x  ${met ? 'met' : 'missed'}`);
  return met;
}

/** One child process, spawn to exit, in milliseconds. Throws when it fails or times out. */
function run(cmd: Command): number {
  const start = process.hrtime.bigint();
  const child = spawnSync(NODE, cmd.args, {
    cwd: cmd.cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: TIMEOUT_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (child.error) throw new Error(`${commandLine(cmd)}: ${child.error.message}`);
  if (child.signal !== null) throw new Error(`${commandLine(cmd)}: killed by ${child.signal}${child.signal === 'SIGKILL' ? ` (timeout ${TIMEOUT_MS / 1000} s?)` : ''}`);
  if (child.status === null || !cmd.okCodes.includes(child.status)) {
    const stderr = child.stderr.toString('utf8').trim().slice(0, 2000);
    throw new Error(`${commandLine(cmd)}: exit code ${child.status}${stderr ? `\n${stderr}` : ''}`);
  }
  return elapsed;
}

function commandLine(cmd: Command): string {
  return [NODE, ...cmd.args].map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((x, y) => x - y);
  return { min: s[0]!, median: median(s), max: s[s.length - 1]! };
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function ms(x: number): string {
  return `${x.toFixed(0).padStart(6)} ms`;
}

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) usage(`${flag} must be a positive integer, got ${value}`);
  return n;
}

function usage(message: string): never {
  console.error(`process-bench: ${message}`);
  console.error(`usage: node dist/test/bench/process-bench.js [--nodes 5000] [--groups 500] [--runs 7] [--only ${COMPARISONS.join('|')}]`);
  process.exit(2);
}
