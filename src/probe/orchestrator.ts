/**
 * Runs probes for many directed pairs at once, in one timeout. Every source is asked to send
 * at once (each paced by its agent's rate); the orchestrator then waits once, from the end
 * of the sends, until `timeoutMs` has passed or everything arrived. Within that wait it looks
 * at what arrived a few times: a pair from which nothing arrived is probed again, so a
 * verdict of silence never rests on one lost burst. MTU searches run afterwards, only for
 * pairs whose device-MTU probe was lost (or for all pairs when asked).
 */
import { setMaxListeners } from 'node:events';
import { InputError, type InputProblem } from '../model/source.js';
import { certainty, classifyPair, type PairObservation } from './classify.js';
import { callAgent, type AgentClientOptions, type CallResult } from './client.js';
import { agentAddresses, type ProbeNode } from './inventory.js';
import { mapLimit } from './map-limit.js';
import { describePath, pairSkipReason } from './overlay-target.js';
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
import type {
  KindEvidence,
  MtuEvidence,
  PairSpec,
  ProbeEvidence,
  ProbeReport,
  ProbeResult,
  RoundEvidence,
  SweepEvidence,
} from '../model/probe.js';

export interface RunProbesOptions {
  nodes: readonly ProbeNode[];
  agentPort: number;
  secret: Buffer;
  /** Default: every directed pair of distinct nodes. */
  pairs?: 'all' | readonly PairSpec[];
  /** Overlay and underlay datagrams per pair and round. */
  count?: number;
  /** How long to wait for datagrams after the sends ended: once per sweep, re-probes included. */
  timeoutMs?: number;
  /**
   * Send rounds a silent pair gets before it is judged (the first included). They run inside
   * the one timeout: round k+1 is sent at k/rounds of it, to the pairs still silent then.
   */
  rounds?: number;
  /** Timeout of one control call (the send call also gets time for the agent's rate limit). */
  requestTimeoutMs?: number;
  /** Control calls in flight at once. */
  concurrency?: number;
  /**
   * Undefined (the default): each pair also gets a probe at the source's device MTU, and the
   * MTU search runs only for pairs where it never arrived. true: search every pair. false: none.
   */
  mtu?: boolean;
  mtuRounds?: number;
  mtuSizesPerRound?: number;
  /** Datagrams per mtu size; more than one tolerates ordinary loss. */
  mtuCount?: number;
  /** Datagrams per second each source agent is asked to send at most (its own --rate caps it). */
  agentRatePerSecond?: number;
  /** Emits progress lines; default none. */
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Gives the sweep up: no control call is made after it aborts, the calls in flight are
   * closed, and runProbes rejects with the signal's reason instead of reporting verdicts built
   * from cut-short calls. The agents finish sending what they were already asked to.
   */
  signal?: AbortSignal;
}

export const PROBE_DEFAULTS = {
  count: 3,
  timeoutMs: 2000,
  rounds: 3,
  requestTimeoutMs: 10_000,
  concurrency: 32,
  mtuRounds: 4,
  mtuSizesPerRound: 8,
  mtuCount: 2,
  agentRatePerSecond: 1000,
} as const;

type AgentState = { kind: 'up'; host: string; info: InfoResponse } | { kind: 'missing' | 'error'; reason: string };

/** Where the device-MTU check of `mtu: auto` stands for a pair. */
type MtuCheck = 'none' | 'pending' | 'passed' | 'lost';

interface PairState {
  source: ProbeNode;
  destination: ProbeNode;
  observation?: PairObservation;
  /** Every datagram sent for this pair, with the send round it belongs to (0 = MTU search). */
  sent: { d: SentDatagram; round: number }[];
  arrived: Map<string, ReceivedDatagram>;
  rounds: number;
  /** Why re-probing stopped early, when a control call failed during a later round. */
  stopped?: string;
  mtuCheck: MtuCheck;
  mtuOutcomes: SizeOutcome[];
  mtuSizes: Map<number, { sent: number; received: number }>;
  mtuRoundsRun: number;
  /** Why the mtu search stopped early, when a control call failed during it. */
  mtuAborted?: string;
  timings: ProbeEvidence['timings'];
}

