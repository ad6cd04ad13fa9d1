/**
 * The per-node probe agent. It listens on one port number twice: TCP for the signed
 * control API, UDP for probe datagrams. It needs no privileges beyond a hostNetwork pod:
 * plain UDP sockets, no raw sockets, no capabilities.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { RequestVerifier, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './auth.js';
import { Inventory, type ProbeNode } from './inventory.js';
import {
  API_PATHS,
  IPV4_UDP_OVERHEAD,
  PROBE_VERSION,
  decodeDatagram,
  encodeDatagram,
  minimumProbeSize,
  newNonce,
  type InfoResponse,
  type ProbeKind,
  type ReceivedResponse,
  type SendRequest,
  type SendResponse,
  type SentDatagram,
} from './protocol.js';
import { interleave, paced } from './pacer.js';
import { ReceivedLog } from './received-log.js';
import { parseReceivedRequest, parseSendRequest } from './request-validation.js';

export interface AgentOptions {
  nodeName: string;
  /** TCP control port and UDP probe port. 0 picks a free port (tests). */
  port: number;
  secret: Buffer;
  inventory: readonly ProbeNode[];
  /** Default 0.0.0.0: overlay probes arrive on the flannel device address, underlay ones on the node address. */
  bindAddress?: string;
  /** Datagrams per second this agent sends at most. */
  rateLimitPerSecond?: number;
  /** The flannel VXLAN device whose MTU bounds mtu probes. */
  overlayDevice?: string;
  /**
   * SO_RCVBUF asked for the probe socket. Every peer sends at once, so the socket must hold a
   * sweep's burst while the process is busy; the kernel caps it at net.core.rmem_max.
   */
  receiveBufferBytes?: number;
  /** Structured log lines (one JSON object each); default: none. */
  log?: (entry: Record<string, unknown>) => void;
}

export interface RunningAgent {
  tcpPort: number;
  udpPort: number;
  /** Swaps the allow-list, e.g. after re-reading the node list. */
  setInventory(nodes: readonly ProbeNode[]): void;
  close(): Promise<void>;
}

