/**
 * The probe engine at lab scale: a flannel-like lab of N network namespaces with real kernel
 * VXLAN (test/support/netns-lab.ts), two one-way nftables drops of UDP 8472, real agents, and
 * consecutive full-mesh sweeps. Prints per sweep the time from request to verdicts (process
 * start excluded), the false verdicts and whether both blocks were found, and the kernel's UDP
 * receive-buffer drops (RcvbufErrors) summed over all nodes. Needs root.
 *
 *   node --import tsx test/bench/probe-lab-bench.ts [--nodes 24] [--sweeps 10] [--options '{"timeoutMs":1000}'] [--agent-args='--rate 2000']
 */
import { parseArgs } from 'node:util';
import type { ProbeReport } from '../../src/model/probe.js';
import { LAB_BLOCKS, setUpProbeLab, sweepsInLab, verdictErrors } from './probe-lab.js';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '24' },
    sweeps: { type: 'string', default: '10' },
    options: { type: 'string', default: '{}' },
    'agent-args': { type: 'string', default: '' },
  },
});

const lab = await setUpProbeLab({ nodeCount: Number(values.nodes), agentArgs: values['agent-args'] ? values['agent-args'].split(' ') : [] });
try {
  const before = lab.rcvbufErrors();
  const reports: ProbeReport[] = sweepsInLab(lab, Number(values.sweeps), JSON.parse(values.options));
  const dropped = lab.rcvbufErrors() - before;
  let falseSweeps = 0;
  reports.forEach((report, i) => {
    const errors = verdictErrors(report, LAB_BLOCKS);
    if (errors.falseVerdicts.length > 0) falseSweeps++;
    const rounds = new Map<number, number>();
    for (const r of report.results) {
      const n = (r as { rounds?: number }).rounds ?? 1;
      rounds.set(n, (rounds.get(n) ?? 0) + 1);
    }
    const sendMs = Math.max(...report.results.map((r) => r.evidence.timings.sendMs ?? 0));
    console.log(JSON.stringify({
      sweep: i + 1,
      pairs: report.results.length,
      elapsedMs: report.elapsedMs,
      maxSendMs: sendMs,
      falseVerdicts: errors.falseVerdicts.length,
      falseSample: errors.falseVerdicts.slice(0, 3),
      blocksFound: errors.blocksFound,
      rounds: Object.fromEntries(rounds),
    }));
  });
  console.log(JSON.stringify({ nodes: Number(values.nodes), sweeps: reports.length, sweepsWithFalseVerdicts: falseSweeps, rcvbufErrors: dropped, elapsedMs: reports.map((r) => r.elapsedMs) }));
} finally {
  lab.destroy();
}