export async function runProbes(opts: RunProbesOptions): Promise<ProbeReport> {
  const outer = opts.signal;
  outer?.throwIfAborted();
  // Every control call in flight listens for the abort; one listener on the caller's signal,
  // the many on our own, so a 24-source send round does not trip the leak warning on theirs.
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const forward = () => stop.abort(outer!.reason);
  outer?.addEventListener('abort', forward, { once: true });
  try {
    return await sweep(opts, stop.signal);
  } finally {
    outer?.removeEventListener('abort', forward);
  }
}

async function sweep(opts: RunProbesOptions, signal: AbortSignal): Promise<ProbeReport> {
  const started = Date.now();
  const o = { ...PROBE_DEFAULTS, ...definedOnly(opts) };
  const mtuMode: SweepEvidence['mtu'] = opts.mtu === undefined ? 'auto' : opts.mtu ? 'on' : 'off';
  if (!Number.isInteger(o.rounds) || o.rounds < 1) throw new RangeError(`rounds must be a positive integer, got ${o.rounds}`);
  const byName = indexNodes(opts.nodes);
  const pairs = resolvePairs(opts.pairs ?? 'all', byName);
  const client = (timeoutMs: number): AgentClientOptions => ({ secret: opts.secret, port: opts.agentPort, timeoutMs, signal });
  // After every phase: what a cut-short call left behind must not become a verdict.
  const checkpoint = () => signal.throwIfAborted();
  const log = opts.log ?? (() => undefined);
  const phases: SweepEvidence['phasesMs'] = { contact: 0, send: 0, wait: 0, collect: 0, mtuSearch: 0 };
  const clock = () => Date.now();

  const involved = [...new Set(pairs.flatMap((p) => [p.source, p.destination]))].map((n) => byName.get(n)!);
  const agents = new Map<string, AgentState>();
  await mapLimit(involved, o.concurrency, async (node) => {
    agents.set(node.name, await contactAgent(client(o.requestTimeoutMs), node));
  });
  checkpoint();
  phases.contact = clock() - started;
  log({ msg: 'agents contacted', up: [...agents.values()].filter((a) => a.kind === 'up').length, total: involved.length });
  /** Each destination's RcvbufErrors counter: at contact, and at its latest collection. */
  const dropsBaseline = new Map<string, number | null>();
  const dropsLatest = new Map<string, number | null>();
  for (const [name, a] of agents) if (a.kind === 'up') dropsBaseline.set(name, a.info.receiveBufferErrors ?? null);

  const states: PairState[] = pairs.map((p) => ({
    source: byName.get(p.source)!,
    destination: byName.get(p.destination)!,
    sent: [],
    arrived: new Map(),
    rounds: 0,
    mtuCheck: 'none',
    mtuOutcomes: [],
    mtuSizes: new Map(),
    mtuRoundsRun: 0,
    timings: {},
  }));
  for (const s of states) {
    const problem = agentProblem(agents, s.source, 'source') ?? agentProblem(agents, s.destination, 'destination');
    const skip = pairSkipReason(s.source, s.destination);
    // The pair's traffic does not take a tunnel the agents can send through: a probe would test another
    // path. Known from the inventory alone, so it holds whether or not the agents answer.
    if (skip) s.observation = { kind: 'not-probed', reason: `not probed: ${skip}` };
    else if (problem) s.observation = problem;
    else if (!s.destination.overlayIp && !s.destination.underlayIp) {
      s.observation = { kind: 'error', reason: `${s.destination.name} has neither a pod CIDR nor a node address to probe` };
    }
  }
  const deviceMtu = (s: PairState) => (s.destination.overlayIp ? upInfo(agents, s.source.name)?.overlayMtu ?? undefined : undefined);
  const searchSizes = (s: PairState): number[] => {
    const ceiling = deviceMtu(s);
    return ceiling ? nextMtuSizes(minimumProbeSize(s.source.name), ceiling, s.mtuOutcomes, o.mtuSizesPerRound) : [];
  };
  const probeTarget = (s: PairState, sizes: number[] | undefined): SendTarget => {
    const t: SendTarget = { node: s.destination.name };
    if (s.destination.overlayIp) t.overlayIp = s.destination.overlayIp;
    if (s.destination.underlayIp) t.underlayIp = s.destination.underlayIp;
    if (sizes?.length) t.sizes = sizes;
    return t;
  };

  // Round 1, for every pair that can be probed: overlay, underlay, and the MTU check or search start.
  const probeable = states.filter((s) => !s.observation);
  const firstSizes = (s: PairState): number[] | undefined => {
    if (mtuMode === 'on') return searchSizes(s);
    const ceiling = mtuMode === 'auto' ? deviceMtu(s) : undefined;
    if (ceiling) s.mtuCheck = 'pending';
    return ceiling ? [ceiling] : undefined;
  };
  const sendStarted = clock();
  await sendRound(1, probeable.map((s) => ({ s, target: probeTarget(s, firstSizes(s)), count: o.count })));
  checkpoint();
  const sendEnded = clock();
  phases.send = sendEnded - sendStarted;

  // The one wait, from the end of the sends, looked at `rounds` times. Pairs still silent at a
  // look are probed again; the sweep ends early once nothing is outstanding.
  let roundsRun = 1;
  const outstanding = () => probeable.filter((s) => !s.observation && !s.stopped && (overlaySilent(s) || s.mtuCheck === 'pending'));
  for (let look = 1; look <= o.rounds; look++) {
    const lookAt = sendEnded + Math.round((look * o.timeoutMs) / o.rounds);
    const waitFrom = clock();
    if (lookAt > waitFrom) await sleep(lookAt - waitFrom, signal);
    phases.wait += clock() - waitFrom;
    const collectFrom = clock();
    await collect(probeable.filter((s) => !s.observation), sendEnded);
    checkpoint();
    phases.collect += clock() - collectFrom;
    for (const s of probeable) if (s.mtuCheck === 'pending' && mtuArrived(s)) s.mtuCheck = 'passed';
    const again = outstanding();
    // Nothing outstanding: the remaining looks would only confirm what already arrived.
    if (look === o.rounds || again.length === 0) break;
    roundsRun = look + 1;
    log({ msg: 're-probing silent pairs', round: roundsRun, pairs: again.length });
    const resendFrom = clock();
    await sendRound(roundsRun, again.map((s) => {
      const sizes = s.mtuCheck === 'pending' ? [deviceMtu(s)!] : undefined;
      return overlaySilent(s)
        ? { s, target: probeTarget(s, sizes), count: o.count }
        : { s, target: { node: s.destination.name, overlayIp: s.destination.overlayIp!, sizes: sizes! }, count: 0 };
    }));
    checkpoint();
    phases.send += clock() - resendFrom;
  }
  for (const s of probeable) {
    if (s.mtuCheck === 'pending') s.mtuCheck = 'lost';
    if (!s.observation) s.observation = { kind: 'observed', overlay: kindEvidence(s, 'overlay'), underlay: kindEvidence(s, 'underlay') };
    // The sizes sent with the rounds (the device-MTU check, or the first search sizes) start the MTU record.
    const sized = s.sent.filter(({ d, round }) => round > 0 && d.kind === 'mtu' && !d.error);
    if (sized.length > 0) s.mtuRoundsRun++;
    for (const [size, list] of groupBy(sized, ({ d }) => d.size)) recordSize(s, size, list.length, list.filter(({ d }) => s.arrived.has(d.nonce)).length);
  }

  // The MTU search: every pair when asked, otherwise only where the device-MTU probe never arrived.
  const mtuFrom = clock();
  let searched = 0;
  if (mtuMode !== 'off') {
    const wantsSearch = (s: PairState) => overlayOk(s) && !s.mtuAborted && (mtuMode === 'on' || s.mtuCheck === 'lost');
    searched = probeable.filter(wantsSearch).length;
    for (let round = mtuMode === 'on' ? 1 : 0; round < o.mtuRounds; round++) {
      const refine = probeable.filter((s) => wantsSearch(s) && searchSizes(s).length > 0);
      if (refine.length === 0) break;
      log({ msg: 'mtu search round', round: round + 1, pairs: refine.length });
      await searchRound(refine);
      checkpoint();
    }
  }
  phases.mtuSearch = clock() - mtuFrom;

  const results = states.map((s) => buildResult(s, agents, mtuMode, o.rounds, receiveDrops(s.destination.name)));
  const sweep: SweepEvidence = {
    ratePerSecond: o.agentRatePerSecond,
    timeoutMs: o.timeoutMs,
    rounds: roundsRun,
    mtu: mtuMode,
    mtuSearchPairs: searched,
    phasesMs: phases,
  };
  return { results, startedAt: new Date(started).toISOString(), elapsedMs: Date.now() - started, sweep };

  function receiveDrops(name: string): number | null {
    const before = dropsBaseline.get(name);
    const after = dropsLatest.get(name);
    return before === null || before === undefined || after === null || after === undefined ? null : Math.max(0, after - before);
  }

  /** Asks every source at once to send; a failure of the first round is the pair's verdict, later ones stop its re-probes. */
  async function sendRound(round: number, work: { s: PairState; target: SendTarget; count: number }[]): Promise<void> {
    const bySource = groupBy(work, (w) => `${w.s.source.name}\u0000${w.count}`);
    await mapLimit([...bySource.values()], Math.max(o.concurrency, bySource.size), async (group) => {
      const sourceName = group[0]!.s.source.name;
      const count = group[0]!.count;
      const host = (agents.get(sourceName) as { host: string }).host;
      const targets = group.map((w) => w.target);
      const datagrams = targets.reduce((n, t) => n + (t.overlayIp ? count : 0) + (t.underlayIp ? count : 0) + (t.sizes?.length ?? 0) * o.mtuCount, 0);
      const timeout = o.requestTimeoutMs + Math.ceil((datagrams * 1000) / o.agentRatePerSecond);
      const res = await callAgent<SendResponse>(client(timeout), host, API_PATHS.send, {
        targets,
        count,
        mtuCount: o.mtuCount,
        ratePerSecond: o.agentRatePerSecond,
      });
      if (!res.ok) {
        for (const { s } of group) {
          if (round === 1) s.observation = failedCall(res, `asking ${sourceName} to send`);
          else s.stopped = `round ${round}: ${res.message}`;
        }
        return;
      }
      const mine = groupBy(res.body.sent, (d) => d.target);
      for (const { s } of group) {
        for (const d of mine.get(s.destination.name) ?? []) s.sent.push({ d, round });
        if (count > 0) s.rounds = round;
        s.timings.sendMs = (s.timings.sendMs ?? 0) + res.elapsedMs;
      }
    });
  }

  /** Asks each destination once which of the pairs' nonces arrived. */
  async function collect(group: PairState[], waitFrom: number): Promise<void> {
    const byDestination = groupBy(group, (s) => s.destination.name);
    await mapLimit([...byDestination.entries()], o.concurrency, async ([destName, list]) => {
      const host = (agents.get(destName) as { host: string }).host;
      const nonces = list.flatMap((s) => s.sent.filter(({ d }) => !d.error && !s.arrived.has(d.nonce)).map(({ d }) => d.nonce));
      if (nonces.length === 0) return;
      const asked = clock();
      const res = await callAgent<ReceivedResponse>(client(o.requestTimeoutMs), host, API_PATHS.received, { nonces });
      if (!res.ok) {
        // What arrived before stays counted; a pair that had nothing yet cannot be judged.
        for (const s of list) if (s.arrived.size === 0 && !s.observation) s.observation = failedCall(res, `asking ${destName} what arrived`);
        return;
      }
      if (res.body.receiveBufferErrors !== undefined) dropsLatest.set(destName, res.body.receiveBufferErrors);
      const arrived = new Map(res.body.received.map((r) => [r.nonce, r]));
      for (const s of list) {
        for (const { d } of s.sent) {
          const r = arrived.get(d.nonce);
          if (r) s.arrived.set(d.nonce, r);
        }
        s.timings.waitMs = asked - waitFrom;
        s.timings.collectMs = (s.timings.collectMs ?? 0) + res.elapsedMs;
      }
    });
  }

  /** One MTU search round: send the next sizes, wait one timeout (a lost size never arrives early), collect. */
  async function searchRound(refine: PairState[]): Promise<void> {
    const work = refine.map((s) => ({ s, sizes: searchSizes(s) }));
    const before = new Map(refine.map((s) => [s, s.sent.length]));
    await sendRound(0, work.map(({ s, sizes }) => ({ s, target: { node: s.destination.name, overlayIp: s.destination.overlayIp!, sizes }, count: 0 })));
    checkpoint();
    for (const { s } of work) if (s.stopped) s.mtuAborted = s.stopped;
    const sentAt = clock();
    await sleep(o.timeoutMs, signal);
    await collect(refine.filter((s) => !s.mtuAborted), sentAt);
    for (const s of refine) {
      if (s.mtuAborted) continue;
      const fresh = s.sent.slice(before.get(s)).filter(({ d }) => d.kind === 'mtu' && !d.error);
      if (fresh.length === 0) continue;
      s.mtuRoundsRun++;
      for (const [size, list] of groupBy(fresh, ({ d }) => d.size)) {
        const received = list.filter(({ d }) => s.arrived.has(d.nonce)).length;
        recordSize(s, size, list.length, received);
      }
    }
  }
}

