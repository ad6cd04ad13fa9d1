/**
 * Runs consecutive probe sweeps in one process and prints one JSON line per sweep (the
 * ProbeReport). It runs inside a lab namespace (`ip netns exec`), so each sweep's
 * `elapsedMs` is request to verdicts with the process start excluded.
 *
 *   node --import tsx test/bench/probe-sweeps.ts <nodes.json> <sweeps> [runProbes options as JSON]
 */
import { translateNodes } from '../../providers/kubernetes/translate-nodes.js';
import { readDocuments } from '../../src/inputs/read-files.js';
import { probeNodesFromCluster } from '../../src/probe/inventory.js';
import { runProbes, type RunProbesOptions } from '../../src/probe/orchestrator.js';

const [inventory, sweepsArg, optionsArg] = process.argv.slice(2);
if (!inventory || !sweepsArg) {
  process.stderr.write('usage: probe-sweeps.ts <nodes.json> <sweeps> [options-json]\n');
  process.exit(2);
}
const secret = process.env.SGAUDIT_PROBE_SECRET;
if (!secret) {
  process.stderr.write('probe-sweeps: SGAUDIT_PROBE_SECRET is not set\n');
  process.exit(2);
}
const extra = (optionsArg ? JSON.parse(optionsArg) : {}) as Partial<RunProbesOptions>;
const { nodes } = translateNodes(await readDocuments([inventory], '--nodes'));
const probeNodes = probeNodesFromCluster(nodes);
for (let i = 0; i < Number(sweepsArg); i++) {
  const report = await runProbes({ nodes: probeNodes, agentPort: 9472, secret: Buffer.from(secret), ...extra });
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
