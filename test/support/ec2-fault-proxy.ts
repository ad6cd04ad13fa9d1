import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy in front of moto that misbehaves for chosen EC2 actions the ways EC2 or
 * the network do: an EC2 error document (HTTP 503 + `<Response><Errors>…`, the way EC2
 * throttles), a connection that is accepted and never answered, an answer that comes late, a
 * connection dropped mid-request, or a 200 whose body is not XML. The SDK parses, times out
 * and retries all of them with its own retry strategy, exactly as against AWS.
 */
interface RuleBase {
  /** EC2 Action, e.g. `DescribeSecurityGroups`. */
  action: string;
  /** Fault only requests whose form body matches (e.g. pages with a NextToken). */
  when?: (params: URLSearchParams) => boolean;
  /** Fault the first `times` matching requests, then forward the rest; default: every one. */
  times?: number;
}

export type FaultRule =
  /** An EC2 error document; `RequestLimitExceeded` with 503 is throttling, `InternalError` with 500 a server error. */
  | (RuleBase & { fault?: 'error'; code: string; message: string; status?: number })
  /** Read the request, then never answer (until the client gives up or the proxy closes). */
  | (RuleBase & { fault: 'hang' })
  /** Wait `ms`, then forward to moto. */
  | (RuleBase & { fault: 'delay'; ms: number })
  /** Read the request, then destroy the connection without a byte of answer. */
  | (RuleBase & { fault: 'drop' })
  /** HTTP 200 with a body that is not XML. */
  | (RuleBase & { fault: 'garbage' });

export interface FaultProxy {
  endpoint: string;
  /** Requests seen per action, faulted or forwarded. */
  requests: Map<string, number>;
  faulted: Map<string, number>;
  /** Requests held open by a `hang` rule right now. */
  hanging(): number;
  close(): Promise<void>;
}

export const GARBAGE_BODY = 'this is not XML {"NetworkInterfaces": [';

export async function startFaultProxy(upstream: string, faults: FaultRule[]): Promise<FaultProxy> {
  const requests = new Map<string, number>();
  const faulted = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  const remaining = new Map<FaultRule, number>(faults.map((f) => [f, f.times ?? Number.POSITIVE_INFINITY]));
  const hung = new Set<ServerResponse>();

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const params = new URLSearchParams(body.toString('utf8'));
      const action = params.get('Action') ?? '';
      bump(requests, action);
      const fault = faults.find((f) => f.action === action && (remaining.get(f) ?? 0) > 0 && (f.when?.(params) ?? true));
      if (fault) {
        remaining.set(fault, (remaining.get(fault) ?? 0) - 1);
        bump(faulted, action);
        switch (fault.fault) {
          case 'hang':
            hung.add(res);
            res.on('close', () => hung.delete(res));
            return;
          case 'drop':
            req.socket.destroy();
            return;
          case 'garbage':
            res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
            res.end(GARBAGE_BODY);
            return;
          case 'delay':
            await new Promise((resolve) => setTimeout(resolve, fault.ms));
            break;
          case undefined:
          case 'error':
            res.writeHead(fault.status ?? 503, { 'content-type': 'text/xml;charset=UTF-8' });
            res.end(
              `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${fault.code}</Code>` +
                `<Message>${fault.message}</Message></Error></Errors><RequestID>fault-proxy-${Date.now()}</RequestID></Response>`,
            );
            return;
        }
      }
      await forward(upstream, req, body, res);
    })().catch((e: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${(e as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    faulted,
    hanging: () => hung.size,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Hung requests and the clients' keep-alive sockets would hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function forward(upstream: string, req: IncomingMessage, body: Buffer, res: ServerResponse): Promise<void> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (k === 'host' || k === 'content-length' || k === 'connection' || k === 'keep-alive' || v === undefined) continue;
    headers.set(k, Array.isArray(v) ? v.join(', ') : v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const upstreamRes = await fetch(new URL(req.url ?? '/', upstream), {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody && { body }),
  });
  const out = Buffer.from(await upstreamRes.arrayBuffer());
  if (res.destroyed) return;
  res.writeHead(upstreamRes.status, { 'content-type': upstreamRes.headers.get('content-type') ?? 'text/xml' });
  res.end(out);
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
