import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LoopTurns, type LoopTurnOptions } from './loop-turns.js';

const options = (o: Partial<LoopTurnOptions> = {}): LoopTurnOptions => ({ budgetMs: 2, maxWaiting: 100, immediatePaths: ['/healthz'], ...o });

function request(url: string): IncomingMessage {
  return { url } as IncomingMessage;
}

/** A response that records what the refusal path writes. */
function response(): ServerResponse & { written: { status?: number; headers?: Record<string, string>; body?: string } } {
  const written: { status?: number; headers?: Record<string, string>; body?: string } = {};
  return {
    destroyed: false,
    written,
    writeHead(status: number, headers: Record<string, string>) {
      written.status = status;
      written.headers = headers;
      return this;
    },
    end(body: string) {
      written.body = body;
      return this;
    },
  } as unknown as ServerResponse & { written: typeof written };
}

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** Counts event-loop turns: a setImmediate chain advances once per turn. */
function turnCounter(): { readonly turn: number; stop(): void } {
  let turn = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turn += 1;
    setImmediate(tick);
  };
  setImmediate(tick);
  return {
    get turn() {
      return turn;
    },
    stop() {
      running = false;
    },
  };
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 50));

describe('LoopTurns', () => {
  it('runs cheap requests in arrival order within one turn', async () => {
    const ran: string[] = [];
    const turns = new LoopTurns(options());
    const listener = turns.listener((req) => void ran.push(req.url!));
    for (const url of ['/a', '/b', '/c']) listener(request(url), response());
    expect(ran).toEqual([]);
    await settle();
    expect(ran).toEqual(['/a', '/b', '/c']);
  });

  it('leaves the rest for later turns once a turn has used its budget, so the loop polls in between', async () => {
    const counter = turnCounter();
    const seenIn: number[] = [];
    const turns = new LoopTurns(options({ budgetMs: 2 }));
    const app: RequestListener = () => {
      seenIn.push(counter.turn);
      busy(3);
    };
    const listener = turns.listener(app);
    for (let i = 0; i < 4; i++) listener(request(`/v1/audits`), response());
    await settle();
    counter.stop();
    expect(seenIn).toHaveLength(4);
    // Each handler overran the budget alone, so each ran in a turn of its own.
    expect(new Set(seenIn).size).toBe(4);
    expect(turns.waitingCount).toBe(0);
  });

  it('answers immediate paths at once, ignoring the query, without queueing them', () => {
    const ran: string[] = [];
    const listener = new LoopTurns(options()).listener((req) => void ran.push(req.url!));
    listener(request('/v1/audits'), response());
    listener(request('/healthz?verbose=1'), response());
    expect(ran).toEqual(['/healthz?verbose=1']);
  });

  it('refuses with 503 overloaded problem+json and Retry-After once maxWaiting requests wait', async () => {
    let refused = 0;
    const ran: string[] = [];
    const listener = new LoopTurns(options({ maxWaiting: 2 }), () => (refused += 1)).listener((req) => void ran.push(req.url!));
    listener(request('/1'), response());
    listener(request('/2'), response());
    const third = response();
    listener(request('/3'), third);
    expect(third.written.status).toBe(503);
    expect(third.written.headers).toMatchObject({ 'content-type': 'application/problem+json', 'retry-after': '1' });
    expect(JSON.parse(third.written.body!)).toMatchObject({ type: '/docs#problem-overloaded', status: 503 });
    expect(refused).toBe(1);
    await settle();
    expect(ran).toEqual(['/1', '/2']);
  });

  it('skips a request whose client left while it waited', async () => {
    const ran: string[] = [];
    const listener = new LoopTurns(options()).listener((req) => void ran.push(req.url!));
    const gone = response();
    listener(request('/gone'), gone);
    listener(request('/here'), response());
    (gone as { destroyed: boolean }).destroyed = true;
    await settle();
    expect(ran).toEqual(['/here']);
  });
});
