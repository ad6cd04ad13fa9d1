import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Response } from 'express';
import type { Logger } from 'pino';
import { HttpProblem, PROBLEM_TYPES, problemTypeUri } from './problems.js';
import { ClientClosed, requestState } from './request-state.js';

/** The abort reason of requests still running when the grace period ends. */
export class ServerShuttingDown extends Error {
  constructor() {
    super('the server is shutting down');
    this.name = 'ServerShuttingDown';
  }
}

/** A replica that is stopping comes back, or its successor starts, within seconds. */
export const SHUTDOWN_RETRY_AFTER_SECONDS = 5;

/** After the grace period, how long aborted requests get to send their 503 before their sockets go. */
const ABORT_SETTLE_MS = 500;
/** After every socket was destroyed, how long to wait for the listener to report it closed. */
const CLOSE_WAIT_MS = 500;

const SHUTDOWN_HEADERS = { 'Retry-After': String(SHUTDOWN_RETRY_AFTER_SECONDS), Connection: 'close' };

export function shuttingDownProblem(detail: string): HttpProblem {
  return new HttpProblem('shutting-down', detail, { headers: SHUTDOWN_HEADERS });
}

/** How a drain ended: every request finished in the grace period, or some were aborted. */
export type DrainOutcome = { kind: 'finished' } | { kind: 'aborted'; requests: number };

interface InFlight {
  req: IncomingMessage;
  res: ServerResponse;
  startedAt: bigint;
}

/**
 * The server's side of its requests' lifecycle: which are in flight, an access-log line for
 * those that never finish (Node emits no 'finish' for them, so the app's logger never sees
 * them end), and the drain on shutdown. It wraps the app rather than living in it so that a
 * draining server answers before express routes anything.
 */
export class RequestLifecycle {
  private readonly inFlight = new Set<InFlight>();
  private readonly waiters = new Set<() => void>();
  /** Set when the drain begins. */
  private server: Server | undefined;

  constructor(private readonly logger: Logger) {}

  get isDraining(): boolean {
    return this.server !== undefined;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** The server's request listener: `app` behind in-flight tracking and the drain gate. */
  listener(app: RequestListener): RequestListener {
    return (req, res) => {
      if (this.isDraining) {
        this.refuse(req, res);
        return;
      }
      const entry: InFlight = { req, res, startedAt: process.hrtime.bigint() };
      this.inFlight.add(entry);
      // Created now, before express: every request has its signal whatever the route.
      const state = requestState(res as Response);
      res.once('close', () => {
        this.inFlight.delete(entry);
        if (!res.writableFinished) this.logUnfinished(entry, state.abort.signal.reason);
        // A kept-alive socket whose response just ended is idle now; nothing more may arrive on it.
        if (this.server) setImmediate(() => this.server?.closeIdleConnections());
        if (this.inFlight.size === 0) for (const wake of [...this.waiters]) wake();
      });
      app(req, res);
    };
  }

  /**
   * Stops accepting connections, lets in-flight requests finish for `graceMs`, then aborts the
   * rest (their AbortControllers, so upstream calls stop) and destroys their connections.
   * Resolves when the listener is closed.
   */
  async drain(server: Server, graceMs: number): Promise<DrainOutcome> {
    this.server = server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.logger.info({ inFlight: this.inFlight.size, graceMs }, 'shutdown: draining; no new connections');
    for (const { res } of this.inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
    server.closeIdleConnections();
    let outcome: DrainOutcome = { kind: 'finished' };
    if (!(await this.settled(graceMs))) {
      const requests = this.inFlight.size;
      outcome = { kind: 'aborted', requests };
      this.logger.warn({ inFlight: requests, graceMs }, 'shutdown: grace period over; aborting the requests still running');
      for (const { res } of this.inFlight) requestState(res as Response).abort.abort(new ServerShuttingDown());
      await this.settled(ABORT_SETTLE_MS);
    } else {
      this.logger.info('shutdown: every in-flight request finished');
    }
    // What is left is idle, half a request's headers, or a request that ignored its abort.
    server.closeAllConnections();
    if (!(await within(closed, CLOSE_WAIT_MS))) this.logger.warn('shutdown: the listener did not report closed; going on');
    this.logger.info('shutdown: connections closed');
    return outcome;
  }

  /** True once no request is in flight, false if `ms` passed first. */
  private settled(ms: number): Promise<boolean> {
    if (this.inFlight.size === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (value: boolean): void => {
        clearTimeout(timer);
        this.waiters.delete(wake);
        resolve(value);
      };
      const wake = (): void => done(true);
      const timer = setTimeout(() => done(false), ms);
      this.waiters.add(wake);
    });
  }

  /**
   * A request that arrived on an open connection after the drain began. Written with plain
   * node calls: express never sees it, so it cannot start any work.
   */
  private refuse(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomUUID();
    const type = PROBLEM_TYPES['shutting-down'];
    const path = pathOf(req);
    const body = JSON.stringify({
      type: problemTypeUri('shutting-down'),
      title: type.title,
      status: type.status,
      detail: `the server is shutting down; retry on another replica or after ${SHUTDOWN_RETRY_AFTER_SECONDS} s`,
      instance: path,
      requestId,
    });
    res.writeHead(type.status, {
      ...SHUTDOWN_HEADERS,
      'Content-Type': 'application/problem+json',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      'X-Request-Id': requestId,
    });
    res.end(body);
    this.logger.info({ reqId: requestId, method: req.method, path, route: 'draining', status: type.status }, 'request');
  }

  private logUnfinished(entry: InFlight, reason: unknown): void {
    const state = requestState(entry.res as Response);
    const seconds = Number(process.hrtime.bigint() - entry.startedAt) / 1e9;
    const why = reason instanceof ServerShuttingDown ? 'aborted by the shutdown' : reason instanceof ClientClosed ? 'client closed the connection' : 'connection closed';
    (state.log ?? this.logger).info(
      {
        method: entry.req.method,
        path: pathOf(entry.req),
        route: state.route ?? 'unmatched',
        // nginx's "client closed request": the response never went out, so there is no real status.
        status: 499,
        durationMs: Math.round(seconds * 1e4) / 10,
        aborted: why,
        ...(state.grant ? { client: state.grant.name } : {}),
      },
      'request',
    );
  }
}

/** The path alone: a query string may carry a cursor or filter nobody asked to log. */
function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

async function within(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
