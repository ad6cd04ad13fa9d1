/**
 * `npm run bench`: audits a generated 5,000-node AWS cluster (~500 security groups) and compares
 * the audit time with the floor, the time to only read and JSON-parse the same files.
 * Target: audit <= 2x floor. Exits 1 when the target is missed.
 *
 * npm runs it with `--max-semi-space-size=64`: an audit parses megabytes of JSON and builds its model
 * right away, and V8's default 16 MB young generation copies that input in scavenges the parse-only
 * floor never pays. The Docker image sets the same flag (NODE_OPTIONS). The flags in effect are printed.
 *
 * Usage: npm run bench [-- --nodes 5000 --groups 500 --groups-per-pool 10 --runs 9]
 * `--groups-per-pool 1` makes every group its own node pool: 500 equivalence classes, the worst case.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runAudit } from '../../src/pipeline/audit.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import { buildSnapshot } from '../../src/inputs/build-snapshot.js';
import { buildReport } from '../../src/report/build-report.js';
import { readDocuments } from '../../src/inputs/read-files.js';
import type { AuditInputs } from '../../src/model/documents.js';
import { generateAwsCluster } from './generate-aws-cluster.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '5000' },
    groups: { type: 'string', default: '500' },
    'groups-per-pool': { type: 'string', default: '10' },
    runs: { type: 'string', default: '9' },
  },
});
const nodeCount = Number(values.nodes);
const groupCount = Number(values.groups);
const groupsPerPool = Number(values['groups-per-pool']);
const runs = Number(values.runs);

const dir = await mkdtemp(join(tmpdir(), 'sgaudit-bench-'));
try {
  const cluster = generateAwsCluster(nodeCount, groupCount, groupsPerPool);
  const files = { nodes: join(dir, 'nodes.json'), flannel: join(dir, 'flannel.json'), aws: [] as string[] };
  await writeFile(files.nodes, JSON.stringify(cluster.nodes));
  await writeFile(files.flannel, JSON.stringify(cluster.flannel));
  for (const doc of cluster.aws) {
    const path = join(dir, doc.name);
    files.aws.push(path);
    await writeFile(path, JSON.stringify(doc.body));
  }
  const allFiles = [files.nodes, files.flannel, ...files.aws];

  const floor = async (): Promise<void> => {
    for (const f of allFiles) JSON.parse(await readFile(f, 'utf8'));
  };
  let summary = '';
  const audit = async (): Promise<void> => {
    const inputs: AuditInputs = {
      nodes: await readDocuments([files.nodes], '--nodes'),
      flannel: await readDocuments([files.flannel], '--flannel'),
      aws: await readDocuments(files.aws, '--aws'),
      openstack: [],
      unavailable: [],
    };
    const { report } = runAudit(inputs);
    summary = JSON.stringify(report.summary);
  };

  await floor();
  await audit();
  const floorTimes: number[] = [];
  const auditTimes: number[] = [];
  for (let i = 0; i < runs; i++) {
    floorTimes.push(await time(floor));
    auditTimes.push(await time(audit));
  }
  const floorMs = median(floorTimes);
  const auditMs = median(auditTimes);
  const ratio = auditMs / floorMs;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  const inputMb = (await Promise.all(allFiles.map((f) => readFile(f)))).reduce((n, b) => n + b.length, 0) / 1e6;

  console.log(
    `sgaudit audit benchmark: ${nodeCount} nodes, ${groupCount + 1} security groups (${groupsPerPool} per node pool), ${inputMb.toFixed(1)} MB of exports`,
  );
  console.log(`  node ${process.version}, flags: ${process.execArgv.join(' ') || '(none)'}`);
  console.log(`  report summary:  ${summary}`);
  console.log(`  floor (read + JSON.parse only): ${floorMs.toFixed(0)} ms  (median of ${runs})`);
  console.log(`  audit (read, parse, translate, evaluate, report): ${auditMs.toFixed(0)} ms  (median of ${runs})`);
  console.log(`  ratio audit/floor: ${ratio.toFixed(2)}x  (target <= 2.00x)`);
  console.log(`  peak memory (max RSS): ${peakMb.toFixed(0)} MB`);
  const stages = await stageTimes(files);
  console.log(
    `  stages (median of ${runs}): read+parse ${stages.read.toFixed(0)} ms, translate ${stages.translate.toFixed(0)} ms, ` +
      `evaluate ${stages.evaluate.toFixed(0)} ms, report ${stages.report.toFixed(0)} ms`,
  );
  if (ratio > 2) {
    console.log('  RESULT: target missed');
    process.exitCode = 1;
  } else {
    console.log('  RESULT: target met');
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

/** Where the audit's time goes, so a regression points at its stage. */
async function stageTimes(files: { nodes: string; flannel: string; aws: string[] }): Promise<Record<'read' | 'translate' | 'evaluate' | 'report', number>> {
  const samples: Record<'read' | 'translate' | 'evaluate' | 'report', number[]> = { read: [], translate: [], evaluate: [], report: [] };
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    const lap = (stage: keyof typeof samples) => {
      const now = performance.now();
      samples[stage].push(now - t);
      t = now;
    };
    const inputs: AuditInputs = {
      nodes: await readDocuments([files.nodes], '--nodes'),
      flannel: await readDocuments([files.flannel], '--flannel'),
      aws: await readDocuments(files.aws, '--aws'),
      openstack: [],
      unavailable: [],
    };
    lap('read');
    const { snapshot, requirements } = buildSnapshot(inputs);
    lap('translate');
    const evaluation = evaluate(snapshot, requirements);
    lap('evaluate');
    buildReport(snapshot, evaluation, { maxPairs: 1000 });
    lap('report');
  }
  return { read: median(samples.read), translate: median(samples.translate), evaluate: median(samples.evaluate), report: median(samples.report) };
}

async function time(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
