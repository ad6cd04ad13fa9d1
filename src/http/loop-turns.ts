import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { PROBLEM_TYPES, problemTypeUri } from './problems.js';

/**
 * Why this exists: Node accepts new connections only between turns of its event loop, and a
 * socket's read callback keeps handling requests while the client keeps sending them. Measured
 * on 2 cores with 200 keep-alive clients and 0.6 ms of work per request, one loop turn grew to
 * seconds, the listen queue held 130 connections, and a health check on a new connection
 * waited 3 s. Running request handlers from a queue, a few milliseconds per turn, keeps every
 * turn short, so new connections are accepted within milliseconds; the busy clients share what
 * is left.
 */
export interface LoopTurnOptions {
  /** Handler time per loop turn, in milliseconds, before the rest waits for the next turn. */
  budgetMs: number;
  /** Requests that may wait for a turn; beyond this a request is answered 503 at once. */
  maxWaiting: number;
  /** Paths answered at once, never queued: liveness and readiness must not wait behind load. */
  immediatePaths: readonly string[];
}

export const DEFAULT_LOOP_TURNS: LoopTurnOptions = {
  budgetMs: 2,
  maxWaiting: 4096,
  immediatePaths: ['/healthz', '/readyz', '/metrics'],
};

type Waiting = [IncomingMessage, ServerResponse];

export class LoopTurns {
  private readonly waiting: Waiting[] = [];
  private head = 0;
  private scheduled = false;
  private readonly immediate: ReadonlySet<string>;

  constructor(
    private readonly options: LoopTurnOptions = DEFAULT_LOOP_TURNS,
    private readonly onRefused: () => void = () => {},
    private readonly now: () => number = () => performance.now(),
  ) {
    this.immediate = new Set(options.immediatePaths);
  }

  get waitingCount(): number {
    return this.waiting.length - this.head;
  }

  /** `app` behind the turn queue. */
  listener(app: RequestListener): RequestListener {
    return (req, res) => {
      if (this.immediate.has(pathOf(req.url))) {
        app(req, res);
        return;
      }
      if (this.waitingCount >= this.options.maxWaiting) {
        refuseOverloaded(res);
        this.onRefused();
        return;
      }
      this.waiting.push([req, res]);
      this.schedule(app);
    };
  }

  private schedule(app: RequestListener): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate: callbacks queued while immediates run wait for the next turn, which polls first.
    setImmediate(() => this.runTurn(app));
  }

  private runTurn(app: RequestListener): void {
    this.scheduled = false;
    const end = this.now() + this.options.budgetMs;
    while (this.head < this.waiting.length) {
      const [req, res] = this.waiting[this.head]!;
      this.waiting[this.head] = undefined as unknown as Waiting;
      this.head += 1;
      // A client that left while its request waited needs no answer.
      if (!res.destroyed) app(req, res);
      if (this.now() >= end) break;
    }
    if (this.head === this.waiting.length) {
      this.waiting.length = 0;
      this.head = 0;
    } else {
      if (this.head > 1024) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.schedule(app);
    }
  }
}

/** The path of a request target, without its query. */
function pathOf(url: string | undefined): string {
  if (url === undefined) return '';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

const OVERLOADED_BODY = JSON.stringify({
  type: problemTypeUri('overloaded'),
  title: PROBLEM_TYPES.overloaded.title,
  status: PROBLEM_TYPES.overloaded.status,
  detail: 'too many requests are waiting for the server; retry after the Retry-After seconds',
});

function refuseOverloaded(res: ServerResponse): void {
  res.writeHead(PROBLEM_TYPES.overloaded.status, {
    'content-type': 'application/problem+json',
    'retry-after': '1',
    'cache-control': 'no-store',
  });
  res.end(OVERLOADED_BODY);
}
