import type { Logger } from 'pino';
import { DEFAULT_MAX_PAIRS, type AuditReport } from '../../model/report.js';
import { AccessError, formatProblem, InputError } from '../../model/source.js';
import type { ChangeEvent } from '../../model/run-changes.js';
import type { AuditStore } from '../../store/types.js';
import type { EvaluationTask, TaskOutcome } from '../audit-task.js';
import type { ClusterTarget } from '../config-file.js';
import type { CollectedTarget, LiveCollector } from '../live-collector.js';
import { auditOutcome, type ApiMetrics } from '../metrics.js';
import type { ProbeGate } from '../probe-gate.js';
import { HttpProblem } from '../problems.js';
import { expectedSweepMs } from '../routes/clusters.js';
import type { ChangeSink, RunObserver } from './types.js';

/** What one run needs; the loop builds it once. */
export interface RunDeps {
  store: AuditStore;
  collectLive: LiveCollector;
  /** The server's audit pool: watch runs take the same admission as requests. */
  auditPool: { run(task: EvaluationTask, signal?: AbortSignal): Promise<TaskOutcome> };
  metrics: ApiMetrics;
  logger: Logger;
  reportLimitBytes: number;
  observer?: RunObserver;
  sink?: ChangeSink;
  /** The app's gate, so a watch run's probes and a probe sweep of the same cluster take turns. */
  probeGate?: ProbeGate;
  now: () => Date;
  newId: () => string;
  /** Wait before asking a full pool again. */
  shedRetryMs: number;
}

/**
 * How a run ended. `collection-failed` is a run with nothing to audit (the Kubernetes API did
 * not give the node list, or gave documents the audit cannot use): it is logged, counted and
 * shown in the schedule's status, but no audit is stored, because a report without nodes would
 * list no pairs and the change tracker would take every pair of the previous run as gone or
 * resolved. A partial collection (a cloud call failed) is not this: it is stored, with the
 * affected pairs `unknown` and the collection warnings.
 */
export type RunResult =
  | { kind: 'stored'; auditId: string; createdAt: string; summary: AuditReport['summary']; event?: ChangeEvent }
  | { kind: 'collection-failed'; reason: string }
  | { kind: 'error'; reason: string }
  | { kind: 'cancelled' };

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });

/**
 * One watch-mode audit of a cluster, the way POST /v1/clusters/{name}/audits does it: the live
 * collection under the cluster's limits, the evaluation on the audit pool (probing when the
 * schedule says so), then the store with origin `watch`, the change tracker, and the notifier.
 * Never throws: every failure is a RunResult.
 */
export async function runWatchAudit(deps: RunDeps, target: ClusterTarget, signal: AbortSignal, giveUpShedAt: number): Promise<RunResult> {
  const name = target.name;
  const log = deps.logger.child({ cluster: name, watch: true });
  const probe = target.watch?.probe === true && target.probe ? target.probe : undefined;
  const release = probe ? enterGate(deps, target, probe, log) : undefined;
  try {
    let collected: CollectedTarget;
    try {
      collected = await deps.collectLive(target, signal);
    } catch (e) {
      if (signal.aborted) return { kind: 'cancelled' };
      const reason = e instanceof AccessError && e.timedOut ? `reading cluster ${name} timed out: ${e.message}` : `reading cluster ${name} failed: ${messageOf(e)}`;
      log.warn({ err: e }, 'watch: live collection failed; nothing to audit in this run');
      return { kind: 'collection-failed', reason };
    }
    if (signal.aborted) return { kind: 'cancelled' };
    const task: EvaluationTask = {
      kind: 'live-audit',
      inputs: collected.inputs,
      options: { maxPairs: DEFAULT_MAX_PAIRS, cluster: name },
      extraWarnings: collected.warnings,
      reportLimitBytes: deps.reportLimitBytes,
      ...(release && probe ? { probe: { agentPort: probe.agentPort, secret: probe.secret.bytes(), timeoutMs: probe.timeoutMs, ratePerSecond: probe.ratePerSecond } } : {}),
    };
    const outcome = await evaluateAdmitted(deps, task, signal, giveUpShedAt, log);
    if ('kind' in outcome && outcome.kind !== 'report') {
      switch (outcome.kind) {
        case 'cancelled':
        case 'error':
        case 'collection-failed':
          return outcome;
        case 'invalid-input': {
          const reason = `cluster ${name} returned documents the audit cannot use: ${new InputError(outcome.problems).problems.map(formatProblem).join('; ')}`;
          log.warn({ reason }, 'watch: collected documents unusable; nothing to audit in this run');
          return { kind: 'collection-failed', reason };
        }
        case 'too-large':
          return { kind: 'error', reason: `the report would be ${outcome.bytes ?? 'too many'} bytes, over the server's bound of ${deps.reportLimitBytes} bytes (--report-limit)` };
        case 'bad-request':
          return { kind: 'error', reason: outcome.problem.detail };
      }
    }
    return await store(deps, target, outcome, log);
  } finally {
    release?.();
  }
}

