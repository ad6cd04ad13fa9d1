/** Results of live probes: one verdict per directed node pair. */
/**
 * `not-probed`: the pair's traffic does not take a tunnel the agents can send through (IP-in-IP,
 * native routing, an eBPF datapath, a CrossSubnet pair routed natively), so a probe would test
 * another path; the reason says which. It is neither a success nor a failure of the data plane.
 */
export type ProbeVerdict = 'ok' | 'blocked' | 'underlay-unreachable' | 'agent-missing' | 'error' | 'not-probed';

export interface KindEvidence {
  destinationIp: string;
  sent: number;
  received: number;
  /** Errors the sending kernel returned (ENETUNREACH, EMSGSIZE, …), de-duplicated. */
  sendErrors: string[];
  /** Source addresses the receiver saw (the inner source for overlay probes). */
  seenFrom: string[];
}

export type MtuEvidence =
  | {
      tested: true;
      /** MTU of the sender's flannel device: the largest inner packet it sends unfragmented. */
      deviceMtu: number;
      /** Largest inner IP packet size that arrived; null when none of the sized probes did. */
      largestPassed: number | null;
      /** Smallest size above largestPassed that did not arrive; null when deviceMtu passed. */
      smallestFailed: number | null;
      /** True when packets at the device MTU are silently dropped: large transfers will hang. */
      blackHole: boolean;
      rounds: number;
      /** Set when a control call failed mid-search: the bounds are then less tight. */
      stoppedEarly?: string;
      sizes: { size: number; sent: number; received: number }[];
    }
  | { tested: false; reason: string };

export interface ProbeEvidence {
  overlay: KindEvidence | null;
  /** The tunnel the overlay probes took, when the CNI is known, e.g. "VXLAN UDP 4789 via vxlan.calico". */
  overlayPath?: string;
  underlay: KindEvidence | null;
  mtu?: MtuEvidence;
  timings: {
    /** How long the source agent took to send (rate-limited). */
    sendMs?: number;
    /** How long the orchestrator waited for datagrams before asking the destination. */
    waitMs?: number;
    collectMs?: number;
    /** Arrival minus send time of overlay probes; includes the clock offset between the two nodes. */
    minDelayMs?: number;
    maxDelayMs?: number;
  };
  reason: string;
  /**
   * What each send round of this pair sent and received, in order. A silent pair is probed
   * again before it is judged, so a verdict of silence rests on every round here.
   */
  rounds?: RoundEvidence[];
  /**
   * Datagrams the destination node's kernel dropped for a full UDP receive buffer while the
   * sweep ran (the node-wide RcvbufErrors counter of /proc/net/snmp, so other programs' drops
   * count too); null when the destination could not read it. Loss is measured, not assumed:
   * when this is above 0 a silent pair may have been dropped by the receiver, not the network.
   */
  destinationReceiveDrops?: number | null;
}

/** One send round of one pair: datagrams sent and received per kind. */
export interface RoundEvidence {
  overlay: { sent: number; received: number } | null;
  underlay: { sent: number; received: number } | null;
}

export interface ProbeResult {
  sourceNode: string;
  sourceIp: string | null;
  destinationNode: string;
  destinationIp: string | null;
  verdict: ProbeVerdict;
  /**
   * Whether the verdict can be relied on. `ok` is certain as soon as one datagram with the
   * sender's nonce arrived. `blocked` and `underlay-unreachable` are certain only when every
   * round was silent and the destination's kernel dropped nothing for a full receive buffer.
   * `agent-missing` and `error` establish nothing about the data plane and are never certain.
   */
  certain?: boolean;
  /** Send rounds the verdict took (1 when the first round settled it). */
  rounds?: number;
  evidence: ProbeEvidence;
}

export interface ProbeReport {
  results: ProbeResult[];
  startedAt: string;
  /** From the request to the verdicts. */
  elapsedMs: number;
  /** How the sweep spent its time and what it asked of the agents. */
  sweep?: SweepEvidence;
  /** Set when each node probed only a bounded set of peers (rendezvous hashing), not the full mesh. */
  plan?: PeerPlanSummary;
}

/**
 * Which pairs a sweep probed when nodes probe at most `perNodePeers` peers each. `rotating`:
 * sweeps `sweep` mod `cycleLength` of a fixed order, so any `cycleLength` consecutive sweeps
 * cover every directed pair once; `full-mesh`: k was at least N-1.
 */
export type PeerPlanSummary =
  | { mode: 'full-mesh'; perNodePeers: number; sweep: number }
  | { mode: 'rotating'; perNodePeers: number; sweep: number; cycleLength: number; phase: number }
  | { mode: 'independent'; perNodePeers: number; sweep: number };

export interface SweepEvidence {
  /** Datagrams per second each source agent was asked to send at most. */
  ratePerSecond: number;
  timeoutMs: number;
  /** Send rounds run (the first plus re-probes of silent pairs), MTU search rounds excluded. */
  rounds: number;
  /** `auto`: only pairs whose device-MTU probe was lost are searched; `on`: every pair; `off`: none. */
  mtu: 'auto' | 'on' | 'off';
  /** Pairs the MTU search ran for. */
  mtuSearchPairs: number;
  phasesMs: { contact: number; send: number; wait: number; collect: number; mtuSearch: number };
}

export interface PairSpec {
  source: string;
  destination: string;
}
