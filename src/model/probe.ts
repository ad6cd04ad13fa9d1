/** Results of live probes: one verdict per directed node pair. */
export type ProbeVerdict = 'ok' | 'blocked' | 'underlay-unreachable' | 'agent-missing' | 'error';

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
}

export interface ProbeResult {
  sourceNode: string;
  sourceIp: string | null;
  destinationNode: string;
  destinationIp: string | null;
  verdict: ProbeVerdict;
  evidence: ProbeEvidence;
}

export interface ProbeReport {
  results: ProbeResult[];
  startedAt: string;
  elapsedMs: number;
}

export interface PairSpec {
  source: string;
  destination: string;
}
