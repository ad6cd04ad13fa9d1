/**
 * The probe wire format (UDP datagrams between agents) and the control API messages
 * (JSON over HTTP between the orchestrator and agents).
 */
import { randomBytes } from 'node:crypto';

export const PROBE_MAGIC = Buffer.from('SGAP', 'ascii');
export const PROBE_VERSION = 1;
export const DEFAULT_AGENT_PORT = 9472;

/**
 * overlay: to the peer's flannel VTEP address, so the kernel encapsulates it in VXLAN.
 * underlay: straight to the peer's node address, the control that tells "VXLAN is blocked"
 * from "the node is unreachable".
 * mtu: an overlay datagram padded to a chosen IP packet size.
 */
export type ProbeKind = 'overlay' | 'underlay' | 'mtu';
const KIND_CODES: Record<ProbeKind, number> = { overlay: 1, underlay: 2, mtu: 3 };
const KINDS_BY_CODE = new Map<number, ProbeKind>(Object.entries(KIND_CODES).map(([k, v]) => [v, k as ProbeKind]));

/** IPv4 (20) + UDP (8) headers: a probe "size" is the whole inner IP packet, as an MTU is. */
export const IPV4_UDP_OVERHEAD = 28;
const NONCE_BYTES = 16;
const MAX_NODE_NAME_BYTES = 253;

export interface ProbeDatagram {
  kind: ProbeKind;
  /** 128 random bits, hex. A datagram can only be counted as arrived if it carries a nonce the sender issued. */
  nonce: string;
  senderNode: string;
  /** Inner IP packet size the sender intended (for mtu probes; others are small). */
  size: number;
}

export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('hex');
}

function headerLength(senderNode: string): number {
  return PROBE_MAGIC.length + 1 + 1 + NONCE_BYTES + 1 + Buffer.byteLength(senderNode) + 2;
}

/** The smallest IP packet size a probe from this node can have. */
export function minimumProbeSize(senderNode: string): number {
  return IPV4_UDP_OVERHEAD + headerLength(senderNode);
}

/** Layout: magic(4) version(1) kind(1) nonce(16) nameLen(1) name size(2) zero padding. */
export function encodeDatagram(d: ProbeDatagram): Buffer {
  const name = Buffer.from(d.senderNode, 'utf8');
  if (name.length > MAX_NODE_NAME_BYTES) throw new RangeError(`node name longer than ${MAX_NODE_NAME_BYTES} bytes`);
  const nonce = Buffer.from(d.nonce, 'hex');
  if (nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 16 bytes of hex');
  const payloadLength = Math.max(headerLength(d.senderNode), d.size - IPV4_UDP_OVERHEAD);
  if (d.size > 65_507 + IPV4_UDP_OVERHEAD) throw new RangeError(`probe size ${d.size} exceeds the UDP maximum`);
  const buf = Buffer.alloc(payloadLength);
  let o = PROBE_MAGIC.copy(buf, 0);
  buf.writeUInt8(PROBE_VERSION, o++);
  buf.writeUInt8(KIND_CODES[d.kind], o++);
  o += nonce.copy(buf, o);
  buf.writeUInt8(name.length, o++);
  o += name.copy(buf, o);
  buf.writeUInt16BE(Math.min(d.size, 0xffff), o);
  return buf;
}

/** Parses a datagram; anything that is not a well-formed probe gives undefined (it is ignored, not an error). */
export function decodeDatagram(buf: Buffer): ProbeDatagram | undefined {
  if (buf.length < PROBE_MAGIC.length + 1 + 1 + NONCE_BYTES + 1 + 2) return undefined;
  if (!buf.subarray(0, PROBE_MAGIC.length).equals(PROBE_MAGIC)) return undefined;
  let o = PROBE_MAGIC.length;
  if (buf.readUInt8(o++) !== PROBE_VERSION) return undefined;
  const kind = KINDS_BY_CODE.get(buf.readUInt8(o++));
  if (!kind) return undefined;
  const nonce = buf.subarray(o, o + NONCE_BYTES).toString('hex');
  o += NONCE_BYTES;
  const nameLength = buf.readUInt8(o++);
  if (o + nameLength + 2 > buf.length) return undefined;
  const senderNode = buf.subarray(o, o + nameLength).toString('utf8');
  o += nameLength;
  const size = buf.readUInt16BE(o);
  return { kind, nonce, senderNode, size };
}

// ---- control API (JSON bodies) ----

export const API_PATHS = {
  info: '/v1/info',
  send: '/v1/probe/send',
  received: '/v1/probe/received',
} as const;

export interface SendTarget {
  node: string;
  /** The peer's flannel VTEP address (first address of its pod CIDR); omit to skip overlay and mtu probes. */
  overlayIp?: string;
  /** The peer's node address; omit to skip the underlay control. */
  underlayIp?: string;
  /** Inner IP packet sizes for mtu probes over the overlay, each sent `mtuCount` times. */
  sizes?: number[];
}

export interface SendRequest {
  targets: SendTarget[];
  /** Datagrams per target per kind (overlay and underlay). */
  count: number;
  /** Datagrams per mtu size (default 1). */
  mtuCount?: number;
  /** Datagrams per second the orchestrator asks for; the agent's own --rate caps it. */
  ratePerSecond?: number;
}

export interface SentDatagram {
  target: string;
  kind: ProbeKind;
  nonce: string;
  destinationIp: string;
  size: number;
  /** Epoch ms when the kernel accepted the datagram. */
  sentAt: number;
  /** Set when the local kernel refused it (no route, EMSGSIZE, …). */
  error?: string;
}

export interface SendResponse {
  node: string;
  sent: SentDatagram[];
  /** The rate the agent really paced its datagrams at. */
  ratePerSecond?: number;
}

export interface InfoResponse {
  node: string;
  version: number;
  udpPort: number;
  overlayDevice: string;
  /** MTU of the local flannel device, when it exists. */
  overlayMtu: number | null;
  inventorySize: number;
  /** What the kernel granted for the probe socket's receive buffer (SO_RCVBUF), in bytes. */
  receiveBufferBytes?: number;
  /** The node's UDP RcvbufErrors counter now; null when it cannot be read. */
  receiveBufferErrors?: number | null;
}

export type ReceivedRequest = { nonces: string[] } | { since: number };

export interface ReceivedDatagram {
  nonce: string;
  kind: ProbeKind;
  senderNode: string;
  /** Source address the kernel reported. */
  from: string;
  /** UDP payload bytes + IPv4/UDP headers: the inner IP packet size that arrived. */
  size: number;
  receivedAt: number;
}

export interface ReceivedResponse {
  node: string;
  received: ReceivedDatagram[];
  /** The node's UDP RcvbufErrors counter now (datagrams dropped for a full receive buffer); null when unreadable. */
  receiveBufferErrors?: number | null;
}

export interface ErrorResponse {
  error: string;
}
