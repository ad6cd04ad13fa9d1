import type { Response } from 'express';
import type { AuditInputs } from '../model/documents.js';
import { InputError, type Warning } from '../model/source.js';
import type { EvaluationTask, ProbeTaskSettings, ReportCounts, RequestOptions, TaskOutcome } from './audit-task.js';
import type { AppDeps } from './deps.js';
import { HttpProblem } from './problems.js';
import { ClientClosed, requestState } from './request-state.js';
import { shuttingDownProblem } from './shutdown.js';

/** A report the worker produced, as the JSON text the response and the store use. */
export interface EvaluatedReport {
  json: string;
  bytes: number;
  /** The what-if page, when the client asked for text/html (rendered by the worker). */
  html?: string;
}

/** An audit report with its listing counts, so metrics and the store never parse the report. */
export type EvaluatedAudit = EvaluatedReport & ReportCounts & {
  /** How long the audit's confirming probes took, when it ran them. */
  probeMs?: number;
};

/**
 * How an evaluation ended, other than by a problem that says all there is to say (thrown:
 * 400s of an unreadable body, 503 overloaded or shutting down, a failed worker). Each carries
 * the request's options, which only the worker has read: the caller labels its metrics with them.
 */
export type Evaluation<R> =
  | { kind: 'evaluated'; report: R; options: RequestOptions }
  | { kind: 'invalid-input'; error: InputError; options: RequestOptions }
  | { kind: 'too-large'; problem: HttpProblem; options: RequestOptions }
  /** The client went away: nobody reads an answer. */
  | { kind: 'cancelled' };

/** Where the report bound sends the caller: the one option that shrinks a report. */
const MAX_PAIRS_POINTER = '/options/maxPairs';

/** A posted audit, from the body's bytes (validate.ts postedBodyBytes); the bytes move to the worker. */
export async function evaluatePostedAudit(deps: AppDeps, res: Response, body: ArrayBuffer): Promise<Evaluation<EvaluatedAudit>> {
  return auditEvaluation(await evaluate(deps, res, { kind: 'posted-audit', body, reportLimitBytes: deps.reportLimitBytes }));
}

/** A posted what-if, like evaluatePostedAudit. */
export async function evaluatePostedWhatif(deps: AppDeps, res: Response, body: ArrayBuffer, renderHtml?: { version: string }): Promise<Evaluation<EvaluatedReport>> {
  const evaluation = await evaluate(deps, res, { kind: 'posted-whatif', body, reportLimitBytes: deps.reportLimitBytes, ...(renderHtml ? { renderHtml } : {}) });
  if (evaluation.kind !== 'evaluated') return evaluation;
  const { json, bytes, html } = evaluation.report;
  return { ...evaluation, report: { json, bytes, ...(html !== undefined ? { html } : {}) } };
}

/** A live audit of documents collected on this thread. */
export async function evaluateLiveAudit(
  deps: AppDeps,
  res: Response,
  live: { inputs: AuditInputs; options: RequestOptions; extraWarnings: Warning[]; probe?: ProbeTaskSettings },
): Promise<Evaluation<EvaluatedAudit>> {
  return auditEvaluation(await evaluate(deps, res, { kind: 'live-audit', ...live, reportLimitBytes: deps.reportLimitBytes }));
}

function auditEvaluation(evaluation: Evaluation<Extract<TaskOutcome, { kind: 'report' }>>): Evaluation<EvaluatedAudit> {
  if (evaluation.kind !== 'evaluated') return evaluation;
  const { json, bytes, counts, probeMs } = evaluation.report;
  if (counts === null) throw new Error('the audit worker answered without the report counts');
  return { kind: 'evaluated', report: { json, bytes, ...counts, ...(probeMs !== undefined ? { probeMs } : {}) }, options: evaluation.options };
}

/**
 * Runs one task on the worker pool with the request's abort signal. Throws 503 `overloaded`
 * when the pool is full, and the worker's problem when the body was unreadable.
 */
async function evaluate(deps: AppDeps, res: Response, task: EvaluationTask): Promise<Evaluation<Extract<TaskOutcome, { kind: 'report' }>>> {
  const signal = requestState(res).abort.signal;
  let outcome: TaskOutcome;
  try {
    outcome = await deps.auditPool.run(task, signal);
  } catch (e) {
    if (!signal.aborted) throw e;
    if (signal.reason instanceof ClientClosed) return { kind: 'cancelled' };
    // The only other reason a request is aborted: its grace period ran out in a shutdown.
    throw shuttingDownProblem('the server is shutting down; this request was cancelled before its evaluation finished');
  }
  switch (outcome.kind) {
    case 'report':
      return { kind: 'evaluated', report: outcome, options: outcome.options };
    case 'bad-request':
      throw new HttpProblem(outcome.problem.kind, outcome.problem.detail, outcome.problem.errors ? { errors: outcome.problem.errors } : {});
    case 'invalid-input':
      return { kind: 'invalid-input', error: new InputError(outcome.problems), options: outcome.options };
    case 'too-large':
      return { kind: 'too-large', problem: reportTooLargeProblem(outcome.bytes, deps.reportLimitBytes, outcome.options.maxPairs), options: outcome.options };
  }
}

export function reportTooLargeProblem(bytes: number | null, limitBytes: number, maxPairs: number): HttpProblem {
  const size = bytes === null ? 'too large to serialize' : `${bytes} bytes of JSON`;
  const reason = `the report would be ${size}, over the server's bound of ${limitBytes} bytes (--report-limit); lower options.maxPairs (each finding lists up to maxPairs pairs; pairCount stays exact) or audit fewer nodes per request`;
  return new HttpProblem('report-too-large', reason, { errors: [{ pointer: MAX_PAIRS_POINTER, value: maxPairs, reason }] });
}

/**
 * The object a response sends, as text: `head`'s fields, then the report's, without parsing or
 * stringifying the report again on the event loop. Same result as JSON.stringify({...head, ...report}).
 */
export function prependFields(head: Record<string, unknown>, reportJson: string): string {
  const headJson = JSON.stringify(head);
  if (reportJson === '{}') return headJson;
  if (headJson === '{}') return reportJson;
  return `${headJson.slice(0, -1)},${reportJson.slice(1)}`;
}
