/**
 * `npm run bench:probe-coverage`: simulates the peer selection of src/probe/peer-selection.ts at
 * 24, 500 and 5,000 nodes. No packet is sent: this measures the plan, not the network. For each
 * size and strategy it reports, per sweep, the pairs planned and the share of all directed pairs
 * covered so far; the sweeps to full coverage against the maths of src/probe/peer-coverage.ts;
 * the time to compute one plan; each node's send load (peers per sweep) and receive load (sources
 * per sweep); and, for one node joining and one leaving, the share of planned pairs that changed.
 * Prints a table per size and one JSON line at the end (docs/probe-coverage.md quotes both).
 *
 * Usage: npm run bench:probe-coverage [-- --sizes 24,24:8,500,5000 --k 32 --independent-sweeps 40]
 * (--sizes takes N or N:k; --k is the k of the sizes that name none)
 * The independent strategy needs about 2,700 sweeps to cover 5,000 nodes, so above 500 nodes it
 * runs only --independent-sweeps sweeps and its full coverage is the formula's.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { PairSpec } from '../../src/model/probe.js';
import { coverageGuarantee, missProbability } from '../../src/probe/peer-coverage.js';
import { cycleLength, plannedPairs, type PeerSelectionStrategy } from '../../src/probe/peer-selection.js';

const { values } = parseArgs({
  options: {
    /** Node counts, each optionally with its own k as N:k. */
    sizes: { type: 'string', default: '24,24:8,500,5000' },
    k: { type: 'string', default: '32' },
    'independent-sweeps': { type: 'string', default: '40' },
    /** Up to this many nodes, the independent strategy is simulated until every pair is covered. */
    'simulate-independent-to': { type: 'string', default: '500' },
  },
});
const defaultK = Number(values.k);
const scenarios = values.sizes.split(',').map((spec) => {
  const [n, k] = spec.split(':').map(Number);
  const scenario = { n: n!, k: k ?? defaultK };
  if (!Number.isSafeInteger(scenario.n) || scenario.n < 2 || !Number.isSafeInteger(scenario.k) || scenario.k < 1) {
    throw new Error(`--sizes / --k: ${JSON.stringify(spec)} with k ${values.k} is not N or N:k with whole numbers N >= 2 and k >= 1`);
  }
  return scenario;
});
const independentSweeps = Number(values['independent-sweeps']);
const simulateIndependentTo = Number(values['simulate-independent-to']);

interface SweepRow {
  sweep: number;
  planned: number;
  newlyCovered: number;
  coveredShare: number;
  planMs: number;
  maxSend: number;
  maxReceive: number;
}

