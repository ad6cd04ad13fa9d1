/**
 * POST /v1/clusters/{name}/probes against real agents with real kernel VXLAN: a 5-node lab of
 * network namespaces, two one-way nftables drops of UDP 8472, and the REST service reading the
 * lab's nodes and flannel ConfigMap from a fake Kubernetes API. The service and the fake API run
 * in the lab's bridge namespace (test/live/rest-probes-runner.ts), where the agents are
 * reachable; every request is real HTTP to the service, relayed over the runner's stdin/stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeResult } from '../../src/model/probe.js';
import { createFlannelLab, netnsLabUnavailableReason, nodeInNamespace, removeStaleLabs, startLabAgents, type Lab, type LabAgents } from '../support/netns-lab.js';
import { requireTier } from '../support/tier.js';
import type { RunnerConfig, RunnerRequest } from './rest-probes-runner.js';

const reason = netnsLabUnavailableReason();
const ok = requireTier('netns-probe', reason === undefined, reason ?? '');

const ROOT = resolve(import.meta.dirname, '../..');
const RUNNER = join(ROOT, 'test/live/rest-probes-runner.ts');
const SECRET = 'rest-probes-netns-secret-0123456789abcdef';
/** Not the 192.168.77 / .124 of the other labs, so a leftover of one never answers for another. */
const UNDERLAY_PREFIX = '192.168.125';
const NODES = 5;
/** The node whose agent is stopped in the last case. */
const DOWN = 'node-5';
const BLOCKS = new Set(['node-2->node-1', 'node-3->node-4']);

const RUNNER_CONFIG: RunnerConfig = {
  tokens: {
    prober: { token: 'rest-probes-netns-prober-0123456789', scopes: ['probe', 'read'] },
    auditor: { token: 'rest-probes-netns-auditor-0123456789', scopes: ['audit', 'read'] },
  },
  clusters: { lab: 'LAB_PROBE_SECRET', 'wrong-secret': 'WRONG_PROBE_SECRET' },
  timeoutSeconds: 1,
};

interface Answer {
  status: number;
  body: { results: ProbeResult[]; detail?: string; id?: string; [k: string]: unknown };
}

/** The runner process: one request at a time, answered in order. */
class Runner {
  private readonly waiting = new Map<number, (a: Answer) => void>();
  private nextId = 1;
  private readonly ready: Promise<void>;
  stderr = '';

  constructor(readonly child: ChildProcess) {
    let onReady!: () => void;
    this.ready = new Promise<void>((resolveReady, reject) => {
      onReady = resolveReady;
      child.once('exit', (code) => reject(new Error(`runner exited with ${code}: ${this.stderr}`)));
    });
    child.stderr!.on('data', (c: Buffer) => (this.stderr += c.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('@@ ')) return;
      const msg = JSON.parse(line.slice(3)) as { ready?: boolean; id?: number } & Answer;
      if (msg.ready) onReady();
      else if (msg.id !== undefined) this.waiting.get(msg.id)?.(msg);
    });
  }

  async started(): Promise<void> {
    await this.ready;
  }

  send(r: Omit<RunnerRequest, 'id'>): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolveAnswer) => {
      this.waiting.set(id, resolveAnswer);
      this.child.stdin!.write(`${JSON.stringify({ id, ...r })}\n`);
    });
  }
}

const verdictsOf = (results: ProbeResult[]) => Object.fromEntries(results.map((r) => [`${r.sourceNode}->${r.destinationNode}`, r.verdict]));

/** What a sweep must say with every agent up: the two one-way blocks, everything else ok. */
function expectedVerdicts(lab: Lab, down?: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of lab.nodes) {
    for (const b of lab.nodes) {
      if (a === b) continue;
      const key = `${a.name}->${b.name}`;
      out[key] = a.name === down || b.name === down ? 'agent-missing' : BLOCKS.has(key) ? 'blocked' : 'ok';
    }
  }
  return out;
}

