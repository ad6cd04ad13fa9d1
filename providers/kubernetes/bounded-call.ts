import { Observable, type ConfigurationOptions, type ObservableMiddleware, type RequestContext } from '@kubernetes/client-node';
import { CollectionDeadline, timedOutAfter } from '../../src/model/deadline.js';
import { httpStatusOf } from './collect-errors.js';

/** Attempts per read, the first included: enough to ride out a blip, few enough to fail fast. */
export const MAX_ATTEMPTS = 3;

/** First back-off before a retry; doubled per retry, with jitter, never past the deadline. */
const BASE_BACKOFF_MS = 200;

/** Why a read gave up. */
export type CallFailure =
  /** The server answered with an error, or the connection failed, on the last attempt made. */
  | { kind: 'failed'; error: unknown; attempts: number }
  /** The last attempt got no answer within the per-request timeout. */
  | { kind: 'timed-out'; timeoutMs: number; attempts: number }
  /** The collection's deadline passed, or its caller cancelled it; `reason` says which. */
  | { kind: 'stopped'; reason: string; deadline: boolean };

export class BoundedCallError extends Error {
  constructor(readonly failure: CallFailure) {
    super(describeCallFailure(failure));
    this.name = 'BoundedCallError';
  }
}

/** The text after "cannot list nodes on …: ". */
export function describeCallFailure(failure: CallFailure): string {
  switch (failure.kind) {
    case 'timed-out':
      return `${timedOutAfter(failure.timeoutMs)}${attemptsTail(failure.attempts)}`;
    case 'stopped':
      return failure.reason;
    case 'failed':
      return `failed${attemptsTail(failure.attempts)}`;
  }
}

function attemptsTail(attempts: number): string {
  return ` (${attempts} attempt${attempts === 1 ? '' : 's'})`;
}

/**
 * Runs one idempotent GET under the collection's clock: each attempt gets the per-request
 * timeout (cut to what is left of the deadline) and an AbortSignal that client-node hands to
 * node-fetch, so an abandoned attempt also closes its socket and cannot keep the process
 * alive. The attempt is also raced against that signal, because the kubeconfig's auth step
 * (an exec plugin, a token refresh) runs before the request and does not see the signal.
 * Timeouts, 429, 5xx and connection errors are retried with a short back-off; anything else
 * (401, 403, 404, …) is returned at once, because asking again cannot change it.
 */
export async function boundedCall<T>(deadline: CollectionDeadline, call: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
  let attempts = 0;
  for (;;) {
    throwIfStopped(deadline);
    attempts += 1;
    const timeoutMs = deadline.attemptTimeoutMs();
    const outcome = await attempt(deadline, timeoutMs, call);
    if (outcome.kind === 'ok') return outcome.value;
    throwIfStopped(deadline);
    const failure: CallFailure =
      outcome.kind === 'timeout' ? { kind: 'timed-out', timeoutMs, attempts } : { kind: 'failed', error: outcome.error, attempts };
    if (attempts >= MAX_ATTEMPTS || (outcome.kind === 'error' && !isRetryable(outcome.error))) throw new BoundedCallError(failure);
    await backoff(deadline, attempts);
  }
}

type AttemptOutcome<T> = { kind: 'ok'; value: T } | { kind: 'timeout' } | { kind: 'error'; error: unknown };

async function attempt<T>(
  deadline: CollectionDeadline,
  timeoutMs: number,
  call: (options: ConfigurationOptions) => Promise<T>,
): Promise<AttemptOutcome<T>> {
  const controller = new AbortController();
  const timedOut = Symbol('timed out');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onStop = (): void => controller.abort(deadline.signal.reason);
  deadline.signal.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<typeof timedOut | 'stopped'>((resolve) => {
    timer = setTimeout(() => {
      // Resolve first: aborting runs the 'stopped' listener below synchronously.
      resolve(timedOut);
      controller.abort(new Error(timedOutAfter(timeoutMs)));
    }, timeoutMs);
    controller.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
  });
  try {
    const result = await Promise.race([
      call({ middleware: [signalMiddleware(controller.signal)], middlewareMergeStrategy: 'append' }).then((value) => ({ value })),
      aborted,
    ]);
    if (result === timedOut) return { kind: 'timeout' };
    // 'stopped': the caller reads the cause off the deadline.
    if (result === 'stopped') return { kind: 'error', error: deadline.signal.reason };
    return { kind: 'ok', value: result.value };
  } catch (error) {
    return { kind: 'error', error };
  } finally {
    clearTimeout(timer);
    deadline.signal.removeEventListener('abort', onStop);
  }
}

/** Puts the attempt's signal on the request; node-fetch destroys the socket when it aborts. */
function signalMiddleware(signal: AbortSignal): ObservableMiddleware {
  return {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
}

function isRetryable(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status !== undefined) return status === 429 || status >= 500;
  // node-fetch's FetchError carries the socket error code (ECONNRESET, ECONNREFUSED, …).
  const e = error as { name?: unknown; code?: unknown } | null;
  return e?.name === 'FetchError' || typeof e?.code === 'string';
}

function throwIfStopped(deadline: CollectionDeadline): void {
  const reason = deadline.stopReason();
  if (reason !== undefined) throw new BoundedCallError({ kind: 'stopped', reason, deadline: deadline.stopped?.kind === 'deadline' });
}

/** Sleeps before the next attempt; wakes at once when the collection stops. */
async function backoff(deadline: CollectionDeadline, attemptsMade: number): Promise<void> {
  const base = BASE_BACKOFF_MS * 2 ** (attemptsMade - 1);
  const ms = Math.min(base / 2 + Math.random() * base, deadline.remainingMs());
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      deadline.signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    deadline.signal.addEventListener('abort', done, { once: true });
  });
}
