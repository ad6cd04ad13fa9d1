/**
 * Runs probes for many directed pairs at once. Every round is batched: all sources are
 * asked to send first, the orchestrator waits one timeout, then every destination is asked
 * what arrived. A full mesh therefore costs about one timeout per round, not one per pair.
 */
import { InputError, type InputProblem } from '../model/source.js';
import { classifyPair, type PairObservation } from './classify.js';
import { callAgent, type AgentClientOptions, type CallResult } from './client.js';
import { agentAddresses, type ProbeNode } from './inventory.js';
import { mapLimit } from './map-limit.js';
import { mtuBounds, nextMtuSizes, type SizeOutcome } from './mtu-search.js';
import {
  API_PATHS,
  minimumProbeSize,
  type InfoResponse,
  type ReceivedDatagram,
  type ReceivedResponse,
  type SendResponse,
  type SendTarget,
  type SentDatagram,
} from './protocol.js';
import type { KindEvidence, MtuEvidence, PairSpec, ProbeEvidence, ProbeReport, ProbeResult } from '../model/probe.js';

export interface RunProbesOptions {
  nodes: readonly ProbeNode[];
  agentPort: number;
  secret: Buffer;
  /** Default: every directed pair of distinct nodes. */
  pairs?: 'all' | readonly PairSpec[];
  /** Overlay and underlay datagrams per pair. */
  count?: number;
  /** How long to wait for datagrams after the last send. */
  timeoutMs?: number;
  /** Timeout of one control call (the send call also gets time for the agent's rate limit). */
  requestTimeoutMs?: number;
  /** Control calls in flight at once. */
  concurrency?: number;
  mtu?: boolean;
  mtuRounds?: number;
  mtuSizesPerRound?: number;
  /** Datagrams per mtu size; more than one tolerates ordinary loss. */
  mtuCount?: number;
  /** The agents' send rate, used to give send calls enough time. */
  agentRatePerSecond?: number;
  /** Emits progress lines; default none. */
  log?: (entry: Record<string, unknown>) => void;
}

export const PROBE_DEFAULTS = {
  count: 3,
  timeoutMs: 2000,
  requestTimeoutMs: 10_000,
  concurrency: 32,
  mtuRounds: 4,
  mtuSizesPerRound: 8,
  mtuCount: 2,
  agentRatePerSecond: 1000,
} as const;

type AgentState = { kind: 'up'; host: string; info: InfoResponse } | { kind: 'missing' | 'error'; reason: string };

interface PairState {
  source: ProbeNode;
  destination: ProbeNode;
  observation?: PairObservation;
  overlay: KindEvidence | null;
  underlay: KindEvidence | null;
  mtuOutcomes: SizeOutcome[];
  mtuSizes: Map<number, { sent: number; received: number }>;
  mtuRoundsRun: number;
  /** Why the mtu search stopped early, when a control call failed during it. */
  mtuAborted?: string;
  timings: ProbeEvidence['timings'];
}