/** Takes the cluster's probe slot, or runs without probes when a sweep holds it (that sweep is probing the cluster anyway). */
function enterGate(deps: RunDeps, target: ClusterTarget, probe: NonNullable<ClusterTarget['probe']>, log: Logger): (() => void) | undefined {
  if (!deps.probeGate) return () => undefined;
  try {
    return deps.probeGate.enter(target.name, target.limits.deadlineMs + expectedSweepMs(probe));
  } catch (e) {
    if (!(e instanceof HttpProblem && e.kind === 'probe-in-progress')) throw e;
    log.info('watch: a probe sweep of the cluster is running; this run audits without probes');
    return undefined;
  }
}

/** The pool's admission, as for a request; a full pool is asked again after a pause, until `giveUpAt`. */
async function evaluateAdmitted(
  deps: RunDeps,
  task: EvaluationTask,
  signal: AbortSignal,
  giveUpAt: number,
  log: Logger,
): Promise<Extract<TaskOutcome, { kind: 'report' }> | Exclude<TaskOutcome, { kind: 'report' }> | Exclude<RunResult, { kind: 'stored' }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.auditPool.run(task, signal);
    } catch (e) {
      if (signal.aborted) return { kind: 'cancelled' };
      if (!(e instanceof HttpProblem && e.kind === 'overloaded')) {
        log.error({ err: e }, 'watch: evaluation failed');
        return { kind: 'error', reason: `the evaluation failed: ${messageOf(e)}` };
      }
      if (deps.now().getTime() + deps.shedRetryMs > giveUpAt) {
        log.warn({ attempts: attempt }, 'watch: the audit pool stayed full; giving this run up');
        return { kind: 'error', reason: `the audit pool stayed full through ${attempt} attempts` };
      }
      log.warn({ attempt, retryInMs: deps.shedRetryMs }, 'watch: the audit pool is full; retrying shortly');
      await sleep(deps.shedRetryMs, signal);
      if (signal.aborted) return { kind: 'cancelled' };
    }
  }
}

async function store(deps: RunDeps, target: ClusterTarget, outcome: Extract<TaskOutcome, { kind: 'report' }>, log: Logger): Promise<RunResult> {
  const counts = outcome.counts;
  if (counts === null) return { kind: 'error', reason: 'the audit worker answered without the report counts' };
  const head = { id: deps.newId(), createdAt: deps.now().toISOString(), cluster: target.name, origin: 'watch' as const };
  try {
    await deps.store.save({ ...head, reportJson: outcome.json, counts });
  } catch (e) {
    log.error({ err: e }, 'watch: storing the audit failed');
    return { kind: 'error', reason: `storing the audit failed: ${messageOf(e)}` };
  }
  deps.metrics.recordAudit(target.name, auditOutcome(counts), counts);
  if (outcome.probeMs !== undefined) deps.metrics.recordAuditProbes(target.name, outcome.probeMs / 1000);
  log.info({ auditId: head.id, summary: counts.summary }, 'watch: audit stored');
  const event = await observe(deps, target, head, outcome.json, log);
  return { kind: 'stored', auditId: head.id, createdAt: head.createdAt, summary: counts.summary, ...(event ? { event } : {}) };
}

/** The change tracker, then the notifier; their failures are logged and never fail the run, which is stored already. */
async function observe(deps: RunDeps, target: ClusterTarget, head: { id: string; createdAt: string }, json: string, log: Logger): Promise<ChangeEvent | undefined> {
  if (!deps.observer) return undefined;
  let event: ChangeEvent | undefined;
  try {
    event = await deps.observer.onRunStored({ cluster: target.name, auditId: head.id, createdAt: head.createdAt, report: JSON.parse(json) as AuditReport });
  } catch (e) {
    log.error({ err: e, auditId: head.id }, 'watch: comparing the run with the previous one failed; no notification for this run');
    return undefined;
  }
  if (event) {
    log.info({ auditId: head.id, change: event.kind }, 'watch: change detected');
    try {
      deps.sink?.notify(event, { audit: `/v1/audits/${head.id}`, ticket: `/v1/audits/${head.id}/ticket` });
    } catch (e) {
      log.error({ err: e }, 'watch: the notifier threw');
    }
  }
  return event;
}

function messageOf(e: unknown): string {
  if (e instanceof InputError) return e.problems.map(formatProblem).join('; ');
  return e instanceof Error ? e.message : String(e);
}
