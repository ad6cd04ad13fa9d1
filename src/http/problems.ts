import type { Request, Response } from 'express';
import { boundedJson } from '../model/json-text.js';
import type { InputError } from '../model/source.js';
import type { SchemaIssue } from './schemas.js';

/**
 * Every problem type the API answers with. The `type` URI of a problem is `/docs#problem-<name>`,
 * where /docs lists these entries, so a client can look any problem up on the server it got it from.
 */
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'Bad request', about: 'The request cannot be read at all (for example a badly percent-encoded URL).' },
  'nesting-too-deep': { status: 400, title: 'JSON nested too deeply', about: 'The request body nests arrays or objects deeper than the server reads; `errors[].pointer` is where it stopped.' },
  'malformed-json': { status: 400, title: 'Malformed JSON', about: 'The request body is not valid JSON; `detail` gives the line and column.' },
  'invalid-parameter': { status: 400, title: 'Invalid parameter', about: 'A query or path parameter breaks its schema; `errors[].parameter` names it.' },
  unauthorized: { status: 401, title: 'Unauthorized', about: 'No `Authorization: Bearer <token>` header, or a token the server does not know.' },
  forbidden: { status: 403, title: 'Forbidden', about: 'The token is valid but lacks the scope the operation needs (see its `security` in openapi.yaml).' },
  'not-found': { status: 404, title: 'Not found', about: 'No such route, audit id or configured cluster.' },
  'method-not-allowed': { status: 405, title: 'Method not allowed', about: 'The path exists but not with this method; `Allow` lists the methods it has.' },
  'body-too-large': { status: 413, title: 'Request body too large', about: 'The body exceeds the server limit (`--body-limit`, default 20 MB).' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type', about: 'Request bodies must be `application/json` in UTF-8.' },
  'validation-failed': { status: 422, title: 'Request body breaks the schema', about: 'The JSON body does not match the operation\'s request schema; `errors[]` has one entry per failing field (pointer, value, reason).' },
  'invalid-input': { status: 422, title: 'Unusable input document', about: 'A native export in `inputs` cannot be used (invalid CIDR, unknown document kind, no nodes, ...); `errors[].pointer` points into the request body.' },
  'probe-not-configured': { status: 422, title: 'Probes not configured', about: 'The cluster has no `probe` section in the server configuration (agent port, secret), so the server cannot reach its agents; `errors[].pointer` names `/probe` when the request asked for probes.' },
  'probe-unsupported': { status: 422, title: 'Probes not supported here', about: 'The cluster runs a flannel backend the live probes do not cover (they send VXLAN), or has fewer than two nodes.' },
  'probe-in-progress': { status: 409, title: 'Probe sweep in progress', about: 'Another probe sweep (or probing audit) of this cluster is running; one at a time per cluster, so two sweeps never share the agents\' rate and receive buffers. Retry after `Retry-After` seconds.' },
  'matrix-missing': { status: 409, title: 'Report has no matrix', about: 'The audit was stored before reports carried the verdict matrix; audit again (POST /v1/audits) to get one.' },
  'report-too-large': { status: 422, title: 'Report too large', about: 'The report would exceed the server\'s size bound; lower `options.maxPairs` (or audit fewer nodes per request).' },
  'internal-error': { status: 500, title: 'Internal server error', about: 'An unexpected failure; the server log has the details under the request id.' },
  'not-implemented': { status: 501, title: 'Not implemented', about: 'This build cannot do what was asked (live collection for a configured cluster).' },
  'collection-failed': { status: 502, title: 'Live collection failed', about: 'The cluster\'s Kubernetes API or cloud API could not be read at all, or returned documents the audit cannot use.' },
  'upstream-timeout': { status: 504, title: 'Live collection timed out', about: 'The cluster\'s Kubernetes API did not answer within the collection deadline, so there were no nodes to audit.' },
  'not-ready': { status: 503, title: 'Not ready', about: 'The audit store does not answer.' },
  overloaded: { status: 503, title: 'Overloaded', about: 'Every audit worker is busy and the queue is full; retry after the `Retry-After` seconds.' },
  'shutting-down': { status: 503, title: 'Shutting down', about: 'The server is draining before it stops; retry on another replica or after `Retry-After` seconds.' },
} as const satisfies Record<string, { status: number; title: string; about: string }>;

export type ProblemKind = keyof typeof PROBLEM_TYPES;

export interface ProblemError {
  pointer?: string;
  parameter?: string;
  value?: unknown;
  reason: string;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: ProblemError[];
}

/** Values larger than this (as JSON) are left out of `errors[].value`: a whole document echoed back helps nobody. */
const MAX_VALUE_JSON = 1024;
/** A body with thousands of bad entries still gets a bounded answer. */
const MAX_ERRORS = 100;
/** Longest `detail`, `reason`, pointer or parameter name sent; longer ones are cut with "...". */
const MAX_TEXT = 2048;

