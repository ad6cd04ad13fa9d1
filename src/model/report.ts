/**
 * The audit report: sgaudit's stable JSON contract. Other tools (change management,
 * ticketing, the REST API) build on it, so fields are only ever added, never renamed or removed.
 */
import type { CloudProvider, Direction, IpFamily } from './cloud.js';
import type { Warning } from './source.js';
import type { Evidence, Layer } from './evidence.js';
import type { FlowEndpoint } from './requirement.js';
import type { ProbeResult } from './probe.js';
import type { MatrixSection } from './matrix.js';
import type { NodeRole } from './cluster.js';
import type { CniEvidence, CniName } from './cni.js';

/** How many pairs each finding lists unless the caller says otherwise; pairCount is always exact. */
export const DEFAULT_MAX_PAIRS = 1000;

export interface PairRef {
  sourceNode: string;
  sourceIp: string | null;
  destinationNode: string;
  destinationIp: string | null;
}

export interface ReportSummary {
  nodes: number;
  directedPairs: number;
  /** Pairs for which every requirement is allowed. */
  allowed: number;
  /** Pairs for which at least one requirement is blocked. */
  blocked: number;
  /** Pairs with no blocked requirement but at least one unknown. */
  unknown: number;
  /** Number of node equivalence classes the evaluation worked on. */
  classes: number;
}

export interface ReportRequirement {
  id: string;
  kind: 'flow' | 'l2-adjacency' | 'foreign-address-forwarding';
  backend: string;
  title: string;
  description: string;
  docUrl: string;
  protocol?: string;
  protocolNumber?: number;
  fromPort?: number;
  toPort?: number;
  /** ICMP flows: the message the flow needs (e.g. echo request, type 8 code 0). */
  icmp?: { type: number; code: number };
  family?: IpFamily;
  source?: FlowEndpoint;
  destination?: FlowEndpoint;
  /** Which pairs the flow exists for, when not all (CrossSubnet-like modes). */
  pairScope?: 'same-subnet-pairs' | 'cross-subnet-pairs';
  /** The flow exists only from (to) nodes with this role, e.g. 6443 to control-plane nodes. */
  sourceRole?: NodeRole;
  destinationRole?: NodeRole;
}

export interface Finding {
  /** Stable within a report; remediations refer to it. */
  id: string;
  verdict: 'blocked' | 'unknown';
  requirement: string;
  protocol?: string;
  /** Single port when the requirement has one port (fromPort === toPort). */
  port?: number;
  fromPort?: number;
  toPort?: number;
  layer: Layer;
  direction?: Direction;
  /** The object that must change (or could not be read). */
  target?: { kind: string; id: string; name?: string };
  /** One sentence a human can act on. */
  reason: string;
  pairCount: number;
  /** Up to --max-pairs pairs, sorted by source then destination node name. */
  pairs: PairRef[];
  pairsTruncated: boolean;
  evidence: Evidence[];
  /** audit --probe: whether live probes of representative pairs agree with this finding. */
  confirmation?: FindingConfirmation;
  /** Why the confirmation is what it is (counts of probed pairs, or why nothing was probed). */
  confirmationReason?: string;
  /** audit --probe: the probe results behind `confirmation`, or behind a contradiction finding. */
  probes?: ProbeResult[];
  /** Set on findings that audit --probe adds because the data plane contradicts the configuration. */
  contradiction?: ProbeContradiction;
}

export type FindingConfirmation = 'confirmed' | 'contradicted' | 'not-probed';

/**
 * allowed-but-dropped: the configuration allows the flow but the probe did not get through
 * (another layer drops it: host firewall, hypervisor, MTU). blocked-but-delivered: the
 * configuration blocks it but the probe got through (the cloud data is stale or wrong).
 * mtu-black-hole: small datagrams pass but ones at the overlay MTU are silently dropped.
 */
export type ProbeContradiction = 'allowed-but-dropped' | 'blocked-but-delivered' | 'mtu-black-hole';