/** Rejects with the abort reason as soon as `signal` aborts, so a cancelled sweep does not sit out its wait. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function overlaySilent(s: PairState): boolean {
  return !s.sent.some(({ d }) => d.kind === 'overlay' && s.arrived.has(d.nonce));
}

function mtuArrived(s: PairState): boolean {
  return s.sent.some(({ d, round }) => round > 0 && d.kind === 'mtu' && s.arrived.has(d.nonce));
}

function recordSize(s: PairState, size: number, sent: number, received: number): void {
  const entry = s.mtuSizes.get(size) ?? { sent: 0, received: 0 };
  entry.sent += sent;
  entry.received += received;
  s.mtuSizes.set(size, entry);
  s.mtuOutcomes.push({ size, passed: received > 0 });
}

/** Sums one kind over every round of the pair. */
function kindEvidence(s: PairState, kind: 'overlay' | 'underlay'): KindEvidence | null {
  const mine = s.sent.filter(({ d }) => d.kind === kind).map(({ d }) => d);
  if (mine.length === 0) return null;
  const got = mine.map((d) => s.arrived.get(d.nonce)).filter((r): r is ReceivedDatagram => r !== undefined);
  if (kind === 'overlay' && got.length > 0) {
    const delays = mine.flatMap((d) => {
      const r = s.arrived.get(d.nonce);
      return r ? [r.receivedAt - d.sentAt] : [];
    });
    s.timings.minDelayMs = Math.min(...delays);
    s.timings.maxDelayMs = Math.max(...delays);
  }
  return {
    destinationIp: mine[0]!.destinationIp,
    sent: mine.filter((d) => !d.error).length,
    received: got.length,
    sendErrors: [...new Set(mine.flatMap((d) => (d.error ? [d.error] : [])))],
    seenFrom: [...new Set(got.map((r) => r.from))],
  };
}

