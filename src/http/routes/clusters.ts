import type { Request, Response } from 'express';
import { DEFAULT_MAX_PAIRS } from '../../model/report.js';
import { AccessError, formatProblem, InputError } from '../../model/source.js';
import { evaluateLiveAudit, type EvaluatedAudit, type Evaluation } from '../audit-pool-request.js';
import type { ProbeTaskSettings } from '../audit-task.js';
import type { ClusterTarget, ProbeAccess } from '../config-file.js';
import { hasScope } from '../auth.js';
import type { ProbeGate } from '../probe-gate.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import type { CollectedTarget } from '../live-collector.js';
import { auditOutcome } from '../metrics.js';
import { HttpProblem } from '../problems.js';
import { requestState } from '../request-state.js';
import { shuttingDownProblem, ServerShuttingDown } from '../shutdown.js';
import { storeEvaluatedAndRespond } from './audits.js';

interface ClusterAuditBody {
  options?: { maxPairs?: number };
  probe?: boolean;
}

export function clusterRoutes(deps: AppDeps, gate: ProbeGate): HandlerTable {
  const byName = new Map(deps.clusters.map((c) => [c.name, c]));
  return {
    listClusters(_req: Request, res: Response) {
      res.status(STATUS.ok).json({
        items: deps.clusters.map((c) => ({ name: c.name, kubernetes: c.kubernetes.kind, cloud: c.cloud?.provider ?? null, probe: c.probe !== undefined })),
      });
    },

    async createClusterAudit(req: Request, res: Response) {
      const name = String(requestState(res).params?.name);
      const target = byName.get(name);
      if (!target) throw new HttpProblem('not-found', `no cluster named ${name} in the server configuration`);
      if (!deps.collectLive) {
        throw new HttpProblem('not-implemented', 'this build of sgaudit cannot collect live from Kubernetes and cloud APIs; post exports to /v1/audits instead');
      }
      const body = (req.body ?? {}) as ClusterAuditBody;
      if (body.probe === true) {
        // Probing sends traffic through the cluster's agents: the same scope as a sweep, on top of `audit`.
        const grant = requestState(res).grant;
        if (grant && !hasScope(grant, 'probe')) {
          throw new HttpProblem('forbidden', `token ${grant.name} lacks the scope probe, which an audit with probe: true needs (it has: ${grant.scopes.join(', ')})`);
        }
        if (target.probe === undefined) throw probeNotConfigured(name, '/probe');
      }
      // Held from before the collection, so a refused audit reads nothing; released once its probes have ended.
      const release = body.probe === true && target.probe ? gate.enter(name, target.limits.deadlineMs + expectedSweepMs(target.probe)) : undefined;
      try {
        await auditLive(deps, target, body, res, release !== undefined);
      } finally {
        release?.();
      }
    },
  };
}

async function auditLive(deps: AppDeps, target: ClusterTarget, body: ClusterAuditBody, res: Response, probing: boolean): Promise<void> {
  const name = target.name;
  const signal = requestState(res).abort.signal;
  const collected = await collect(deps, target, res, signal);
  // A collection cut short by a cancellation is not an audit anyone asked to keep.
  if (collected === undefined || signal.aborted) return cancelled(deps, target, res, signal);
  let evaluation: Evaluation<EvaluatedAudit>;
  try {
    const options = { maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS, cluster: name };
    const probe = probing && target.probe ? probeTaskSettings(target.probe) : undefined;
    evaluation = await evaluateLiveAudit(deps, res, { inputs: collected.inputs, options, extraWarnings: collected.warnings, ...(probe ? { probe } : {}) });
  } catch (e) {
    // An overloaded server did not audit anything: shedding has its own counter.
    if (!(e instanceof HttpProblem && e.kind === 'overloaded')) deps.metrics.recordAudit(name, 'error');
    throw e;
  }
  switch (evaluation.kind) {
    case 'cancelled':
      return;
    case 'invalid-input':
      // The documents came from the cluster, not from the caller: an unusable one is an upstream problem.
      deps.metrics.recordAudit(name, 'collection-failed');
      throw new HttpProblem('collection-failed', `cluster ${name} returned documents the audit cannot use: ${evaluation.error.problems.map(formatProblem).join('; ')}`);
    case 'too-large':
      deps.metrics.recordAudit(name, 'error');
      throw evaluation.problem;
    case 'evaluated':
      deps.metrics.recordAudit(name, auditOutcome(evaluation.report), evaluation.report);
      if (evaluation.report.probeMs !== undefined) deps.metrics.recordAuditProbes(name, evaluation.report.probeMs / 1000);
      await storeEvaluatedAndRespond(deps, res, evaluation.report, name, 'live');
  }
}