/** The one error type of the HTTP layer; the error handler renders it as problem+json. */
export class HttpProblem extends Error {
  readonly kind: ProblemKind;
  readonly errors: ProblemError[] | undefined;
  readonly headers: Record<string, string>;

  constructor(kind: ProblemKind, detail: string, options: { errors?: ProblemError[]; headers?: Record<string, string> } = {}) {
    super(detail);
    this.name = 'HttpProblem';
    this.kind = kind;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }

  get status(): number {
    return PROBLEM_TYPES[this.kind].status;
  }
}

export function problemTypeUri(kind: ProblemKind): string {
  return `/docs#problem-${kind}`;
}

export function problemDocument(p: HttpProblem, req: Request, requestId: string | undefined): ProblemDocument {
  const t = PROBLEM_TYPES[p.kind];
  const doc: ProblemDocument = {
    type: problemTypeUri(p.kind),
    title: t.title,
    status: t.status,
    detail: boundedText(p.message, MAX_TEXT),
    instance: req.path,
    ...(requestId ? { requestId } : {}),
  };
  if (p.errors && p.errors.length > 0) doc.errors = boundedErrors(p.errors);
  return doc;
}

export function sendProblem(res: Response, req: Request, p: HttpProblem, requestId: string | undefined): void {
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  res.status(p.status).type('application/problem+json').send(JSON.stringify(problemDocument(p, req, requestId)));
}

/**
 * The errors a problem document sends: at most MAX_ERRORS, each bounded. Applying it twice
 * changes nothing, so an audit worker bounds errors before they cross to the main thread.
 */
export function boundedErrors(errors: ProblemError[]): ProblemError[] {
  return errors.slice(0, MAX_ERRORS).map(boundedError);
}

/**
 * An error entry that is safe to serialize: its value measured by a bounded walk (never
 * JSON.stringify of a user value of any depth), kept only when it is small, complete JSON, and
 * then as the parsed text, so what is sent is exactly what was measured; long texts cut.
 */
function boundedError(e: ProblemError): ProblemError {
  const out: ProblemError = { reason: boundedText(e.reason, MAX_TEXT) };
  if (e.pointer !== undefined) out.pointer = boundedText(e.pointer, MAX_TEXT);
  if (e.parameter !== undefined) out.parameter = boundedText(e.parameter, MAX_TEXT);
  if (e.value !== undefined) {
    const json = boundedJson(e.value, MAX_VALUE_JSON);
    if (json.complete) out.value = JSON.parse(json.text) as unknown;
  }
  // Key order as clients have always seen it: pointer/parameter, value, reason.
  const { reason, ...rest } = out;
  return { ...rest, reason };
}

/** Cuts a text (a reason that quotes a 200 KB node name) to `max` characters, saying so. */
export function boundedText(s: string, max: number): string {
  if (typeof s !== 'string') return String(s);
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

export function bodyIssuesProblem(issues: SchemaIssue[]): HttpProblem {
  const n = issues.length;
  return new HttpProblem('validation-failed', `${n} field${n === 1 ? '' : 's'} of the request body break${n === 1 ? 's' : ''} the schema: ${issues.slice(0, 3).map((i) => `${i.pointer || '(body)'} ${i.reason}`).join('; ')}${n > 3 ? '; ...' : ''}`, {
    errors: issues.map((i) => ({ pointer: i.pointer, ...(i.value !== undefined ? { value: i.value } : {}), reason: i.reason })),
  });
}

/**
 * The core names request documents by their pointer (`/inputs/aws/2`), so a problem's
 * document and pointer join into a pointer into the request body. Problems about a whole
 * input kind carry the CLI flag name (`--nodes`), which maps to the matching request field.
 */
export function inputErrorProblem(err: InputError): HttpProblem {
  const errors = err.problems.map((p): ProblemError => {
    const base = p.document.startsWith('/') ? p.document : flagPointer(p.document);
    const pointer = base === undefined ? '' : `${base}${p.pointer}`;
    const reason = requestWording(base === undefined ? `${p.document}: ${p.reason}` : p.reason);
    return p.value === undefined ? { pointer, reason } : { pointer, value: p.value, reason };
  });
  const first = errors[0];
  const detail = `${errors.length} problem${errors.length === 1 ? '' : 's'} in the input documents${first ? `; first: ${first.pointer || '(inputs)'}: ${first.reason}` : ''}`;
  return new HttpProblem('invalid-input', detail, { errors });
}

function flagPointer(document: string): string | undefined {
  if (document === '--cni') return '/options/cni';
  if (document === '--cni-config') return '/inputs/cni';
  const m = /^--(nodes|flannel|aws|openstack)$/.exec(document);
  return m ? `/inputs/${m[1]}` : undefined;
}

/** The CNI flags a core message advises, as the request fields that do the same (`pass --cni` -> `pass options.cni`). */
function requestWording(reason: string): string {
  return reason.replace(/--cni-config\b/g, 'inputs.cni').replace(/--cni\b(?!-)/g, 'options.cni');
}
