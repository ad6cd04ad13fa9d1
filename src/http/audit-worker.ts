/**
 * The body of an audit worker thread (piscina calls the default export once per task). It runs
 * the same pipeline functions as the CLI; only the packaging of the result is its own: the
 * report leaves as measured JSON text, and an InputError leaves as its problems.
 */
import { InputError } from '../model/source.js';
import { runAudit } from '../pipeline/audit.js';
import { whatifFromInputs } from '../pipeline/whatif.js';
import type { EvaluationTask, TaskOutcome } from './audit-task.js';

export default function evaluateTask(task: EvaluationTask): TaskOutcome {
  let report: { summary?: unknown; warnings: unknown[] };
  try {
    if (task.kind === 'audit') {
      const audit = runAudit(task.inputs, { maxPairs: task.maxPairs }).report;
      audit.warnings.push(...task.extraWarnings);
      report = audit;
    } else {
      report = whatifFromInputs(task.inputs, task.proposal, { maxPairs: task.maxPairs });
    }
  } catch (e) {
    if (e instanceof InputError) return { kind: 'invalid-input', problems: e.problems };
    throw e;
  }
  return serialized(report, task);
}

function serialized(report: { summary?: unknown }, task: EvaluationTask): TaskOutcome {
  let json: string;
  try {
    json = JSON.stringify(report);
  } catch (e) {
    // V8 cannot build a string this long ("Invalid string length"): far over any bound.
    if (e instanceof RangeError) return { kind: 'too-large', bytes: null };
    throw e;
  }
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > task.reportLimitBytes) return { kind: 'too-large', bytes };
  return { kind: 'report', json, bytes, summary: task.kind === 'audit' ? (report as { summary: never }).summary : null };
}
