/**
 * `npm run bench:load`: the load and fault targets of issue #11, measured against real
 * `sgaudit` processes on 127.0.0.1 (the built bin; nothing of src/ is loaded here).
 *
 *   shedding  200 keep-alive clients POST the 50-node audit for 20 s; /healthz on a new
 *             connection every 100 ms, RSS every 250 ms; every 201 is read back afterwards
 *   big       one 5,000-node POST with maxPairs at its documented maximum; /healthz every 50 ms
 *   hung      `audit --aws-live` and `audit --kubeconfig` against an endpoint that never answers
 *
 * Prints each scenario's figures and targets, then one JSON line with everything
 * ("sgaudit-load {...}"); exits 1 when a target is missed or a scenario could not run.
 * Not part of `npm test`: it needs the build and about a minute of both cores.
 *
 * Usage: npm run bench:load [-- --only shedding|big|hung ...] [--duration 20] [--connections 200]
 *          [--nodes 50] [--big-nodes 5000] [--big-groups 500] [--deadline 10] [--request-timeout 2]
 *          [--server-arg=--workers --server-arg=2 ...]  (extra `serve` flags, one word each)
 *          [--keep-logs]  (keep each server's data directory and log; their paths are printed)
 */
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runBig } from './load-scenario-big.js';
import { runHung } from './load-scenario-hung.js';
import { runShedding } from './load-scenario-shedding.js';
import { missed, printResult, type ScenarioResult } from './load-report.js';

const SCENARIOS = ['shedding', 'big', 'hung'] as const;
type Scenario = (typeof SCENARIOS)[number];

const { values } = parseArgs({
  options: {
    only: { type: 'string', multiple: true },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '200' },
    nodes: { type: 'string', default: '50' },
    'big-nodes': { type: 'string', default: '5000' },
    'big-groups': { type: 'string', default: '500' },
    deadline: { type: 'string', default: '10' },
    'request-timeout': { type: 'string', default: '2' },
    'server-arg': { type: 'string', multiple: true },
    'keep-logs': { type: 'boolean', default: false },
  },
});

function usage(message: string): never {
  console.error(`load-shedding: ${message}`);
  process.exit(2);
}

function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) usage(`${flag} must be a positive integer, got ${JSON.stringify(raw)}`);
  return n;
}

const only = new Set((values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== ''));
for (const name of only) {
  if (!(SCENARIOS as readonly string[]).includes(name)) usage(`unknown --only ${JSON.stringify(name)}; one of ${SCENARIOS.join(', ')}`);
}
const selected: Scenario[] = SCENARIOS.filter((s) => only.size === 0 || only.has(s));
const durationS = positiveInt('--duration', values.duration);
const connections = positiveInt('--connections', values.connections);
const nodes = positiveInt('--nodes', values.nodes);
const bigNodes = positiveInt('--big-nodes', values['big-nodes']);
const bigGroups = positiveInt('--big-groups', values['big-groups']);
const deadlineS = positiveInt('--deadline', values.deadline);
const requestTimeoutS = positiveInt('--request-timeout', values['request-timeout']);
const serverArgs = values['server-arg'] ?? [];
const keepLogs = values['keep-logs'] ?? false;

console.log('sgaudit load and fault targets (issue #11), real processes on 127.0.0.1');
console.log(`  node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} CPUs: ${cpus()[0]?.model ?? 'unknown'}, ${new Date().toISOString()}`);
console.log(`  scenarios: ${selected.join(', ')}; extra serve flags: ${serverArgs.length === 0 ? '(none)' : serverArgs.join(' ')}`);

const results: ScenarioResult[] = [];
for (const scenario of selected) {
  const printedUpTo = results.length;
  try {
    switch (scenario) {
      case 'shedding':
        results.push(await runShedding({ durationS, connections, nodes, serverArgs, keepLogs }));
        break;
      case 'big':
        results.push(await runBig({ nodes: bigNodes, groups: bigGroups, serverArgs, keepLogs }));
        break;
      case 'hung':
        results.push(...(await runHung({ deadlineS, requestTimeoutS })));
        break;
    }
  } catch (e) {
    results.push({ scenario, kind: 'not-run', reason: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
  for (const r of results.slice(printedUpTo)) printResult(r);
}

const failed = results.filter(missed);
console.log('');
console.log(failed.length === 0 ? 'OK: every target met' : `MISSED: ${failed.map((r) => r.scenario.split(':')[0]).join(', ')}`);
console.log(`sgaudit-load ${JSON.stringify({ cpus: cpus().length, node: process.version, date: new Date().toISOString(), results })}`);
process.exitCode = failed.length === 0 ? 0 : 1;