export const DEFAULT_RATE_PER_SECOND = 1000;
/** Room for a few seconds of peers' probes at full rate, large MTU probes included. */
export const DEFAULT_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;
export const DEFAULT_OVERLAY_DEVICE = 'flannel.1';
const MAX_BODY_BYTES = 8 * 1024 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startAgent(opts: AgentOptions): Promise<RunningAgent> {
  const bindAddress = opts.bindAddress ?? '0.0.0.0';
  const overlayDevice = opts.overlayDevice ?? DEFAULT_OVERLAY_DEVICE;
  if (!/^[A-Za-z0-9_.-]{1,15}$/.test(overlayDevice)) throw new RangeError(`invalid overlay device name ${JSON.stringify(overlayDevice)}`);
  const inventory = new Inventory(opts.inventory);
  const verifier = new RequestVerifier(opts.secret);
  const received = new ReceivedLog();
  const maxRate = opts.rateLimitPerSecond ?? DEFAULT_RATE_PER_SECOND;
  if (!(maxRate > 0) || !Number.isFinite(maxRate)) throw new RangeError('rate must be a positive number per second');
  // One send request at a time, so concurrent requests cannot add up to more than the rate.
  let sending: Promise<unknown> = Promise.resolve();
  const log = opts.log ?? (() => undefined);

  const udp = dgram.createSocket({ type: 'udp4', recvBufferSize: opts.receiveBufferBytes ?? DEFAULT_RECEIVE_BUFFER_BYTES });
  udp.on('message', (msg, rinfo) => {
    const d = decodeDatagram(msg);
    if (!d) return;
    received.record({
      nonce: d.nonce,
      kind: d.kind,
      senderNode: d.senderNode,
      from: rinfo.address,
      size: msg.length + IPV4_UDP_OVERHEAD,
      receivedAt: Date.now(),
    });
  });
  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, bindAddress, () => {
      udp.off('error', reject);
      resolve();
    });
  });
  udp.on('error', (err) => log({ level: 'error', msg: 'udp socket error', error: err.message }));
  const udpPort = udp.address().port;

  const readOverlayMtu = async (): Promise<number | null> => {
    try {
      const mtu = Number((await readFile(`/sys/class/net/${overlayDevice}/mtu`, 'utf8')).trim());
      return Number.isInteger(mtu) && mtu > 0 ? mtu : null;
    } catch {
      return null;
    }
  };

  const sendOne = ({ kind, target, destinationIp, size }: PlannedDatagram): Promise<SentDatagram> => {
    const nonce = newNonce();
    const payload = encodeDatagram({ kind, nonce, senderNode: opts.nodeName, size });
    return new Promise((resolve) => {
      udp.send(payload, udpPort, destinationIp, (err) => {
        const sent: SentDatagram = { target, kind, nonce, destinationIp, size: payload.length + IPV4_UDP_OVERHEAD, sentAt: Date.now() };
        if (err) sent.error = (err as NodeJS.ErrnoException).code ?? err.message;
        resolve(sent);
      });
    });
  };

  const handleSend = async (req: SendRequest): Promise<SendResponse> => {
    for (const t of req.targets) {
      const check = inventory.checkTarget(t);
      if (!check.ok) throw new HttpError(403, check.reason);
    }
    const overlayMtu = await readOverlayMtu();
    if (overlayMtu !== null) {
      const tooBig = req.targets.find((t) => t.sizes?.some((s) => s > overlayMtu));
      if (tooBig) {
        // Node cannot set IP_PMTUDISC_DO, so a datagram above the device MTU would be fragmented
        // locally and "pass": the answer would be meaningless, so refuse instead.
        throw new HttpError(400, `mtu probe sizes above ${overlayDevice} MTU ${overlayMtu} would be fragmented by this node's kernel`);
      }
    }
    const minSize = minimumProbeSize(opts.nodeName);
    const mtuCount = req.mtuCount ?? 1;
    const perTarget = req.targets.map((t) => {
      const list: PlannedDatagram[] = [];
      for (let i = 0; i < req.count; i++) {
        if (t.overlayIp) list.push({ kind: 'overlay', target: t.node, destinationIp: t.overlayIp, size: minSize });
        if (t.underlayIp) list.push({ kind: 'underlay', target: t.node, destinationIp: t.underlayIp, size: minSize });
      }
      for (const size of t.sizes ?? []) {
        for (let i = 0; i < mtuCount; i++) list.push({ kind: 'mtu', target: t.node, destinationIp: t.overlayIp!, size });
      }
      return list;
    });
    const rate = Math.min(maxRate, req.ratePerSecond ?? maxRate);
    const pending: Promise<SentDatagram>[] = [];
    const run = sending.then(() => paced(interleave(perTarget), rate, (d) => pending.push(sendOne(d))));
    sending = run.catch(() => undefined);
    await run;
    const sent = await Promise.all(pending);
    log({ level: 'info', msg: 'probes sent', targets: req.targets.length, datagrams: sent.length });
    return { node: opts.nodeName, sent, ratePerSecond: rate };
  };

  const route = async (method: string, path: string, body: string): Promise<unknown> => {
    if (method !== 'POST') throw new HttpError(405, 'only POST is supported');
    const json = body === '' ? {} : parseJson(body);
    switch (path) {
      case API_PATHS.info: {
        const info: InfoResponse = {
          node: opts.nodeName,
          version: PROBE_VERSION,
          udpPort,
          overlayDevice,
          overlayMtu: await readOverlayMtu(),
          inventorySize: inventory.size,
          receiveBufferBytes: udp.getRecvBufferSize(),
          receiveBufferErrors: await readReceiveBufferErrors(),
        };
        return info;
      }
      case API_PATHS.send: {
        const parsed = parseSendRequest(json, minimumProbeSize(opts.nodeName));
        if (!parsed.ok) throw new HttpError(400, parsed.problems.join('; '));
        return handleSend(parsed.value);
      }
      case API_PATHS.received: {
        const parsed = parseReceivedRequest(json);
        if (!parsed.ok) throw new HttpError(400, parsed.problems.join('; '));
        const q = parsed.value;
        const list = 'nonces' in q ? received.lookup(q.nonces) : received.since(q.since);
        const res: ReceivedResponse = { node: opts.nodeName, received: list, receiveBufferErrors: await readReceiveBufferErrors() };
        return res;
      }
      default:
        throw new HttpError(404, `no such endpoint ${path}`);
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      try {
        const body = await readBody(req);
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        const auth = verifier.verify(
          { timestamp: header(req, TIMESTAMP_HEADER), signature: header(req, SIGNATURE_HEADER) },
          req.method ?? '',
          path,
          body,
        );
        if (!auth.ok) throw new HttpError(401, auth.reason);
        reply(res, 200, await route(req.method ?? '', path, body));
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof Error ? err.message : String(err);
        log({ level: status >= 500 ? 'error' : 'warn', msg: 'request refused', status, reason: message, remote: req.socket.remoteAddress });
        reply(res, status, { error: message });
      }
    })();
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(udpPort, bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const tcpPort = (server.address() as AddressInfo).port;
  log({ level: 'info', msg: 'agent listening', node: opts.nodeName, tcpPort, udpPort, bindAddress, inventory: inventory.size });

  return {
    tcpPort,
    udpPort,
    setInventory: (nodes) => inventory.replace(nodes),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => udp.close(() => resolve()));
    },
  };
}

interface PlannedDatagram {
  kind: ProbeKind;
  target: string;
  destinationIp: string;
  size: number;
}

/**
 * The node's UDP RcvbufErrors counter (/proc/net/snmp of this network namespace, i.e. the
 * node's with hostNetwork): how the orchestrator tells "the receiver dropped it" from "the
 * network dropped it". null where there is no such file.
 */
async function readReceiveBufferErrors(): Promise<number | null> {
  try {
    const lines = (await readFile('/proc/net/snmp', 'utf8')).split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]?.split(/\s+/) ?? [];
    const values = lines[1]?.split(/\s+/) ?? [];
    const value = Number(values[names.indexOf('RcvbufErrors')]);
    return names.includes('RcvbufErrors') && Number.isSafeInteger(value) ? value : null;
  } catch {
    return null;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new HttpError(400, `body is not JSON: ${(err as Error).message}`);
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
