import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A webhook receiver on 127.0.0.1 that checks every request the way docs/watch.md tells a
 * receiver to: recompute HMAC-SHA256 over `<timestamp>.<raw body>` with the shared secret,
 * compare in constant time, and refuse a timestamp outside a five-minute window. It does not
 * import sgaudit's signing code, so a wrong signature on our side cannot agree with itself.
 */
export interface ReceivedWebhook {
  headers: IncomingMessage['headers'];
  raw: string;
  /** The signature matched and the timestamp was inside the window. */
  verified: boolean;
  /** Why it was not verified. */
  rejection?: string;
  at: number;
}

/** What the receiver does with the n-th request: answer with a status (and headers, body), or never answer. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number } | 'hang';

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  /** Resolves once `count` requests arrived; rejects after `ms`. */
  waitFor(count: number, ms?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export const WINDOW_SECONDS = 300;

export function verifySignature(secret: string, headers: IncomingMessage['headers'], raw: string, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
  const timestamp = headers['x-sgaudit-timestamp'];
  const signature = headers['x-sgaudit-signature'];
  if (typeof timestamp !== 'string' || !/^\d+$/.test(timestamp)) return 'no numeric X-Sgaudit-Timestamp';
  if (typeof signature !== 'string' || !signature.startsWith('sha256=')) return 'no sha256= X-Sgaudit-Signature';
  if (Math.abs(nowSeconds - Number(timestamp)) > WINDOW_SECONDS) return 'timestamp outside the window';
  const expected = createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest();
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature mismatch';
  return undefined;
}

/** `replies[i]` answers the i-th request; requests past the list get the last reply (200 when the list is empty). */
export async function startWebhookReceiver(secret: string, replies: Reply[] = []): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const sockets = new Set<Socket>();
  const waiters: { count: number; resolve: () => void }[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const rejection = verifySignature(secret, req.headers, raw);
      const reply = replies[Math.min(received.length, replies.length - 1)] ?? { status: 200 };
      received.push({ headers: req.headers, raw, verified: rejection === undefined, ...(rejection ? { rejection } : {}), at: Date.now() });
      for (const w of waiters.filter((w) => received.length >= w.count)) w.resolve();
      if (reply === 'hang') return;
      const answer = (): void => {
        // A receiver that cannot verify a request refuses it, as a real one must.
        const status = rejection ? 401 : reply.status;
        res.writeHead(status, { 'Content-Type': 'text/plain', ...reply.headers });
        res.end(rejection ?? reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the webhook receiver has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/hooks/sgaudit?token=receiver-path-token`,
    received,
    waitFor(count, ms = 5_000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the receiver got ${received.length} of ${count} requests within ${ms} ms`)), ms);
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve(received);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
