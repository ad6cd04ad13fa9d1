import { readFileSync } from 'node:fs';
import got, { HTTPError, RequestError, type Got } from 'got';
import type { TlsSettings } from './cloud-config.js';

export interface HttpOptions {
  /** Per attempt, milliseconds. */
  timeoutMs?: number;
  /** Retries after the first attempt, for 408/429/5xx and network errors/timeouts. */
  retries?: number;
  /** Multiplies got's backoff (1 s, 2 s, 4 s … and Retry-After); tests use a small value. */
  backoffScale?: number;
}

export const DEFAULT_HTTP: Required<HttpOptions> = { timeoutMs: 30_000, retries: 3, backoffScale: 1 };

/**
 * One got instance per cloud: TLS from the cloud's settings, JSON responses, and retries with
 * exponential backoff on 408/429/5xx and network errors. POST is retried too: the only POST
 * sgaudit sends is a Keystone login, which is safe to repeat.
 */
export function createHttpClient(tls: TlsSettings, options: HttpOptions = {}): Got {
  const o = { ...DEFAULT_HTTP, ...options };
  return got.extend({
    timeout: { request: o.timeoutMs },
    retry: {
      limit: o.retries,
      methods: ['GET', 'POST'],
      statusCodes: [408, 429, 500, 502, 503, 504],
      calculateDelay: ({ computedValue }) => computedValue * o.backoffScale,
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
 * One line for reports: status and the service's own message (Keystone and Neutron both put it
 * in the JSON body), or the network error code, plus how many attempts were made.
 */
export function describeHttpFailure(error: unknown): string {
  if (!(error instanceof RequestError)) return error instanceof Error ? error.message : String(error);
  const attempts = (error.request?.retryCount ?? 0) + 1;
  const tail = attempts > 1 ? ` (${attempts} attempts)` : '';
  if (error instanceof HTTPError) {
    const { statusCode, statusMessage } = error.response;
    const message = serviceMessage(error.response.body);
    return `HTTP ${statusCode} ${statusMessage ?? ''}`.trimEnd() + (message ? `: ${message}` : '') + tail;
  }
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