interface StrategyResult {
  strategy: PeerSelectionStrategy;
  sweepsRun: number;
  /** Null when the run stopped before every pair was covered. */
  sweepsToFullCoverage: number | null;
  sweepsTo999Permille: number | null;
  predictedSweepsToFullCoverage: number;
  predictedSweepsTo999Permille: number | null;
  planMs: { min: number; median: number; max: number };
  pairsPerSweepMax: number;
  maxSendPerNode: number;
  maxReceivePerNode: number;
  rows: SweepRow[];
}

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${String(i).padStart(5, '0')}`);

function simulate(n: number, k: number, strategy: PeerSelectionStrategy, maxSweeps: number): StrategyResult {
  const nodes = names(n);
  const index = new Map(nodes.map((name, i) => [name, i]));
  const covered = new Uint8Array(n * n);
  const total = n * (n - 1);
  let coveredCount = 0;
  const rows: SweepRow[] = [];
  let full: number | null = null;
  let at999: number | null = null;
  for (let sweep = 0; sweep < maxSweeps && full === null; sweep++) {
    const started = performance.now();
    const pairs = plannedPairs({ nodes, perNodePeers: k, sweep, strategy });
    const planMs = performance.now() - started;
    const send = new Uint32Array(n);
    const receive = new Uint32Array(n);
    let newly = 0;
    for (const p of pairs) {
      const s = index.get(p.source)!;
      const d = index.get(p.destination)!;
      send[s]!++;
      receive[d]!++;
      if (covered[s * n + d] === 0) {
        covered[s * n + d] = 1;
        newly++;
      }
    }
    coveredCount += newly;
    rows.push({ sweep, planned: pairs.length, newlyCovered: newly, coveredShare: coveredCount / total, planMs, maxSend: Math.max(...send), maxReceive: Math.max(...receive) });
    if (at999 === null && coveredCount >= 0.999 * total) at999 = sweep + 1;
    if (coveredCount === total) full = sweep + 1;
  }
  const g = coverageGuarantee({ nodeCount: n, perNodePeers: k, strategy });
  const times = rows.map((r) => r.planMs).sort((a, b) => a - b);
  return {
    strategy,
    sweepsRun: rows.length,
    sweepsToFullCoverage: full,
    sweepsTo999Permille: at999,
    predictedSweepsToFullCoverage: g.kind === 'probabilistic' ? g.expectedSweepsToCoverAll : g.sweepsToCoverAll,
    predictedSweepsTo999Permille: g.kind === 'probabilistic' ? g.sweepsFor999PermilleOfPairs : null,
    planMs: { min: times[0]!, median: times[Math.floor(times.length / 2)]!, max: times[times.length - 1]! },
    pairsPerSweepMax: Math.max(...rows.map((r) => r.planned)),
    maxSendPerNode: Math.max(...rows.map((r) => r.maxSend)),
    maxReceivePerNode: Math.max(...rows.map((r) => r.maxReceive)),
    rows,
  };
}

interface Churn {
  strategy: PeerSelectionStrategy;
  event: 'join' | 'leave' | 'join at a cycle-length boundary';
  nodes: number;
  sweep: number;
  /** Which window of each source's order the sweep takes (rotating only). */
  phase: number | null;
  /** |before \ after| / |before|: the share of the sweep's planned pairs that are planned no more. */
  replacedShare: number;
  /** The part of those pairs that do not involve the node that joined or left. */
  replacedNotInvolvingItShare: number;
}

const pairKey = (p: PairSpec): string => `${p.source}\u0000${p.destination}`;

function churn(k: number, strategy: PeerSelectionStrategy, before: string[], after: string[], node: string, event: Churn['event'], sweep: number): Churn {
  const a = new Set(plannedPairs({ nodes: before, perNodePeers: k, sweep, strategy }).map(pairKey));
  const b = new Set(plannedPairs({ nodes: after, perNodePeers: k, sweep, strategy }).map(pairKey));
  let replaced = 0;
  let notInvolving = 0;
  for (const p of a) {
    if (b.has(p)) continue;
    replaced++;
    const [s, d] = p.split('\u0000');
    if (s !== node && d !== node) notInvolving++;
  }
  const phase = strategy === 'rotating' ? sweep % cycleLength(before.length, k) : null;
  return { strategy, event, nodes: before.length, sweep, phase, replacedShare: replaced / a.size, replacedNotInvolvingItShare: notInvolving / a.size };
}

/**
 * Churn at three phases of a cycle (first, middle, last window): in the rotating strategy a
 * joiner shifts the windows of the sources that rank it before their window, so the change grows
 * with the phase. The sweep numbers are large, as on a service that has run for a while: the
 * cycle-length boundary only shows once the sweep counter has passed C.
 */
function churnFor(n: number, k: number, strategy: PeerSelectionStrategy): Churn[] {
  const nodes = names(n);
  const cycle = cycleLength(n, k);
  const sweeps = [...new Set([0, Math.floor(cycle / 2), cycle - 1])].map((phase) => 100 * cycle + phase);
  const leaver = nodes[17 % n]!;
  const out = sweeps.flatMap((sweep) => [
    churn(k, strategy, nodes, [...nodes, 'joiner'], 'joiner', 'join', sweep),
    churn(k, strategy, nodes, nodes.filter((x) => x !== leaver), leaver, 'leave', sweep),
  ]);
  // Adding one node changes C = ceil((N-1)/k) when N-1 is a multiple of k: the rotating phase jumps.
  const boundary = Math.floor((n - 1) / k) * k + 1;
  if (strategy === 'rotating' && k < boundary - 1) {
    const at = names(boundary);
    out.push(churn(k, strategy, at, [...at, 'joiner'], 'joiner', 'join at a cycle-length boundary', 100 * cycleLength(boundary, k) + 1));
  }
  return out;
}

/** The share of pairs covered after S sweeps: exact for rotating, expected for independent. */
function expectedCoveredShare(n: number, k: number, strategy: PeerSelectionStrategy, sweeps: number): number {
  if (k >= n - 1) return sweeps > 0 ? 1 : 0;
  return strategy === 'rotating' ? Math.min(sweeps * k, n - 1) / (n - 1) : 1 - missProbability(k / (n - 1), sweeps);
}

const pct = (x: number, digits = 2): string => `${(100 * x).toFixed(digits)} %`;
const ms = (x: number): string => `${x.toFixed(1)} ms`;

console.log(`probe coverage simulation; ${new Date().toISOString()}; ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.cpus().length}; node ${process.version}`);
const summary: Record<string, unknown>[] = [];
for (const { n, k } of scenarios) {
  const results: StrategyResult[] = [];
  for (const strategy of ['rotating', 'independent'] as const) {
    const maxSweeps = strategy === 'rotating' ? cycleLength(n, k) : n <= simulateIndependentTo ? 100_000 : independentSweeps;
    results.push(simulate(n, k, strategy, maxSweeps));
  }
  const churns = (['rotating', 'independent'] as const).flatMap((s) => (k < n - 1 ? churnFor(n, k, s) : []));
  console.log(`\n${n} nodes, k = ${k} peers per node and sweep, ${n * (n - 1)} directed pairs${k >= n - 1 ? ': a full mesh every sweep' : ''}`);
  for (const r of results) {
    const shown = new Set([1, 2, 3, 5, 10, Math.ceil(r.sweepsRun / 4), Math.ceil(r.sweepsRun / 2), Math.ceil((3 * r.sweepsRun) / 4), r.sweepsRun]);
    console.log(`  ${r.strategy}: plan ${ms(r.planMs.min)} min, ${ms(r.planMs.median)} median, ${ms(r.planMs.max)} max; at most ${r.pairsPerSweepMax} pairs a sweep; send <= ${r.maxSendPerNode} peers/node, receive <= ${r.maxReceivePerNode} sources/node`);
    console.log(`    sweeps to 99.9 %: ${r.sweepsTo999Permille ?? 'not reached'}${r.predictedSweepsTo999Permille === null ? '' : ` (formula ${r.predictedSweepsTo999Permille})`}; to 100 %: ${r.sweepsToFullCoverage ?? `not reached in ${r.sweepsRun}`} (${r.strategy === 'rotating' ? 'guaranteed' : 'expected'} ${r.predictedSweepsToFullCoverage.toFixed(r.strategy === 'rotating' ? 0 : 1)})`);
    console.log('    sweep | planned pairs | newly covered | covered so far |   formula | plan time | max send | max receive');
    for (const row of r.rows.filter((x) => shown.has(x.sweep + 1))) {
      const formula = expectedCoveredShare(n, k, r.strategy, row.sweep + 1);
      console.log(`    ${String(row.sweep + 1).padStart(5)} | ${String(row.planned).padStart(13)} | ${String(row.newlyCovered).padStart(13)} | ${pct(row.coveredShare, 3).padStart(14)} | ${pct(formula, 3).padStart(9)} | ${ms(row.planMs).padStart(9)} | ${String(row.maxSend).padStart(8)} | ${String(row.maxReceive).padStart(11)}`);
    }
  }
  for (const c of churns) {
    console.log(`  ${c.strategy}, one node ${c.event} (${c.nodes} nodes, sweep ${c.sweep}${c.phase === null ? '' : `, phase ${c.phase}`}): ${pct(c.replacedShare)} of the sweep's pairs dropped, of which pairs not involving that node ${pct(c.replacedNotInvolvingItShare)}`);
  }
  summary.push({
    nodes: n,
    k,
    strategies: results.map(({ rows, ...rest }) => rest),
    churn: churns,
  });
}
console.log(JSON.stringify({ bench: 'probe-coverage', date: new Date().toISOString(), cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, results: summary }));
