import type { Response } from 'express';
import type { ReportSummary } from '../model/report.js';
import { InputError } from '../model/source.js';
import type { AuditTask, WhatifTask } from './audit-task.js';
import type { AppDeps } from './deps.js';
import { HttpProblem } from './problems.js';
import { ClientClosed, requestState } from './request-state.js';
import { shuttingDownProblem } from './shutdown.js';

/** A report the worker produced, as the JSON text the response and the store use. */
export interface EvaluatedReport {
  json: string;
  bytes: number;
}

export interface EvaluatedAudit extends EvaluatedReport {
  /** For metrics, which would otherwise have to parse the report. */
  summary: ReportSummary;
}

/** Where the report bound sends the caller: the one option that shrinks a report. */
const MAX_PAIRS_POINTER = '/options/maxPairs';

/**
 * Evaluates one request's audit on the worker pool, with the request's abort signal.
 * Throws 503 `overloaded` when the pool is full, an InputError rebuilt from the worker's
 * problems (so callers keep their own mapping of it), and 422 `report-too-large` over the bound.
 * Returns undefined when the client went away: nobody reads an answer then.
 */
export async function evaluateAudit(deps: AppDeps, res: Response, task: Omit<AuditTask, 'kind' | 'reportLimitBytes'>): Promise<EvaluatedAudit | undefined> {
  const evaluated = await evaluate(deps, res, { kind: 'audit', ...task });
  if (!evaluated) return undefined;
  if (evaluated.summary === null) throw new Error('the audit worker answered without a report summary');
  return { json: evaluated.json, bytes: evaluated.bytes, summary: evaluated.summary };
}

/** evaluateAudit for a what-if. */
export async function evaluateWhatif(deps: AppDeps, res: Response, task: Omit<WhatifTask, 'kind' | 'reportLimitBytes'>): Promise<EvaluatedReport | undefined> {
  const evaluated = await evaluate(deps, res, { kind: 'whatif', ...task });
  return evaluated && { json: evaluated.json, bytes: evaluated.bytes };
}

async function evaluate(
  deps: AppDeps,
  res: Response,
  task: Omit<AuditTask, 'reportLimitBytes'> | Omit<WhatifTask, 'reportLimitBytes'>,
): Promise<(EvaluatedReport & { summary: ReportSummary | null }) | undefined> {
  const signal = requestState(res).abort.signal;
  let outcome;
  try {
    outcome = await deps.auditPool.run({ ...task, reportLimitBytes: deps.reportLimitBytes } as AuditTask | WhatifTask, signal);
  } catch (e) {
    if (!signal.aborted) throw e;
    if (signal.reason instanceof ClientClosed) return undefined;
    // The only other reason a request is aborted: its grace period ran out in a shutdown.
    throw shuttingDownProblem('the server is shutting down; this request was cancelled before its evaluation finished');
  }
  switch (outcome.kind) {
    case 'report':
      return { json: outcome.json, bytes: outcome.bytes, summary: outcome.summary };
    case 'invalid-input':
      throw new InputError(outcome.problems);
    case 'too-large':
      throw reportTooLargeProblem(outcome.bytes, deps.reportLimitBytes, task.maxPairs);
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
