import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Request, Response } from 'express';
import type { PairSpec, PeerPlanSummary, ProbeReport } from '../../model/probe.js';
import { formatProblem, InputError } from '../../model/source.js';
import { encodeCursor } from '../../store/cursor.js';
import { probeCountsOf, type ProbeHead } from '../../store/types.js';
import { prependFields } from '../audit-pool-request.js';
import type { ClusterTarget, ProbeAccess } from '../config-file.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import type { ProbeGate } from '../probe-gate.js';
import { probeNodesOf, runSweep } from '../probe-sweep.js';
import { HttpProblem } from '../problems.js';
import { listingQuery } from '../listing-query.js';
import { requestState } from '../request-state.js';
import { cancelled, collectOrProblem, expectedSweepMs, probeNotConfigured } from './clusters.js';

interface ProbeSweepBody {
  pairs?: PairSpec[];
  perNodePeers?: number;
  sweep?: number;
}

/**
 * The next sweep number per cluster, for bounded-peer sweeps that do not name one. Counted by
 * this process: replicas behind one Service each count their own, so a scheduler that needs the
 * exact rotation across replicas passes `sweep` itself.
 */
type SweepCounter = Map<string, number>;

function recordHead(head: ProbeHead): Record<string, unknown> {
  return { id: head.id, createdAt: head.createdAt, cluster: head.cluster };
}

export function probeRoutes(deps: AppDeps, gate: ProbeGate): HandlerTable {
  const byName = new Map(deps.clusters.map((c) => [c.name, c]));
  const sweeps: SweepCounter = new Map();
  return {
    async createClusterProbe(req: Request, res: Response) {
      const name = String(requestState(res).params?.name);
      const target = byName.get(name);
      if (!target) throw new HttpProblem('not-found', `no cluster named ${name} in the server configuration`);
      if (!target.probe) throw probeNotConfigured(name);
      if (!deps.collectLive) throw new HttpProblem('not-implemented', 'this build of sgaudit cannot read nodes from a Kubernetes API');
      const body = (req.body ?? {}) as ProbeSweepBody;
      const release = gate.enter(name, target.limits.deadlineMs + expectedSweepMs(target.probe));
      // Released when the sweep has really ended, which may be after a cancelled request has returned.
      let ended: Promise<unknown> = Promise.resolve();
      try {
        ended = sweepAndRespond(deps, target, target.probe, body, res, sweeps);
        await ended;
      } finally {
        ended.then(release, release);
      }
    },

    async getProbe(_req: Request, res: Response) {
      const id = String(requestState(res).params?.id);
      const stored = await deps.store.getProbeJson(id);
      if (!stored) throw new HttpProblem('not-found', `no probe sweep with id ${id}`);
      res.status(STATUS.ok).type('application/json').send(prependFields(recordHead(stored.head), stored.reportJson));
    },

    async listProbes(_req: Request, res: Response) {
      const { filter, page: request } = listingQuery(res);
      const page = await deps.store.listProbes(filter, request);
      res.status(STATUS.ok).json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    },
  };
}

/**
 * Reads the nodes live, sweeps, stores and answers. Resolves once the sweep has ended, even
 * when the request was given up meanwhile: the caller holds the cluster's slot until then.
 */
async function sweepAndRespond(deps: AppDeps, target: ClusterTarget, access: ProbeAccess, body: ProbeSweepBody, res: Response, sweeps: SweepCounter): Promise<void> {
  const signal = requestState(res).abort.signal;
  // Only the Kubernetes side: a sweep needs nodes and the flannel backend, never the cloud.
  const { cloud: _cloud, ...kubernetesOnly } = target;
  const collected = await collectOrProblem(deps, kubernetesOnly, res, signal, () => undefined);
  if (collected === undefined || signal.aborted) return cancelled(deps, target, res, signal, 'probe sweep');
  const nodes = probeNodesOf(collected.inputs, target.name);
  const names = nodes.map((n) => n.name);
  let pairs: 'all' | PairSpec[];
  let plan: PeerPlanSummary | undefined;
  if (body.perNodePeers !== undefined) {
    const sweep = body.sweep ?? sweeps.get(target.name) ?? 0;
    const planned = await deps.auditPool.planPeers({ nodes: names, perNodePeers: body.perNodePeers, sweep }, signal);
    if (signal.aborted) return cancelled(deps, target, res, signal, 'probe sweep');
    sweeps.set(target.name, sweep + 1);
    pairs = planned.pairs;
    plan = planned.summary;
  } else {
    pairs = checkedPairs(body.pairs, names);
  }
  let report: ProbeReport;
  try {
    report = await runSweep({ nodes, access, pairs, signal });
    if (plan) report.plan = plan;
  } catch (e) {
    if (signal.aborted) return cancelled(deps, target, res, signal, 'probe sweep');
    if (e instanceof InputError) throw new HttpProblem('probe-unsupported', `cluster ${target.name} cannot be probed: ${e.problems.map(formatProblem).join('; ')}`);
    throw e;
  }
  if (signal.aborted) return cancelled(deps, target, res, signal, 'probe sweep');
  const counts = probeCountsOf(report);
  deps.metrics.recordProbeSweep(target.name, counts.verdicts, report.elapsedMs / 1000);
  const head: ProbeHead = { id: deps.newId(), createdAt: deps.now().toISOString(), cluster: target.name };
  const json = JSON.stringify(report);
  await deps.store.saveProbe({ ...head, reportJson: json, counts });
  await nextTurn();
  res.status(STATUS.created).location(`/v1/probes/${head.id}`).type('application/json').send(prependFields(recordHead(head), json));
}

/** The body's pairs against the nodes the cluster has now; every unknown or self pair named at once. */
function checkedPairs(pairs: PairSpec[] | undefined, names: string[]): 'all' | PairSpec[] {
  if (pairs === undefined) return 'all';
  const known = new Set(names);
  const errors: { pointer: string; value: string; reason: string }[] = [];
  pairs.forEach((p, i) => {
    for (const end of ['source', 'destination'] as const) {
      if (!known.has(p[end])) errors.push({ pointer: `/pairs/${i}/${end}`, value: p[end], reason: 'no node with this name in the cluster now' });
    }
    if (p.source === p.destination) errors.push({ pointer: `/pairs/${i}/destination`, value: p.destination, reason: 'a pair needs two different nodes' });
  });
  if (errors.length > 0) throw new HttpProblem('invalid-input', `${errors.length} problem${errors.length === 1 ? '' : 's'} in pairs; first: ${errors[0]!.pointer}: ${errors[0]!.reason}`, { errors });
  return pairs;
}
