import { createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP server on 127.0.0.1 that accepts every connection, reads what it is sent and never
 * answers: a Kubernetes, EC2 or Neutron endpoint that hangs. It counts its open sockets, so a
 * test can assert that the client really closed them, not just stopped waiting.
 */
export interface HungUpstream {
  url: string;
  accepted(): number;
  open(): number;
  /** Resolves true once connections were accepted and every one has been closed by the client; false after `ms`. */
  allClosed(ms: number): Promise<boolean>;
  close(): Promise<void>;
}

export async function startHungUpstream(): Promise<HungUpstream> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.resume();
    socket.on('error', () => undefined);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the hung upstream has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    allClosed: async (ms) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        if (accepted > 0 && sockets.size === 0) return true;
        await new Promise((r) => setTimeout(r, 20));
      }
      return accepted > 0 && sockets.size === 0;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Resolves once `accepted()` reaches `n`, so a test acts while a request is really in flight upstream. */
export async function waitForAccepted(upstream: HungUpstream, n = 1, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (upstream.accepted() < n) {
    if (Date.now() > until) throw new Error(`the hung upstream accepted ${upstream.accepted()} connections, expected ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