function roundEvidence(s: PairState): RoundEvidence[] {
  const out: RoundEvidence[] = [];
  for (let round = 1; round <= s.rounds; round++) {
    const count = (kind: 'overlay' | 'underlay') => {
      const list = s.sent.filter(({ d, round: r }) => r === round && d.kind === kind && !d.error);
      return list.length === 0 ? null : { sent: list.length, received: list.filter(({ d }) => s.arrived.has(d.nonce)).length };
    };
    out.push({ overlay: count('overlay'), underlay: count('underlay') });
  }
  return out;
}

function overlayOk(s: PairState): boolean {
  return s.observation?.kind === 'observed' && !overlaySilent(s);
}

function buildResult(s: PairState, agents: Map<string, AgentState>, mtuMode: SweepEvidence['mtu'], roundsRequired: number, drops: number | null): ProbeResult {
  const observation = s.observation ?? { kind: 'error', reason: 'not probed (internal error)' };
  const { verdict, reason } = classifyPair(observation);
  const rounds = roundEvidence(s);
  const sure = certainty(verdict, { rounds, roundsRequired, receiveDrops: drops });
  const notes = [reason];
  if (s.stopped && !sure.certain) notes.push(`re-probing stopped early (${s.stopped})`);
  if (sure.note && observation.kind === 'observed') notes.push(sure.note);
  const evidence: ProbeEvidence = {
    overlay: observation.kind === 'observed' ? observation.overlay : null,
    underlay: observation.kind === 'observed' ? observation.underlay : null,
    timings: s.timings,
    reason: notes.join('; '),
  };
  if (rounds.length > 0) evidence.rounds = rounds;
  if (s.destination.overlay?.kind === 'tunnel' && observation.kind === 'observed') evidence.overlayPath = describePath(s.destination.overlay.path);
  if (observation.kind === 'observed') evidence.destinationReceiveDrops = drops;
  if (mtuMode !== 'off' && verdict === 'ok') evidence.mtu = mtuEvidence(s, upInfo(agents, s.source.name));
  return {
    sourceNode: s.source.name,
    sourceIp: s.source.underlayIp ?? null,
    destinationNode: s.destination.name,
    destinationIp: s.destination.underlayIp ?? null,
    verdict,
    certain: sure.certain,
    rounds: s.rounds,
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