/** audit --probe: what was probed and what it showed. */
export interface ProbeSection {
  pairsProbed: number;
  confirmed: number;
  contradicted: number;
  notProbed: number;
  /** Findings added because the data plane contradicts the configuration. */
  contradictionFindings: number;
  /** Config-allowed pairs probed as a sample (one per class pair, capped). */
  allowedPairsSampled: number;
}

export interface RemediationCommands {
  /** `aws ec2 authorize-security-group-ingress …` / `openstack security group rule create …` / `aws ec2 create-network-acl-entry …` */
  cli: string;
  /** A Terraform resource block. */
  terraform: string;
  /** The provider API call that creates the rule. */
  api: { method: string; path: string; body: unknown };
}

export interface Remediation {
  id: string;
  provider: CloudProvider;
  target: { kind: 'security-group' | 'network-acl'; id: string; name?: string };
  direction: Direction;
  protocol: string;
  protocolNumber?: number;
  fromPort?: number;
  toPort?: number;
  /** ICMP rules: the message type the rule admits, with every code (echo request: 8, ICMPv6 128). */
  icmpType?: number;
  family: IpFamily;
  /** Source (ingress) or destination (egress) CIDR. Never 0.0.0.0/0 or ::/0. */
  cidr: string;
  /** NACL entries only: the rule number to use (below the entry that denies today). */
  ruleNumber?: number;
  requirement: string;
  /** Findings this rule resolves, and how many directed pairs it unblocks. */
  findingIds: string[];
  pairCount: number;
  commands: RemediationCommands;
  /** A cleaner equivalent where one exists, e.g. a self-referencing security-group rule. */
  alternative?: {
    kind: 'security-group-reference';
    groupId: string;
    commands: RemediationCommands;
  };
  /** Anything the operator should know before applying the rule. */
  notes: string[];
}

export interface ReportNode {
  name: string;
  vtepIp: string | null;
  vtepSource: string;
  podCidrs: string[];
  interfaceId: string | null;
  subnetId: string | null;
  securityGroupIds: string[];
  class: number | null;
  /** Why the node could not be tied to a cloud interface, when it could not. */
  unboundReason?: string;
  /**
   * How the node was tied to its interface, when not simply by one of the interface's own
   * addresses: through a Neutron allowed-address pair, or chosen by providerID among several.
   */
  bindingNote?: string;
}

/** The CNI the requirements come from, and why sgaudit believes it runs. */
export interface ReportCni {
  name: CniName;
  /** `given`: named with --cni / options.cni. `detected`: found from the documents and node annotations. */
  how: 'given' | 'detected';
  /** One line, e.g. "calico: BGP on (tcp 179), IPPool default-ipv4-ippool 192.168.0.0/16 IP-in-IP CrossSubnet". */
  summary: string;
  /** The facts detection rests on, each with the document it was read from. */
  evidence: CniEvidence[];
  /** Evidence that points at another CNI; reported, never silently dropped. */
  conflicts: string[];
}

export interface AuditReport {
  schemaVersion: 1;
  summary: ReportSummary;
  /** Present on every report since CNI detection; reports stored before it lack it. */
  cni?: ReportCni;
  /**
   * Present when flannel carries pod traffic (cni.name flannel, canal, k3s or rke2). A Calico or
   * Cilium cluster has no flannel configuration, so this section is left out rather than filled
   * with flannel's defaults, which would describe a network that does not exist.
   */
  flannel?: {
    backend: string;
    /** Effective overlay port, when the backend has one. */
    port?: number;
    network?: string;
    origin: 'configmap' | 'secret' | 'net-conf' | 'node-annotations';
    /** e.g. "no --flannel given: backend vxlan from node annotations, port 8472 by flannel's default". */
    notes: string[];
  };
  requirements: ReportRequirement[];
  findings: Finding[];
  remediations: Remediation[];
  nodes: ReportNode[];
  warnings: Warning[];
  /** Present when the audit ran with --probe. */
  probe?: ProbeSection;
  /** The node × node (or group × group) verdict matrix; see model/matrix.ts. */
  matrix?: MatrixSection;
}
