import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A small HTTP proxy on 127.0.0.1 in front of one upstream (Keystone, Neutron, any JSON API)
 * that misbehaves on chosen requests the way real endpoints do under faults. Requests no
 * fault matches are forwarded unchanged, so everything else the client does stays real.
 */
export type FaultAction =
  /** Accept the request and never answer: the client's own timeout is the only way out. */
  | { kind: 'hang' }
  /** Wait, then forward: a slow upstream. */
  | { kind: 'delay'; ms: number }
  /** Close the connection without any response (the client sees ECONNRESET / socket hang up). */
  | { kind: 'drop' }
  /** Answer with this status and a JSON body, e.g. 500 or 503. */
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** 200 with a body that is not JSON: a captive portal, an HTML error page from a balancer. */
  | { kind: 'garbage'; body?: string };

export interface FaultRule {
  /** HTTP method to match; any when absent. */
  method?: string;
  /** Tested against the path with its query string, e.g. /^\/v2\.0\/ports\?/. */
  path: RegExp;
  action: FaultAction;
  /** Only the first N matching requests get the fault; later ones are forwarded. Every one when absent. */
  times?: number;
}

/** Changes a forwarded response body, e.g. to point a Keystone catalog at another proxy. */
export type BodyRewrite = (body: Buffer, request: { method: string; path: string }, headers: IncomingHttpHeaders) => Buffer;

export interface ProxiedRequest {
  method: string;
  path: string;
  /** The fault applied, or `forward`. */
  outcome: FaultAction['kind'] | 'forward';
}

export interface HttpFaultProxy {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  /** Every request seen, in order. */
  log: ProxiedRequest[];
  /** Replaces the fault rules (and their `times` counters); the first matching rule applies. */
  setFaults(rules: FaultRule[]): void;
  close(): Promise<void>;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and the ones a rewritten body invalidates. */
const DROPPED_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'content-length']);

export async function startHttpFaultProxy(upstream: string, options: { rewrite?: BodyRewrite } = {}): Promise<HttpFaultProxy> {
  const target = new URL(upstream);
  let rules: { rule: FaultRule; used: number }[] = [];
  const log: ProxiedRequest[] = [];

  const pick = (method: string, path: string): FaultAction | undefined => {
    for (const entry of rules) {
      const { rule } = entry;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method) continue;
      if (!rule.path.test(path)) continue;
      if (rule.times !== undefined && entry.used >= rule.times) continue;
      entry.used += 1;
      return rule.action;
    }
    return undefined;
  };

  const forward = async (req: IncomingMessage, body: Buffer, res: ServerResponse, path: string): Promise<void> => {
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      // identity encoding keeps the body readable for `rewrite`
      if (v === undefined || DROPPED_HEADERS.has(k) || k === 'host' || k === 'accept-encoding') continue;
      headers[k] = v;
    }
    if (body.length > 0) headers['content-length'] = String(body.length);
    const upstreamRes = await new Promise<IncomingMessage>((resolve, reject) => {
      const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path, headers }, resolve);
      out.on('error', reject);
      out.end(body);
    });
    const chunks: Buffer[] = [];
    for await (const chunk of upstreamRes) chunks.push(chunk as Buffer);
    let out: Buffer = Buffer.concat(chunks);
    if (options.rewrite) out = options.rewrite(out, { method: req.method ?? 'GET', path }, upstreamRes.headers);
    const resHeaders: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(upstreamRes.headers)) if (v !== undefined && !DROPPED_HEADERS.has(k)) resHeaders[k] = v;
    resHeaders['content-length'] = String(out.length);
    res.writeHead(upstreamRes.statusCode ?? 502, resHeaders);
    res.end(out);
  };

  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      const method = (req.method ?? 'GET').toUpperCase();
      const path = req.url ?? '/';
      const action = pick(method, path);
      log.push({ method, path, outcome: action?.kind ?? 'forward' });
      switch (action?.kind) {
        case undefined:
          return forward(req, body, res, path);
        case 'hang':
          return; // closeAllConnections() in close() ends it
        case 'delay':
          await sleep(action.ms);
          if (!res.destroyed) await forward(req, body, res, path);
          return;
        case 'drop':
          req.socket.destroy();
          return;
        case 'status': {
          const text = JSON.stringify(action.body ?? { error: { code: action.status, message: `fault proxy: injected HTTP ${action.status}` } });
          res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
          res.end(text);
          return;
        }
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(action.body ?? '<html><body>502 Bad Gateway</body></html>');
          return;
      }
    })().catch((e: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: ${(e as Error).message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    setFaults(next) {
      rules = next.map((rule) => ({ rule, used: 0 }));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // hung requests and idle keep-alive sockets would otherwise hold close() open
        server.closeAllConnections();
      }),
  };
}