export async function runProbes(opts: RunProbesOptions): Promise<ProbeReport> {
  const started = Date.now();
  const o = { ...PROBE_DEFAULTS, mtu: true, ...definedOnly(opts) };
  const byName = indexNodes(opts.nodes);
  const pairs = resolvePairs(opts.pairs ?? 'all', byName);
  const client = (timeoutMs: number): AgentClientOptions => ({ secret: opts.secret, port: opts.agentPort, timeoutMs });
  const log = opts.log ?? (() => undefined);

  const involved = [...new Set(pairs.flatMap((p) => [p.source, p.destination]))].map((n) => byName.get(n)!);
  const agents = new Map<string, AgentState>();
  await mapLimit(involved, o.concurrency, async (node) => {
    agents.set(node.name, await contactAgent(client(o.requestTimeoutMs), node));
  });
  log({ msg: 'agents contacted', up: [...agents.values()].filter((a) => a.kind === 'up').length, total: involved.length });

  const states: PairState[] = pairs.map((p) => ({
    source: byName.get(p.source)!,
    destination: byName.get(p.destination)!,
    overlay: null,
    underlay: null,
    mtuOutcomes: [],
    mtuSizes: new Map(),
    mtuRoundsRun: 0,
    timings: {},
  }));
  for (const s of states) {
    const problem = agentProblem(agents, s.source, 'source') ?? agentProblem(agents, s.destination, 'destination');
    if (problem) s.observation = problem;
    else if (!s.destination.overlayIp && !s.destination.underlayIp) {
      s.observation = { kind: 'error', reason: `${s.destination.name} has neither a pod CIDR nor a node address to probe` };
    }
  }

  // Round 0: overlay + underlay (+ the first mtu sizes), for every pair that can be probed.
  const sizesFor = (s: PairState): number[] | undefined => {
    if (!o.mtu || !s.destination.overlayIp) return undefined;
    const ceiling = upInfo(agents, s.source.name)?.overlayMtu;
    if (!ceiling) return undefined;
    return nextMtuSizes(minimumProbeSize(s.source.name), ceiling, s.mtuOutcomes, o.mtuSizesPerRound);
  };
  const probeable = states.filter((s) => !s.observation);
  await runRound(false, probeable, (s) => {
    const t: SendTarget = { node: s.destination.name };
    if (s.destination.overlayIp) t.overlayIp = s.destination.overlayIp;
    if (s.destination.underlayIp) t.underlayIp = s.destination.underlayIp;
    const sizes = sizesFor(s);
    if (sizes?.length) t.sizes = sizes;
    return t;
  }, o.count);
  for (const s of probeable) {
    if (!s.observation) s.observation = { kind: 'observed', overlay: s.overlay, underlay: s.underlay };
  }

  // Later rounds refine the mtu search only where round 0 showed a problem.
  if (o.mtu) {
    for (let round = 1; round < o.mtuRounds; round++) {
      const refine = states.filter((s) => overlayOk(s) && !s.mtuAborted && (sizesFor(s)?.length ?? 0) > 0);
      if (refine.length === 0) break;
      log({ msg: 'mtu refinement round', round, pairs: refine.length });
      await runRound(true, refine, (s) => ({ node: s.destination.name, overlayIp: s.destination.overlayIp!, sizes: sizesFor(s)! }), 0);
    }
  }

  const results = states.map((s) => buildResult(s, agents, o.mtu));
  return { results, startedAt: new Date(started).toISOString(), elapsedMs: Date.now() - started };

  /** In a refining round a failed call only ends the mtu search; it does not change the verdict. */
  async function runRound(refining: boolean, round: PairState[], target: (s: PairState) => SendTarget, count: number): Promise<void> {
    const bySource = groupBy(round, (s) => s.source.name);
    const sent = new Map<PairState, SentDatagram[]>();
    await mapLimit([...bySource.entries()], o.concurrency, async ([sourceName, group]) => {
      const host = (agents.get(sourceName) as { host: string }).host;
      const targets = group.map(target);
      const datagrams = targets.reduce((n, t) => n + (t.overlayIp ? count : 0) + (t.underlayIp ? count : 0) + (t.sizes?.length ?? 0) * o.mtuCount, 0);
      const timeout = o.requestTimeoutMs + Math.ceil((datagrams * 1000) / o.agentRatePerSecond);
      const res = await callAgent<SendResponse>(client(timeout), host, API_PATHS.send, { targets, count, mtuCount: o.mtuCount });
      if (!res.ok) {
        if (!refining) for (const s of group) s.observation = failedCall(res, `asking ${sourceName} to send`);
        else for (const s of group) s.mtuAborted = res.message;
        return;
      }
      for (const s of group) {
        sent.set(s, res.body.sent.filter((d) => d.target === s.destination.name));
        s.timings.sendMs = (s.timings.sendMs ?? 0) + res.elapsedMs;
      }
    });
    const waitStarted = Date.now();
    await new Promise((r) => setTimeout(r, o.timeoutMs));
    const waited = Date.now() - waitStarted;

    const byDestination = groupBy([...sent.keys()], (s) => s.destination.name);
    await mapLimit([...byDestination.entries()], o.concurrency, async ([destName, group]) => {
      const host = (agents.get(destName) as { host: string }).host;
      const nonces = group.flatMap((s) => sent.get(s)!.filter((d) => !d.error).map((d) => d.nonce));
      const res = await callAgent<ReceivedResponse>(client(o.requestTimeoutMs), host, API_PATHS.received, { nonces });
      if (!res.ok) {
        if (!refining) for (const s of group) s.observation = failedCall(res, `asking ${destName} what arrived`);
        else for (const s of group) s.mtuAborted = res.message;
        return;
      }
      const arrived = new Map(res.body.received.map((r) => [r.nonce, r]));
      for (const s of group) {
        s.timings.waitMs = (s.timings.waitMs ?? 0) + waited;
        s.timings.collectMs = (s.timings.collectMs ?? 0) + res.elapsedMs;
        absorb(s, sent.get(s)!, arrived);
      }
    });
  }
}

