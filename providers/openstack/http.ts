import { readFileSync } from 'node:fs';
import got, { HTTPError, RequestError, TimeoutError, type Got } from 'got';
import { CollectionStopped, DEFAULT_CALL_LIMITS, timedOutAfter, type CollectionDeadline, type StopCause } from '../../src/model/deadline.js';
import type { TlsSettings } from './cloud-config.js';

export interface HttpOptions {
  /** Per attempt, milliseconds. With a deadline, the smaller of this and the deadline's own per-request limit applies. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 408/429/5xx and network errors/timeouts. */
  retries?: number;
  /** Multiplies got's backoff (1 s, 2 s, 4 s … and Retry-After); tests use a small value. */
  backoffScale?: number;
}

export const DEFAULT_HTTP: Required<HttpOptions> = { timeoutMs: DEFAULT_CALL_LIMITS.requestTimeoutMs, retries: 3, backoffScale: 1 };

/**
 * One got instance per cloud: TLS from the cloud's settings, JSON responses, and retries with
 * exponential backoff on 408/429/5xx and network errors, timeouts included (got's ETIMEDOUT).
 * POST is retried too: the only POST sgaudit sends is a Keystone login, which is safe to repeat.
 *
 * With a deadline, every attempt gets its own timeout, cut to what is left of the deadline, and
 * the deadline's signal, so a request in flight stops when the collection stops; a retry whose
 * backoff would end past the deadline is not scheduled at all.
 */
export function createHttpClient(tls: TlsSettings, options: HttpOptions = {}, deadline?: CollectionDeadline): Got {
  const o = { ...DEFAULT_HTTP, ...options };
  const attemptTimeoutMs = (): number =>
    deadline ? Math.min(options.timeoutMs ?? deadline.limits.requestTimeoutMs, deadline.attemptTimeoutMs()) : o.timeoutMs;
  return got.extend({
    timeout: { request: o.timeoutMs },
    ...(deadline && { signal: deadline.signal }),
    retry: {
      limit: o.retries,
      methods: ['GET', 'POST'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      calculateDelay: ({ computedValue }) => {
        const delay = computedValue * o.backoffScale;
        // 0 tells got to stop: sleeping into the deadline would only end in an aborted attempt.
        return deadline && delay > 0 && delay >= deadline.remainingMs() ? 0 : delay;
      },
    },
    hooks: {
      // Runs before every attempt, retries included, so each attempt sees the deadline as it is now.
      beforeRequest: [
        (request) => {
          request.timeout = { request: attemptTimeoutMs() };
        },
      ],
    },
    https: {
      rejectUnauthorized: tls.verify,
      ...(tls.caFile && { certificateAuthority: readFileSync(tls.caFile) }),
      ...(tls.certFile && { certificate: readFileSync(tls.certFile) }),
      ...(tls.keyFile && { key: readFileSync(tls.keyFile) }),
    },
    headers: { 'user-agent': 'sgaudit', accept: 'application/json' },
  });
}

/** HTTP status of a failed got call, if the server answered at all. */
export function httpStatus(error: unknown): number | undefined {
  return error instanceof HTTPError ? error.response.statusCode : undefined;
}

/**
 * How a failed call ended, for deciding what it means: the service answered with an error
 * status, its attempts timed out, the collection was stopped (deadline or caller) while it
 * was in flight, or the connection failed some other way.
 */
export type HttpFailure =
  | { kind: 'status'; status: number }
  | { kind: 'timeout'; afterMs: number }
  | { kind: 'stopped'; cause: StopCause; reason: string }
  | { kind: 'network'; code: string };

export function classifyHttpFailure(error: unknown): HttpFailure | undefined {
  if (!(error instanceof RequestError)) return undefined;
  if (error instanceof HTTPError) return { kind: 'status', status: error.response.statusCode };
  const stopped = error.options?.signal?.reason;
  if (error.code === 'ERR_ABORTED' && stopped instanceof CollectionStopped) return { kind: 'stopped', cause: stopped.stopCause, reason: stopped.message };
  if (error instanceof TimeoutError) return { kind: 'timeout', afterMs: error.options.timeout.request ?? 0 };
  return { kind: 'network', code: error.code };
}

/**
 * One line for reports: status and the service's own message (Keystone and Neutron both put it
 * in the JSON body), or the network error code, plus how many attempts were made.
 */
export function describeHttpFailure(error: unknown): string {
  if (!(error instanceof RequestError)) return error instanceof Error ? error.message : String(error);
  const attempts = (error.request?.retryCount ?? 0) + 1;
  const tail = attempts > 1 ? ` (${attempts} attempts)` : '';
  const failure = classifyHttpFailure(error);
  if (error instanceof HTTPError) {
    const { statusCode, statusMessage } = error.response;
    const message = serviceMessage(error.response.body);
    return `HTTP ${statusCode} ${statusMessage ?? ''}`.trimEnd() + (message ? `: ${message}` : '') + tail;
  }
  if (failure?.kind === 'stopped') return `${failure.reason}${tail}`;
  // got says "Timeout awaiting 'request' for 20000ms"; every provider says "timed out after 20 s".
  if (failure?.kind === 'timeout') return `${error.code}: ${timedOutAfter(failure.afterMs)}${tail}`;
  return `${error.code}: ${error.message}${tail}`;
}

function serviceMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = body.toString();
    try {
      parsed = JSON.parse(text);
    } catch {
      return text.trim().slice(0, 300) || undefined;
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  // Keystone: {"error": {"message"}}; Neutron: {"NeutronError": {"message"}}
  for (const value of Object.values(parsed as Record<string, unknown>)) {
    if (typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string') {
      return (value as { message: string }).message;
    }
  }
  return undefined;
}
