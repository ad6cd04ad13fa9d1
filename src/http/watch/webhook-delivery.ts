import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { webhookSignature } from './webhook-signature.js';

/** How hard one notification is pushed to one target. */
export interface DeliveryPolicy {
  /** One attempt: connect, send, and receive the status line. */
  requestTimeoutMs: number;
  maxAttempts: number;
  /** All attempts and waits of one notification; no attempt starts after it. */
  deadlineMs: number;
  /** The wait before the second attempt; it doubles per attempt up to maxBackoffMs, jittered. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = { requestTimeoutMs: 10_000, maxAttempts: 6, deadlineMs: 120_000, backoffMs: 1_000, maxBackoffMs: 30_000 };

export interface DeliveryRequest {
  url: string;
  secret: Buffer;
  event: string;
  deliveryId: string;
  body: string;
}

export type DeliveryResult =
  | { outcome: 'delivered'; attempts: number; httpStatus: number }
  | { outcome: 'failed'; attempts: number; httpStatus?: number; error: string };

/** Told about each failed attempt that will be retried, for the log. */
export type RetryListener = (attempt: number, error: string, waitMs: number) => void;

/** What one attempt came to. */
type Attempt =
  | { kind: 'delivered'; status: number }
  | { kind: 'retry'; status?: number; error: string; retryAfterMs?: number }
  | { kind: 'final'; status?: number; error: string };

/**
 * POSTs one notification, retrying network errors, timeouts, 408, 429 and 5xx with exponential
 * backoff and full jitter (so targets that failed together do not retry in lockstep), and
 * honouring Retry-After. Other statuses are final: a 4xx says the receiver refuses this
 * request, and sending it again would get the same answer. Never throws.
 *
 * On shutdown, `stop` ends any wait and starts no new attempt, and `abort`, a little later,
 * cancels the attempt in flight: the result is then a failure saying so.
 */
export async function deliver(
  request: DeliveryRequest,
  policy: DeliveryPolicy,
  signals: { stop: AbortSignal; abort: AbortSignal },
  nowSeconds: () => number,
  onRetry: RetryListener,
): Promise<DeliveryResult> {
  const { stop } = signals;
  const deadline = performance.now() + policy.deadlineMs;
  let last: { status?: number; error: string } = { error: 'not attempted' };
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const remaining = deadline - performance.now();
    if (stop.aborted) return failed(attempt - 1, last, 'the service shut down before the delivery succeeded');
    if (remaining <= 0) return failed(attempt - 1, last, `the delivery deadline of ${policy.deadlineMs} ms passed`);
    // AbortSignal.timeout takes whole milliseconds only.
    const result = await attemptOnce(request, Math.max(1, Math.ceil(Math.min(policy.requestTimeoutMs, remaining))), signals.abort, nowSeconds);
    if (result.kind === 'delivered') return { outcome: 'delivered', attempts: attempt, httpStatus: result.status };
    last = { ...(result.status !== undefined ? { status: result.status } : {}), error: result.error };
    if (result.kind === 'final') return failed(attempt, last);
    if (attempt === policy.maxAttempts) return failed(attempt, last, `gave up after ${attempt} attempt${attempt === 1 ? '' : 's'}`);
    const backoff = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (attempt - 1));
    const waitMs = result.retryAfterMs ?? Math.round(backoff / 2 + Math.random() * (backoff / 2));
    const left = deadline - performance.now();
    if (waitMs >= left) {
      const why = result.retryAfterMs !== undefined ? `Retry-After asks for ${Math.ceil(waitMs / 1000)} s, beyond the delivery deadline` : `the delivery deadline of ${policy.deadlineMs} ms leaves no time for another attempt`;
      return failed(attempt, last, why);
    }
    onRetry(attempt, result.error, waitMs);
    try {
      await sleep(waitMs, undefined, { signal: stop });
    } catch {
      return failed(attempt, last, 'the service shut down before the delivery succeeded');
    }
  }
  return failed(policy.maxAttempts, last);
}