function probeTaskSettings(p: ProbeAccess): ProbeTaskSettings {
  return { agentPort: p.agentPort, secret: p.secret.bytes(), timeoutMs: p.timeoutMs, ratePerSecond: p.ratePerSecond };
}

/**
 * Failures that leave nothing to audit (kubeconfig unusable, API unreachable, login refused)
 * answer 502 with the provider's message, or 504 when the upstream did not answer in time;
 * partial failures never get here, they are `unavailable` entries that turn the affected pairs
 * `unknown`.
 */
async function collect(deps: AppDeps, target: ClusterTarget, res: Response, signal: AbortSignal): Promise<CollectedTarget | undefined> {
  return collectOrProblem(deps, target, res, signal, () => deps.metrics.recordAudit(target.name, 'collection-failed'));
}

/** The live collection of a cluster, or the problem that says why there is nothing to work on; undefined when cancelled. */
export async function collectOrProblem(deps: AppDeps, target: ClusterTarget, res: Response, signal: AbortSignal, onFailure: () => void): Promise<CollectedTarget | undefined> {
  try {
    return await deps.collectLive!(target, signal);
  } catch (e) {
    // Whatever the providers made of the abort, the cause is the cancellation, not the cluster.
    if (signal.aborted) return undefined;
    onFailure();
    (requestState(res).log ?? deps.logger).warn({ cluster: target.name, err: e }, 'live collection failed');
    if (e instanceof AccessError && e.timedOut) {
      // The collector words this message itself, so it names no server, user or context of the kubeconfig.
      throw new HttpProblem('upstream-timeout', `reading cluster ${target.name} timed out: ${e.message}`);
    }
    const message = e instanceof InputError ? e.problems.map(formatProblem).join('; ') : e instanceof Error ? e.message : String(e);
    throw new HttpProblem('collection-failed', `reading cluster ${target.name} failed: ${message}`);
  }
}

/**
 * The request was given up while collecting. A server shutting down still answers, if the
 * connection lives; a client that went away gets nothing, and the server's request hook writes
 * its access-log line.
 */
export function cancelled(deps: AppDeps, target: ClusterTarget, res: Response, signal: AbortSignal, what = 'live audit'): void {
  (requestState(res).log ?? deps.logger).info({ cluster: target.name, reason: String((signal.reason as Error | undefined)?.message ?? signal.reason) }, `${what} cancelled`);
  if (signal.reason instanceof ServerShuttingDown) throw shuttingDownProblem(`the server is shutting down; the ${what} of cluster ${target.name} was cancelled`);
}

/** 422 for probes asked of a cluster whose configuration has no `probe` section. */
export function probeNotConfigured(cluster: string, pointer?: string): HttpProblem {
  const reason = `cluster ${cluster} has no probe section in the server configuration (agentPort, secretEnv), so the server cannot reach its agents`;
  return new HttpProblem('probe-not-configured', reason, pointer === undefined ? {} : { errors: [{ pointer, value: true, reason }] });
}

/** What a sweep should take at most: the agents' calls, the wait, and the MTU rounds; for Retry-After. */
export function expectedSweepMs(p: ProbeAccess): number {
  return 4 * p.timeoutMs + 10_000;
}
