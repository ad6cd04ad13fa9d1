import { request } from 'node:http';
import { signedHeaders } from './auth.js';

/**
 * How a control call failed. `unreachable` (nothing answered: refused, timeout, no route)
 * becomes the agent-missing verdict; `aborted` means the caller gave the sweep up, so it says
 * nothing about the agent; anything else is an error.
 */
export type CallResult<T> =
  | { ok: true; body: T; elapsedMs: number }
  | { ok: false; failure: 'unreachable' | 'http' | 'protocol' | 'aborted'; message: string; status?: number; elapsedMs: number };

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EADDRNOTAVAIL']);

export interface AgentClientOptions {
  secret: Buffer;
  port: number;
  /** Per-request timeout. */
  timeoutMs: number;
  /** Closes the request's socket when it aborts; an already aborted signal sends nothing. */
  signal?: AbortSignal;
}

/** Signs and sends one control request to the agent at `host`. Never throws. */
export function callAgent<T>(opts: AgentClientOptions, host: string, path: string, payload: unknown): Promise<CallResult<T>> {
  const body = JSON.stringify(payload);
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  return new Promise((resolve) => {
    if (opts.signal?.aborted) {
      resolve({ ok: false, failure: 'aborted', message: `not sent to ${host}: the sweep was cancelled`, elapsedMs: 0 });
      return;
    }
    const req = request(
      {
        host,
        port: opts.port,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...signedHeaders(opts.secret, 'POST', path, body) },
        timeout: opts.timeoutMs,
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (err) =>
          resolve({ ok: false, failure: opts.signal?.aborted ? 'aborted' : 'protocol', message: opts.signal?.aborted ? `${host}:${opts.port}: the sweep was cancelled` : err.message, elapsedMs: elapsed() }),
        );
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            resolve({ ok: false, failure: 'protocol', status: res.statusCode, message: `agent answered non-JSON (${text.slice(0, 80)})`, elapsedMs: elapsed() });
            return;
          }
          if (res.statusCode !== 200) {
            const reason = typeof (parsed as { error?: unknown })?.error === 'string' ? (parsed as { error: string }).error : text.slice(0, 200);
            resolve({ ok: false, failure: 'http', status: res.statusCode, message: `HTTP ${res.statusCode}: ${reason}`, elapsedMs: elapsed() });
            return;
          }
          resolve({ ok: true, body: parsed as T, elapsedMs: elapsed() });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (opts.signal?.aborted) {
        resolve({ ok: false, failure: 'aborted', message: `${host}:${opts.port}: the sweep was cancelled`, elapsedMs: elapsed() });
        return;
      }
      const failure = err.code && UNREACHABLE_CODES.has(err.code) ? 'unreachable' : 'protocol';
      resolve({ ok: false, failure, message: `${host}:${opts.port}: ${err.code ?? ''} ${err.message}`.trim(), elapsedMs: elapsed() });
    });
    req.end(body);
  });
}
