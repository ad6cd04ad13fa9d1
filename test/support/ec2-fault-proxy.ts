import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small HTTP proxy in front of moto that answers chosen EC2 actions with a real EC2
 * error document (HTTP 503 + `<Response><Errors>…`), the way EC2 throttles. The SDK then
 * parses and retries it with its own retry strategy, exactly as against AWS.
 */
export interface FaultRule {
  /** EC2 Action, e.g. `DescribeSecurityGroups`. */
  action: string;
  code: string;
  message: string;
  status?: number;
  /** Fail only requests whose form body matches (e.g. pages with a NextToken). */
  when?: (params: URLSearchParams) => boolean;
}

export interface FaultProxy {
  endpoint: string;
  /** Requests seen per action, faulted or forwarded. */
  requests: Map<string, number>;
  faulted: Map<string, number>;
  close(): Promise<void>;
}

export async function startFaultProxy(upstream: string, faults: FaultRule[]): Promise<FaultProxy> {
  const requests = new Map<string, number>();
  const faulted = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const params = new URLSearchParams(body.toString('utf8'));
      const action = params.get('Action') ?? '';
      bump(requests, action);
      const fault = faults.find((f) => f.action === action && (f.when?.(params) ?? true));
      if (fault) {
        bump(faulted, action);
        res.writeHead(fault.status ?? 503, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${fault.code}</Code>` +
            `<Message>${fault.message}</Message></Error></Errors><RequestID>fault-proxy-${Date.now()}</RequestID></Response>`,
        );
        return;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (k === 'host' || k === 'content-length' || v === undefined) continue;
        headers.set(k, Array.isArray(v) ? v.join(', ') : v);
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const upstreamRes = await fetch(new URL(req.url ?? '/', upstream), {
        method: req.method ?? 'GET',
        headers,
        ...(hasBody && { body }),
      });
      const out = Buffer.from(await upstreamRes.arrayBuffer());
      res.writeHead(upstreamRes.status, { 'content-type': upstreamRes.headers.get('content-type') ?? 'text/xml' });
      res.end(out);
    })().catch((e: unknown) => {
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
    close: () => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