function failed(attempts: number, last: { status?: number; error: string }, why?: string): DeliveryResult {
  return { outcome: 'failed', attempts, ...(last.status !== undefined ? { httpStatus: last.status } : {}), error: why ? `${last.error}; ${why}` : last.error };
}

/** The receiver's answer: status, Retry-After and the first bytes of the body. */
interface Answer {
  status: number;
  retryAfter: string | undefined;
  said: string;
}

/** How much of an answer's body is read: enough for an error message, and a receiver streaming forever cannot hold an attempt open. */
const SAID_BYTES = 200;

async function attemptOnce(request: DeliveryRequest, timeoutMs: number, abort: AbortSignal, nowSeconds: () => number): Promise<Attempt> {
  // Signed per attempt: a retry after a long backoff must still fall inside the receiver's timestamp window.
  const timestamp = nowSeconds();
  const answer = await post(
    new URL(request.url),
    {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(request.body, 'utf8')),
      'User-Agent': 'sgaudit-webhook',
      'X-Sgaudit-Event': request.event,
      'X-Sgaudit-Delivery': request.deliveryId,
      'X-Sgaudit-Timestamp': String(timestamp),
      'X-Sgaudit-Signature': webhookSignature(request.secret, timestamp, request.body),
    },
    request.body,
    timeoutMs,
    abort,
  );
  if ('kind' in answer) return answer;
  const { status } = answer;
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  const error = `HTTP ${status}${answer.said ? `: ${answer.said}` : ''}`;
  // The configured URL is the only address notifications go to; a redirect could point anywhere.
  if (status >= 300 && status < 400) return { kind: 'final', status, error: `${error} (redirects are not followed; configure the final URL)` };
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(answer.retryAfter);
    return { kind: 'retry', status, error, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  }
  return { kind: 'final', status, error };
}

/**
 * One POST on a connection of its own (no agent): notifications are rare, and an attempt that
 * times out or is cancelled destroys its socket, with no pool to keep or reopen connections.
 * The timeout covers connecting, sending, the status line and the first bytes of the body.
 */
function post(url: URL, headers: Record<string, string>, body: string, timeoutMs: number, abort: AbortSignal): Promise<Answer | Extract<Attempt, { kind: 'retry' | 'final' }>> {
  return new Promise((resolve) => {
    let done = false;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers, agent: false });
    const finish = (result: Answer | Extract<Attempt, { kind: 'retry' | 'final' }>): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      abort.removeEventListener('abort', onAbort);
      req.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => finish({ kind: 'retry', error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const onAbort = (): void => finish({ kind: 'final', error: 'the service shut down during the attempt' });
    abort.addEventListener('abort', onAbort, { once: true });
    if (abort.aborted) onAbort();
    req.on('error', (e) => finish({ kind: 'retry', error: networkError(e) }));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const answered = (): void => {
        const said = Buffer.concat(chunks).subarray(0, SAID_BYTES).toString('utf8').replace(/[^\x20-\x7e]+/g, ' ').trim();
        const ra = res.headers['retry-after'];
        finish({ status: res.statusCode ?? 0, retryAfter: Array.isArray(ra) ? ra[0] : ra, said });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= SAID_BYTES) answered();
      });
      res.on('end', answered);
      // The status already says what happened; a body cut off adds nothing.
      res.on('error', answered);
      res.on('aborted', answered);
    });
    req.end(body);
  });
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); anything else is ignored. */
function retryAfter(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** The error code is what an operator looks up (ECONNREFUSED, ENOTFOUND, a TLS code); the message adds the detail when it says more. */
function networkError(e: Error & { code?: string }): string {
  if (e.code) return `${e.code}${e.message && !e.message.includes(e.code) ? ` (${e.message})` : ''}`;
  return e.message;
}