function absorb(s: PairState, sent: SentDatagram[], arrived: Map<string, ReceivedDatagram>): void {
  for (const kind of ['overlay', 'underlay'] as const) {
    const mine = sent.filter((d) => d.kind === kind);
    if (mine.length === 0) continue;
    const got = mine.map((d) => arrived.get(d.nonce)).filter((r): r is ReceivedDatagram => r !== undefined);
    s[kind] = {
      destinationIp: mine[0]!.destinationIp,
      sent: mine.filter((d) => !d.error).length,
      received: got.length,
      sendErrors: [...new Set(mine.flatMap((d) => (d.error ? [d.error] : [])))],
      seenFrom: [...new Set(got.map((r) => r.from))],
    };
    if (kind === 'overlay' && got.length > 0) {
      const delays = mine.flatMap((d) => {
        const r = arrived.get(d.nonce);
        return r ? [r.receivedAt - d.sentAt] : [];
      });
      s.timings.minDelayMs = Math.min(...delays);
      s.timings.maxDelayMs = Math.max(...delays);
    }
  }
  const mtuSent = sent.filter((d) => d.kind === 'mtu' && !d.error);
  if (mtuSent.length > 0) {
    s.mtuRoundsRun++;
    const bySize = groupBy(mtuSent, (d) => d.size);
    for (const [size, list] of bySize) {
      const received = list.filter((d) => arrived.has(d.nonce)).length;
      const entry = s.mtuSizes.get(size) ?? { sent: 0, received: 0 };
      entry.sent += list.length;
      entry.received += received;
      s.mtuSizes.set(size, entry);
      s.mtuOutcomes.push({ size, passed: received > 0 });
    }
  }
}

function overlayOk(s: PairState): boolean {
  return s.observation?.kind === 'observed' && (s.overlay?.received ?? 0) > 0;
}

function buildResult(s: PairState, agents: Map<string, AgentState>, mtuEnabled: boolean): ProbeResult {
  const { verdict, reason } = classifyPair(s.observation ?? { kind: 'error', reason: 'not probed (internal error)' });
  const evidence: ProbeEvidence = { overlay: s.overlay, underlay: s.underlay, timings: s.timings, reason };
  if (mtuEnabled && verdict === 'ok') evidence.mtu = mtuEvidence(s, upInfo(agents, s.source.name));
  return {
    sourceNode: s.source.name,
    sourceIp: s.source.underlayIp ?? null,
    destinationNode: s.destination.name,
    destinationIp: s.destination.underlayIp ?? null,
    verdict,
    evidence,
  };
}

function mtuEvidence(s: PairState, sourceInfo: InfoResponse | undefined): MtuEvidence {
  const deviceMtu = sourceInfo?.overlayMtu;
  if (!deviceMtu) {
    return { tested: false, reason: `${s.source.name} has no ${sourceInfo?.overlayDevice ?? 'overlay'} device, so its MTU is unknown` };
  }
  if (s.mtuOutcomes.length === 0) return { tested: false, reason: 'no mtu probe was sent (the source refused them)' };
  const { largestPassed, smallestFailed } = mtuBounds(s.mtuOutcomes);
  return {
    tested: true,
    deviceMtu,
    largestPassed,
    smallestFailed,
    blackHole: largestPassed === null || largestPassed < deviceMtu,
    rounds: s.mtuRoundsRun,
    ...(s.mtuAborted ? { stoppedEarly: s.mtuAborted } : {}),
    sizes: [...s.mtuSizes.entries()].sort((a, b) => a[0] - b[0]).map(([size, c]) => ({ size, ...c })),
  };
}

