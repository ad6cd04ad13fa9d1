import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { findTooDeep, MAX_JSON_DEPTH, parseJsonText } from '../model/json-text.js';
import { isWorkerReadOperation, malformedJsonProblem, nestingProblem } from './posted-body.js';
import { bodyIssuesProblem, HttpProblem, type ProblemError } from './problems.js';
import { requestState } from './request-state.js';
import { schemaIssues, type SpecSchemas } from './schemas.js';
import type { ApiOperation, JsonSchema } from './spec.js';

/**
 * Validates the path and query parameters of an operation against their schemas in the spec.
 * Query values arrive as strings; they are converted only where the schema says integer or
 * number, and only when they are plain decimal numbers, so `limit=1e3` stays a bad value.
 */
export function validateParameters(op: ApiOperation, schemas: SpecSchemas): RequestHandler {
  const params = op.parameters.filter((p) => p.in === 'query' || p.in === 'path');
  const checks = params.map((p) => ({ p, check: schemas.validator(p.schema) }));
  return (req: Request, res: Response, next: NextFunction): void => {
    const out: Record<string, unknown> = {};
    const errors: ProblemError[] = [];
    for (const { p, check } of checks) {
      const raw: unknown = p.in === 'path' ? req.params[p.name] : (req.query as Record<string, unknown>)[p.name];
      if (raw === undefined) {
        if (p.required) errors.push({ parameter: p.name, reason: 'is required' });
        continue;
      }
      if (typeof raw !== 'string') {
        errors.push({ parameter: p.name, value: raw, reason: 'must be given once, as a plain value' });
        continue;
      }
      const value = coerce(raw, p.schema);
      if (!check(value)) {
        for (const issue of schemaIssues(check.errors)) errors.push({ parameter: p.name, value: raw, reason: issue.reason });
        continue;
      }
      out[p.name] = value;
    }
    if (errors.length > 0) {
      throw new HttpProblem('invalid-parameter', errors.map((e) => `${e.parameter} ${e.reason}`).join('; '), { errors });
    }
    requestState(res).params = out;
    next();
  };
}

function coerce(raw: string, schema: JsonSchema): unknown {
  const type = typeof schema === 'object' ? schema.type : undefined;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

/** body-parser's error types, mapped to problems; anything else it throws is ours to explain as a 500. */
interface BodyParserError extends Error {
  type?: string;
  body?: string;
  limit?: number;
}

/**
 * Parses and validates a JSON request body. Content type is checked before any byte is read,
 * and the size limit is enforced while reading, so neither a wrong type nor an oversized body
 * costs parsing time. The operations evaluated on the worker pool only read the bytes here
 * (postedBodyBytes); their worker parses and validates them (posted-body.ts).
 */
export function jsonBody(op: ApiOperation, schemas: SpecSchemas, limitBytes: number): RequestHandler[] {
  const spec = op.requestBody;
  if (!spec) return [];
  const workerRead = isWorkerReadOperation(op.operationId);
  const contentType: RequestHandler = (req, _res, next) => {
    if (!hasBody(req)) {
      if (spec.required) {
        throw new HttpProblem('validation-failed', 'this operation needs a JSON request body', { errors: [{ pointer: '', reason: 'is required' }] });
      }
      return next();
    }
    if (!req.is('application/json')) {
      throw new HttpProblem('unsupported-media-type', `the request body must be application/json, got ${req.get('content-type') ?? 'no Content-Type'}`);
    }
    // The worker decodes UTF-8 only, which is what the API documents; body-parser also
    // decodes UTF-16 and UTF-32, so the other operations still take those.
    if (workerRead) {
      const charset = charsetOf(req.get('content-type'));
      if (charset !== undefined && charset !== 'utf-8') throw new HttpProblem('unsupported-media-type', `unsupported charset "${charset.toUpperCase()}"`);
    }
    next();
  };
  const parseErrors = (err: unknown, _req: Request, _res: Response, next: NextFunction): void => {
    next(bodyParserProblem(err as BodyParserError, limitBytes));
  };
  if (workerRead) {
    // Bytes only: inflated (Content-Encoding) and bounded by the limit while read, never decoded.
    const read = express.raw({ limit: limitBytes, type: () => true });
    return [contentType, read, parseErrors as unknown as RequestHandler];
  }
  const check = schemas.validator(spec.schema);
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });
  const validateBody: RequestHandler = (req, _res, next) => {
    if (!hasBody(req) && !spec.required) {
      req.body = {};
      return next();
    }
    // Before the schema: ajv, and every reader after it, recurses once per level.
    const deep = findTooDeep(req.body, MAX_JSON_DEPTH);
    if (deep) throw nestingProblem(deep);
    if (!check(req.body)) throw bodyIssuesProblem(schemaIssues(check.errors));
    next();
  };
  return [contentType, parse, parseErrors as unknown as RequestHandler, validateBody];
}

/**
 * The body of a worker-read operation as an ArrayBuffer of its own, ready to be transferred to
 * a worker thread (which detaches it here). express.raw's Buffer may be a slice of Node's shared
 * allocation pool, which must never be transferred, so the bytes are copied once: a memcpy of a
 * few milliseconds for a 20 MB body, where parsing it took hundreds. No body reads as empty.
 */
export function postedBodyBytes(req: Request): ArrayBuffer {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body)) return new ArrayBuffer(0);
  const own = new ArrayBuffer(body.byteLength);
  new Uint8Array(own).set(body);
  return own;
}

/** The `charset` parameter of a Content-Type, lower-cased; a quoted value is allowed (RFC 9110). */
function charsetOf(contentType: string | undefined): string | undefined {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  return m ? (m[1] ?? m[2] ?? '').toLowerCase() : undefined;
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

function bodyParserProblem(err: BodyParserError, limitBytes: number): Error {
  switch (err.type) {
    case 'entity.parse.failed': {
      const parsed = typeof err.body === 'string' ? parseJsonText(err.body) : undefined;
      return malformedJsonProblem(parsed && !parsed.ok ? parsed.reason : 'malformed JSON');
    }
    case 'entity.too.large':
      return new HttpProblem('body-too-large', `the request body exceeds the limit of ${limitBytes} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem('unsupported-media-type', err.message);
    case 'request.size.invalid':
    case 'request.aborted':
    case 'stream.encoding.set':
      return new HttpProblem('malformed-json', `the request body could not be read: ${err.message}`);
    default:
      return err;
  }
}
