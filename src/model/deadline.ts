/**
 * Time limits on the outbound calls of one collection (cloud APIs, Kubernetes). Every provider
 * takes a CollectionDeadline, so a slow or dead dependency ends as `unknown` with its cause,
 * never as a hang.
 */
export interface CallLimits {
  /** One attempt of one request, in milliseconds (`--request-timeout`). */
  requestTimeoutMs: number;
  /** The whole collection, from its start, in milliseconds (`--deadline`). */
  deadlineMs: number;
}

export const DEFAULT_CALL_LIMITS: Readonly<CallLimits> = { requestTimeoutMs: 20_000, deadlineMs: 120_000 };

/** Upper bounds for the flags and config keys: a day is already far past any sane audit. */
export const MAX_CALL_LIMIT_MS = 86_400_000;

/** "timed out after 20 s": the cause text every provider uses, so reports read the same everywhere. */
export function timedOutAfter(ms: number): string {
  const seconds = ms / 1000;
  return `timed out after ${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/** Why a collection stopped early: its deadline passed, or its caller cancelled it. */
export type StopCause = { kind: 'deadline'; deadlineMs: number } | { kind: 'cancelled'; reason: string };

export function describeStopCause(cause: StopCause): string {
  return cause.kind === 'deadline' ? `${timedOutAfter(cause.deadlineMs)} (collection deadline)` : `cancelled: ${cause.reason}`;
}

/**
 * The clock of one collection. `signal` aborts when the deadline passes or when `parent`
 * aborts (a client that disconnected, a server shutting down); providers hand it to the SDK
 * and to got so that in-flight requests stop too, not only the next ones.
 */
export class CollectionDeadline {
  readonly limits: Readonly<CallLimits>;
  readonly signal: AbortSignal;
  private readonly controller = new AbortController();
  private readonly startedAt: number;
  private readonly timer: ReturnType<typeof setTimeout>;
  private cause: StopCause | undefined;

  constructor(
    limits: CallLimits = DEFAULT_CALL_LIMITS,
    parent?: AbortSignal,
    private readonly now: () => number = Date.now,
  ) {
    this.limits = { ...limits };
    this.startedAt = now();
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => this.stop({ kind: 'deadline', deadlineMs: limits.deadlineMs }), limits.deadlineMs);
    // A pending deadline must not keep a finished CLI process alive.
    this.timer.unref?.();
    if (parent) {
      const onAbort = (): void => this.stop({ kind: 'cancelled', reason: reasonText(parent.reason) });
      if (parent.aborted) onAbort();
      else parent.addEventListener('abort', onAbort, { once: true });
    }
  }

  /** Milliseconds left before the deadline; 0 once it has passed or the collection was cancelled. */
  remainingMs(): number {
    if (this.cause) return 0;
    return Math.max(0, this.startedAt + this.limits.deadlineMs - this.now());
  }

  /** The timeout for the next attempt: the per-request timeout, cut to what is left of the deadline. */
  attemptTimeoutMs(): number {
    return Math.max(1, Math.min(this.limits.requestTimeoutMs, this.remainingMs()));
  }

  get stopped(): StopCause | undefined {
    return this.cause;
  }

  /** The reason to record on everything not read because the collection stopped, or undefined while it runs. */
  stopReason(): string | undefined {
    return this.cause ? describeStopCause(this.cause) : undefined;
  }

  /** Stops the clock; call when the collection is over so no timer outlives it. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private stop(cause: StopCause): void {
    if (this.cause) return;
    this.cause = cause;
    clearTimeout(this.timer);
    this.controller.abort(new CollectionStopped(cause));
  }
}

/** The abort reason of a CollectionDeadline's signal; providers read the cause from it. */
export class CollectionStopped extends Error {
  constructor(readonly stopCause: StopCause) {
    super(describeStopCause(stopCause));
    this.name = 'CollectionStopped';
  }
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  if (typeof reason === 'string' && reason !== '') return reason;
  return 'aborted by the caller';
}
