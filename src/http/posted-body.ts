/**
 * Reading a posted JSON body from its bytes: decode, parse, depth check, schema. The operations
 * whose evaluation runs on the worker pool read their body here, inside the worker, so a
 * megabytes-large body is never parsed on the event loop nor cloned across the thread boundary;
 * the other operations read theirs with express.json (validate.ts), through the same problems.
 */
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { findTooDeep, MAX_JSON_DEPTH, parseJsonText, type TooDeep } from '../model/json-text.js';
import { bodyIssuesProblem, HttpProblem } from './problems.js';
import { schemaIssues } from './schemas.js';

/** Operations whose body goes to the worker as bytes; each has a task kind in audit-task.ts. */
export const WORKER_READ_OPERATIONS = ['createAudit', 'createWhatif'] as const;
export type WorkerReadOperation = (typeof WORKER_READ_OPERATIONS)[number];

export function isWorkerReadOperation(operationId: string): operationId is WorkerReadOperation {
  return (WORKER_READ_OPERATIONS as readonly string[]).includes(operationId);
}

/**
 * `fatal: false` turns invalid UTF-8 into U+FFFD, which JSON.parse then refuses with a
 * position, and a BOM is dropped: both as body-parser's decoding did before bodies moved here.
 */
const utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

/** The parsed body after the depth and schema checks; throws the HttpProblem a client gets. */
export function readPostedBody(bytes: Uint8Array, check: ValidateFunction): unknown {
  const text = utf8.decode(bytes);
  // An empty body reads as {} (as body-parser had it), so the schema names what is missing.
  const parsed = text.length === 0 ? { ok: true as const, value: {} } : parseJsonText(text);
  if (!parsed.ok) throw malformedJsonProblem(parsed.reason);
  // Before the schema: ajv, and every reader after it, recurses once per level.
  const deep = findTooDeep(parsed.value, MAX_JSON_DEPTH);
  if (deep) throw nestingProblem(deep);
  if (!check(parsed.value)) throw bodyIssuesProblem(schemaIssues(check.errors));
  return parsed.value;
}

/** `reason` as parseJsonText words it ("malformed JSON at line 1 column 9: ..."). */
export function malformedJsonProblem(reason: string): HttpProblem {
  return new HttpProblem('malformed-json', `the request body is not valid JSON: ${reason.replace(/^malformed JSON:? ?/, '')}`);
}

export function nestingProblem(deep: TooDeep): HttpProblem {
  const reason = `nests deeper than ${deep.maxDepth} levels of arrays and objects, the most the server reads`;
  return new HttpProblem('nesting-too-deep', `the request body ${reason}; first at ${deep.pointer}`, { errors: [{ pointer: deep.pointer, reason }] });
}
