/**
 * The scale lab shared by test/live/probe-lab-24.test.ts and test/bench/probe-lab-bench.ts:
 * N namespaces with real kernel VXLAN, two one-way nftables drops of UDP 8472 (`LAB_BLOCKS`),
 * an agent per node, and a runner that does consecutive sweeps in one orchestrator process
 * inside the lab namespace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProbeReport } from '../../src/model/probe.js';
import type { RunProbesOptions } from '../../src/probe/orchestrator.js';
import { createFlannelLab, nodeInNamespace, removeStaleLabs, startLabAgents, udpCounters, type Lab, type LabAgents, udpDropRuleset } from '../support/netns-lab.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SWEEPS_ENTRY = join(ROOT, 'test/bench/probe-sweeps.ts');
const SECRET = 'probe-scale-lab-secret-0123456789abcdef';
/** Not the 192.168.77 of the smaller labs, so a leftover of one can never answer for the other. */
const UNDERLAY_PREFIX = '192.168.124';

export interface ProbeLab {
  lab: Lab;
  inventory: string;
  agents: LabAgents;
  /** Datagrams the nodes' kernels dropped because a UDP receive buffer was full, summed over all nodes. */
  rcvbufErrors(): number;
  destroy(): void;
}

/** The directed pairs the lab blocks; every other pair must be `ok`. */
export const LAB_BLOCKS: readonly { source: string; destination: string }[] = [
  { source: 'node-2', destination: 'node-1' },
  { source: 'node-3', destination: 'node-4' },
];

export async function setUpProbeLab(opts: { nodeCount: number; agentArgs?: readonly string[] }): Promise<ProbeLab> {
  removeStaleLabs();
  const lab = createFlannelLab({ nodeCount: opts.nodeCount, underlayPrefix: UNDERLAY_PREFIX });
  const dir = mkdtempSync(join(tmpdir(), 'sgaudit-probe-lab-'));
  const destroyFiles = () => rmSync(dir, { recursive: true, force: true });
  try {
    const inventory = join(dir, 'nodes.json');
    writeFileSync(inventory, JSON.stringify(lab.nodeList()));
    const n = (name: string) => lab.nodes.find((x) => x.name === name)!;
    // node-1 drops VXLAN arriving from node-2: a missing ingress rule, one way only.
    lab.nft(n('node-1').ns, udpDropRuleset({ from: n('node-2').underlayIp }, 8472));
    // node-3 drops VXLAN it sends to node-4: a missing egress rule, one way only.
    lab.nft(n('node-3').ns, udpDropRuleset({ to: n('node-4').underlayIp }, 8472));
    const agents = await startLabAgents(lab, { inventory, secret: SECRET, extraArgs: opts.agentArgs ?? [] });
    return {
      lab,
      inventory,
      agents,
      rcvbufErrors: () => lab.nodes.reduce((sum, node) => sum + (udpCounters(lab, node.ns).RcvbufErrors ?? 0), 0),
      destroy: () => {
        agents.stop();
        lab.destroy();
        destroyFiles();
      },
    };
  } catch (err) {
    lab.destroy();
    destroyFiles();
    throw err;
  }
}

/** Runs `sweeps` full-mesh sweeps in one orchestrator process in the lab namespace. */
export function sweepsInLab(lab: ProbeLab, sweeps: number, options: Partial<RunProbesOptions> = {}): ProbeReport[] {
  const argv = nodeInNamespace(lab.lab.labNs, SWEEPS_ENTRY, [lab.inventory, String(sweeps), JSON.stringify(options)]);
  const res = spawnSync(argv[0]!, argv.slice(1), {
    env: { ...process.env, SGAUDIT_PROBE_SECRET: SECRET },
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: 30 * 60_000,
  });
  if (res.status !== 0) throw new Error(`probe sweeps exited ${res.status}: ${res.stderr}`);
  return res.stdout.trim().split('\n').map((line) => JSON.parse(line) as ProbeReport);
}

export interface VerdictErrors {
  /** Pairs that work but got another verdict, and blocked pairs reported as anything but `blocked`. */
  falseVerdicts: string[];
  blocksFound: number;
}

export function verdictErrors(report: ProbeReport, blocks: readonly { source: string; destination: string }[]): VerdictErrors {
  const blocked = new Set(blocks.map((b) => `${b.source}->${b.destination}`));
  const falseVerdicts: string[] = [];
  let blocksFound = 0;
  for (const r of report.results) {
    const key = `${r.sourceNode}->${r.destinationNode}`;
    const expected = blocked.has(key) ? 'blocked' : 'ok';
    if (r.verdict === expected) {
      if (expected === 'blocked') blocksFound++;
    } else {
      falseVerdicts.push(`${key} ${r.verdict} (${r.evidence.reason})`);
    }
  }
  return { falseVerdicts, blocksFound };
}