describe.skipIf(!ok)('REST probe sweeps against agents in network namespaces', () => {
  let lab: Lab | undefined;
  let dir: string | undefined;
  let agents: LabAgents | undefined;
  let downAgent: LabAgents | undefined;
  let runner: Runner | undefined;

  beforeAll(async () => {
    removeStaleLabs();
    lab = createFlannelLab({ nodeCount: NODES, underlayPrefix: UNDERLAY_PREFIX });
    dir = mkdtempSync(join(tmpdir(), 'sgaudit-rest-probes-'));
    const inventory = join(dir, 'nodes.json');
    writeFileSync(inventory, JSON.stringify(lab.nodeList()));
    const n = (name: string) => lab!.nodes.find((x) => x.name === name)!;
    // node-1 drops VXLAN arriving from node-2 (a missing ingress rule); node-3 drops VXLAN it sends to node-4 (a missing egress rule).
    lab.nft(n('node-1').ns, `table inet sg { chain input { type filter hook input priority 0; ip saddr ${n('node-2').underlayIp} udp dport 8472 drop; }; }`);
    lab.nft(n('node-3').ns, `table inet sg { chain output { type filter hook output priority 0; ip daddr ${n('node-4').underlayIp} udp dport 8472 drop; }; }`);
    agents = await startLabAgents(lab, { inventory, secret: SECRET, without: [DOWN] });
    downAgent = await startLabAgents(lab, { inventory, secret: SECRET, without: lab.nodes.filter((x) => x.name !== DOWN).map((x) => x.name) });
    const argv = nodeInNamespace(lab.labNs, RUNNER, [inventory, JSON.stringify(RUNNER_CONFIG)]);
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: ROOT,
      env: { ...process.env, LAB_PROBE_SECRET: SECRET, WRONG_PROBE_SECRET: 'not-the-agents-secret-0123456789' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    runner = new Runner(child);
    await runner.started();
  }, 120_000);

  afterAll(() => {
    runner?.child.stdin?.end();
    if (runner && runner.child.exitCode === null) runner.child.kill('SIGKILL');
    agents?.stop();
    downAgent?.stop();
    lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds both one-way blocks, and their reverse directions work', { timeout: 60_000 }, async () => {
    const res = await runner!.send({ method: 'POST', path: '/v1/clusters/lab/probes', token: 'prober' });
    expect(res.status, runner!.stderr).toBe(201);
    expect(verdictsOf(res.body.results)).toEqual(expectedVerdicts(lab!));
    for (const key of BLOCKS) {
      const [source, destination] = key.split('->');
      const r = res.body.results.find((x) => x.sourceNode === source && x.destinationNode === destination)!;
      // Silent in every round while the underlay control arrived: certain, and VXLAN is what is dropped.
      expect(r).toMatchObject({ verdict: 'blocked', certain: true, rounds: 3 });
      expect(r.evidence.overlay).toMatchObject({ received: 0 });
      expect(r.evidence.underlay?.received).toBeGreaterThan(0);
    }
    expect(res.body.results.filter((r) => r.verdict === 'ok').every((r) => r.certain)).toBe(true);
    // Stored like an audit: GET gives back what the POST answered.
    const stored = await runner!.send({ method: 'GET', path: `/v1/probes/${res.body.id}`, token: 'prober' });
    expect(stored.status).toBe(200);
    expect(stored.body).toEqual(res.body);
  });

  it('answers 403 to a token without the probe scope', async () => {
    const res = await runner!.send({ method: 'POST', path: '/v1/clusters/lab/probes', token: 'auditor' });
    expect(res.status).toBe(403);
    expect(res.body.detail).toMatch(/lacks the scope probe/);
  });

  it('says in every verdict that the agents refused a wrong secret', { timeout: 60_000 }, async () => {
    const res = await runner!.send({ method: 'POST', path: '/v1/clusters/wrong-secret/probes', token: 'prober' });
    expect(res.status).toBe(201);
    expect(res.body.results).toHaveLength(NODES * (NODES - 1));
    for (const r of res.body.results) {
      expect(r).toMatchObject({ verdict: 'error', certain: false });
      expect(r.evidence.reason).toMatch(/HTTP 401/);
    }
  });

  it(`gives agent-missing for exactly the pairs of a node whose agent is down (${DOWN})`, { timeout: 60_000 }, async () => {
    const child = downAgent!.children[0]!;
    const exited = new Promise((r) => child.once('exit', r));
    downAgent!.stop();
    await exited;
    const res = await runner!.send({ method: 'POST', path: '/v1/clusters/lab/probes', token: 'prober' });
    expect(res.status).toBe(201);
    expect(verdictsOf(res.body.results)).toEqual(expectedVerdicts(lab!, DOWN));
    for (const r of res.body.results.filter((x) => x.verdict === 'agent-missing')) {
      expect(r.evidence.reason).toMatch(new RegExp(`no agent answered on ${DOWN}`));
    }
  });
});
