/**
 * The body of an audit worker thread (piscina calls the default export once per task). It runs
 * the same pipeline functions as the CLI; only the packaging is its own: a posted body arrives
 * as bytes and is read here (posted-body.ts), the report leaves as measured JSON text, and every
 * error leaves as data (a problem, or an InputError's problems).
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import type { AuditReport } from '../model/report.js';
import { InputError } from '../model/source.js';
import { runAudit, type AuditResult } from '../pipeline/audit.js';
// Static, not loaded on demand: a worker thread under tsx resolves only its static imports (the sources' `.js` names).
import { confirmFindings, orchestratorProbe } from '../probe/confirm.js';
import { probeNodesFromCluster } from '../probe/inventory.js';
import { whatifFromInputs } from '../pipeline/whatif.js';
import { renderWhatifHtml } from '../whatif/render-html.js';
import type { WhatifReport } from '../whatif/report.js';
import { plannedSweep } from '../probe/peer-selection.js';
import type { EvaluationTask, LiveAuditTask, PeerPlanOutcome, PeerPlanTask, PostedTask, ProbeTaskSettings, ReportCounts, RequestOptions, TaskOutcome } from './audit-task.js';
import { readPostedBody, WORKER_READ_OPERATIONS, type WorkerReadOperation } from './posted-body.js';
import { auditRequest, whatifRequest, type AuditRequestBody, type WhatifRequestBody } from './posted-request.js';
import { boundedErrors, HttpProblem } from './problems.js';
import { SpecSchemas } from './schemas.js';
import { loadSpec } from './spec.js';

/**
 * Compiled when piscina loads this module, which it does as the thread starts, so the first
 * request does not pay for reading openapi.yaml and compiling its schemas.
 */
const requestChecks = compileRequestChecks();

function compileRequestChecks(): Record<WorkerReadOperation, ValidateFunction> {
  const spec = loadSpec();
  const schemas = new SpecSchemas(spec.doc);
  const checks = {} as Record<WorkerReadOperation, ValidateFunction>;
  for (const id of WORKER_READ_OPERATIONS) {
    const body = spec.operations.find((o) => o.operationId === id)?.requestBody;
    if (!body) throw new Error(`openapi.yaml has no request body for operation ${id}`);
    checks[id] = schemas.validator(body.schema);
  }
  return checks;
}

const OPERATION_OF: Record<PostedTask['kind'], WorkerReadOperation> = { 'posted-audit': 'createAudit', 'posted-whatif': 'createWhatif' };

/** The rendezvous peer plan of a probe sweep (AuditPool.planPeers). */
export function planPeers(task: PeerPlanTask): PeerPlanOutcome {
  return plannedSweep(task);
}

export default function evaluateTask(task: EvaluationTask): TaskOutcome | Promise<TaskOutcome> {
  if (task.kind === 'live-audit' && task.probe) return probedLiveAudit(task, task.probe);
  if (task.kind === 'live-audit') {
    return evaluated(task.options, task.reportLimitBytes, () => {
      const report = runAudit(task.inputs, { maxPairs: task.options.maxPairs }).report;
      report.warnings.push(...task.extraWarnings);
      return audit(report);
    });
  }
  let body: unknown;
  try {
    body = readPostedBody(new Uint8Array(task.body), requestChecks[OPERATION_OF[task.kind]]);
  } catch (e) {
    if (!(e instanceof HttpProblem)) throw e;
    return { kind: 'bad-request', problem: { kind: e.kind, detail: e.message, ...(e.errors ? { errors: boundedErrors(e.errors) } : {}) } };
  }
  if (task.kind === 'posted-audit') {
    const request = auditRequest(body as AuditRequestBody);
    return evaluated(request.options, task.reportLimitBytes, () => audit(runAudit(request.inputs, { maxPairs: request.options.maxPairs }).report));
  }
  const request = whatifRequest(body as WhatifRequestBody);
  let report: WhatifReport | undefined;
  // A what-if is answered, never stored: no listing counts.
  const outcome = evaluated(request.options, task.reportLimitBytes, () => {
    report = whatifFromInputs(request.inputs, request.proposal, { maxPairs: request.options.maxPairs });
    return { report, counts: null };
  });
  // The page is rendered here, within the report bound, so the event loop never parses or renders a large what-if.
  if (outcome.kind !== 'report' || !task.renderHtml || !report) return outcome;
  return { ...outcome, html: renderWhatifHtml(report, { version: task.renderHtml.version }) };
}

/**
 * A live audit confirmed by probes, as `audit --probe` does it. The probes are network waits,
 * not CPU, but confirmFindings needs the evaluation between its two halves, and the evaluation
 * stays in this thread rather than being copied out and back; the worker is busy for the
 * probes' timeout. An abort of the task ends this thread, which closes the agent sockets.
 */
async function probedLiveAudit(task: LiveAuditTask, probe: ProbeTaskSettings): Promise<TaskOutcome> {
  let result: AuditResult;
  try {
    result = runAudit(task.inputs, { maxPairs: task.options.maxPairs });
  } catch (e) {
    if (e instanceof InputError) return { kind: 'invalid-input', problems: e.problems, options: task.options };
    throw e;
  }
  const started = Date.now();
  let confirmed: AuditReport;
  try {
    confirmed = await confirmFindings(
      result.report,
      result.evaluation,
      orchestratorProbe({
        nodes: probeNodesFromCluster(result.snapshot.cluster.nodes, result.snapshot.cluster.cni),
        agentPort: probe.agentPort,
        secret: Buffer.from(probe.secret),
        timeoutMs: probe.timeoutMs,
        agentRatePerSecond: probe.ratePerSecond,
      }),
    );
  } catch (e) {
    if (e instanceof InputError) return { kind: 'invalid-input', problems: e.problems, options: task.options };
    throw e;
  }
  const probeMs = Date.now() - started;
  const outcome = evaluated(task.options, task.reportLimitBytes, () => audit({ ...confirmed, warnings: [...confirmed.warnings, ...task.extraWarnings] }));
  return outcome.kind === 'report' ? { ...outcome, probeMs } : outcome;
}

function audit(report: AuditReport): { report: AuditReport; counts: ReportCounts } {
  return { report, counts: { summary: report.summary, findings: report.findings.length, remediations: report.remediations.length } };
}

/** Runs the pipeline and packages its report, or the InputError it threw, as data. */
function evaluated(options: RequestOptions, reportLimitBytes: number, run: () => { report: object; counts: ReportCounts | null }): TaskOutcome {
  let result: { report: object; counts: ReportCounts | null };
  try {
    result = run();
  } catch (e) {
    if (e instanceof InputError) return { kind: 'invalid-input', problems: e.problems, options };
    throw e;
  }
  let json: string;
  try {
    json = JSON.stringify(result.report);
  } catch (e) {
    // V8 cannot build a string this long ("Invalid string length"): far over any bound.
    if (e instanceof RangeError) return { kind: 'too-large', bytes: null, options };
    throw e;
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > reportLimitBytes) return { kind: 'too-large', bytes, options };
  return { kind: 'report', json, bytes, counts: result.counts, options };
}