async function contactAgent(client: AgentClientOptions, node: ProbeNode): Promise<AgentState> {
  const hosts = agentAddresses(node);
  if (hosts.length === 0) return { kind: 'error', reason: `${node.name} has no address to reach its agent at` };
  const failures: string[] = [];
  for (const host of hosts) {
    const res = await callAgent<InfoResponse>(client, host, API_PATHS.info, {});
    if (res.ok) {
      if (res.body.node !== node.name) {
        return { kind: 'error', reason: `the agent at ${host} says it runs on ${JSON.stringify(res.body.node)}, not ${node.name}` };
      }
      return { kind: 'up', host, info: res.body };
    }
    if (res.failure !== 'unreachable') return { kind: 'error', reason: `agent on ${node.name} at ${host}: ${res.message}` };
    failures.push(res.message);
  }
  return { kind: 'missing', reason: `no agent answered on ${node.name}: ${failures.join('; ')}` };
}

function agentProblem(agents: Map<string, AgentState>, node: ProbeNode, role: string): PairObservation | undefined {
  const a = agents.get(node.name);
  if (!a || a.kind === 'up') return undefined;
  return a.kind === 'missing'
    ? { kind: 'agent-missing', reason: `${role} ${a.reason}` }
    : { kind: 'error', reason: `${role}: ${a.reason}` };
}

function upInfo(agents: Map<string, AgentState>, name: string): InfoResponse | undefined {
  const a = agents.get(name);
  return a?.kind === 'up' ? a.info : undefined;
}

function failedCall(res: Extract<CallResult<unknown>, { ok: false }>, what: string): PairObservation {
  return res.failure === 'unreachable'
    ? { kind: 'agent-missing', reason: `${what}: ${res.message}` }
    : { kind: 'error', reason: `${what}: ${res.message}` };
}

function indexNodes(nodes: readonly ProbeNode[]): Map<string, ProbeNode> {
  const problems: InputProblem[] = [];
  const byName = new Map<string, ProbeNode>();
  nodes.forEach((n, i) => {
    if (byName.has(n.name)) problems.push({ document: 'nodes', pointer: `/${i}/name`, value: n.name, reason: 'duplicate node name' });
    byName.set(n.name, n);
  });
  if (byName.size < 2) problems.push({ document: 'nodes', pointer: '', reason: `probing needs at least two nodes, got ${byName.size}` });
  if (problems.length > 0) throw new InputError(problems);
  return byName;
}

function resolvePairs(spec: 'all' | readonly PairSpec[], byName: Map<string, ProbeNode>): PairSpec[] {
  if (spec === 'all') {
    const names = [...byName.keys()];
    return names.flatMap((a) => names.filter((b) => b !== a).map((b) => ({ source: a, destination: b })));
  }
  const problems: InputProblem[] = [];
  spec.forEach((p, i) => {
    for (const end of ['source', 'destination'] as const) {
      if (!byName.has(p[end])) problems.push({ document: '--pairs', pointer: `/${i}/${end}`, value: p[end], reason: 'no such node in the inventory' });
    }
    if (p.source === p.destination) problems.push({ document: '--pairs', pointer: `/${i}`, value: p.source, reason: 'a pair needs two different nodes' });
  });
  if (problems.length > 0) throw new InputError(problems);
  const seen = new Set<string>();
  return spec.filter((p) => {
    const key = `${p.source}\u0000${p.destination}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function groupBy<T, K>(items: readonly T[], key: (t: T) => K): Map<K, T[]> {
  const m = new Map<K, T[]>();
  for (const it of items) {
    const k = key(it);
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
