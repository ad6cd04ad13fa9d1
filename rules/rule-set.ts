import type { ClusterNode, FlannelBackend, FlannelBackendType, FlannelConfig } from '../src/model/cluster.js';
import type { Warning } from '../src/model/source.js';
import type { FlowRequirement, Requirement } from '../src/model/requirement.js';
import type { CniName } from '../src/model/cni.js';

export const BACKENDS_DOC = 'https://github.com/flannel-io/flannel/blob/master/Documentation/backends.md';

export interface RuleContext {
  flannel: FlannelConfig;
  nodes: ClusterNode[];
}

/**
 * The requirements of one flannel backend: data (ids, doc link, default ports) plus a small
 * pure function from the effective backend config to requirements.
 */
export interface BackendRuleSet<T extends FlannelBackendType = FlannelBackendType> {
  backend: T;
  docUrl: string;
  /** Every id `requirements` can produce; checked unique across the catalog at load. */
  ids: readonly string[];
  /** Fixed or default ports the backend uses, validated at load. */
  ports: readonly number[];
  requirements(backend: Extract<FlannelBackend, { type: T }>, ctx: RuleContext): Requirement[];
  warnings?(backend: Extract<FlannelBackend, { type: T }>, ctx: RuleContext): Warning[];
}

type FlowFields = Omit<FlowRequirement, 'kind' | 'cni' | 'backend' | 'docUrl'>;

export function flow(set: { backend: string; docUrl: string }, f: FlowFields): FlowRequirement {
  return { kind: 'flow', cni: 'flannel', backend: set.backend, docUrl: set.docUrl, ...f };
}

/** Who a requirement of a non-flannel rule set belongs to, and where its source says so. */
export interface Origin {
  cni: Exclude<CniName, 'flannel' | 'canal' | 'k3s' | 'rke2'> | 'kubernetes';
  backend: string;
  docUrl: string;
}

export function cniFlow(origin: Origin, f: FlowFields): FlowRequirement {
  return { kind: 'flow', ...origin, ...f };
}

export interface CniRuleContext {
  nodes: ClusterNode[];
}

/**
 * The requirements of one CNI (or of the Kubernetes control plane) that does not network with
 * flannel: data (ids, doc link, fixed or default ports) plus a pure function from its effective
 * configuration. Every id starts with `${name}-`.
 */
export interface CniRuleSet<C> {
  name: Origin['cni'];
  docUrl: string;
  ids: readonly string[];
  ports: readonly number[];
  requirements(config: C, ctx: CniRuleContext): Requirement[];
  warnings(config: C, ctx: CniRuleContext): Warning[];
}

export const UDP = { name: 'udp', number: 17 } as const;
export const TCP = { name: 'tcp', number: 6 } as const;
export const ANY = { name: 'any' } as const;
export const ESP = { name: 'esp', number: 50 } as const;
export const IPIP = { name: 'ipip', number: 4 } as const;

/** The families a CNI runs, in order, as the endpoints of a node-address flow use them. */
export function families(enableIPv4: boolean, enableIPv6: boolean): (4 | 6)[] {
  return [enableIPv4 ? 4 : undefined, enableIPv6 ? 6 : undefined].filter((f): f is 4 | 6 => f !== undefined);
}

/** The node address endpoint of a family: the tunnel (VTEP) address, IPv4 or IPv6. */
export function nodeAddress(family: 4 | 6): 'node-vtep' | 'node-vtep-v6' {
  return family === 4 ? 'node-vtep' : 'node-vtep-v6';
}

/** An id for the family: the IPv4 one bare, the IPv6 one with `-v6`. */
export function familyId(id: string, family: 4 | 6): string {
  return family === 4 ? id : `${id}-v6`;
}

/** Who a requirement belongs to, as every requirement records it. */
type Owner = Pick<FlowRequirement, 'cni' | 'backend' | 'docUrl'>;

const POD_TRAFFIC_NOTE = 'Every protocol between pod CIDRs must pass, and the rules must name the pod CIDRs, not node addresses.';

/** One family of unencapsulated pod traffic: every protocol from pod CIDR to pod CIDR. */
function podCidrFlow(owner: Owner, id: string, label: string, family: 4 | 6, pairScope: 'all-pairs' | 'same-subnet-pairs', why: string): FlowRequirement {
  return {
    kind: 'flow',
    ...owner,
    id,
    title: `${label} ${family === 4 ? '' : 'IPv6 '}pod traffic (unencapsulated)`,
    description: `${why} ${POD_TRAFFIC_NOTE}`,
    protocol: ANY,
    family,
    source: 'pod-cidr',
    destination: 'pod-cidr',
    pairScope,
  };
}

/** The cloud's consent to packets whose addresses are pod IPs, not the interface's own. */
function foreignAddresses(owner: Owner, id: string, description: string): Requirement {
  return { kind: 'foreign-address-forwarding', id, ...owner, title: 'Nodes send and receive pod addresses', description };
}

/**
 * Unencapsulated pod traffic (host-gw, vxlan/ipip DirectRouting): packets carry pod addresses,
 * so the cloud must accept foreign source/destination addresses and pod-CIDR rules.
 */
export function directPodTraffic(
  set: { backend: string; docUrl: string },
  idPrefix: string,
  ctx: RuleContext,
  pairScope: 'all-pairs' | 'same-subnet-pairs',
  why: string,
): Requirement[] {
  const owner: Owner = { cni: 'flannel', backend: set.backend, docUrl: set.docUrl };
  return [
    ...families(ctx.flannel.enableIPv4, ctx.flannel.enableIPv6).map((family) => podCidrFlow(owner, familyId(idPrefix, family), set.backend, family, pairScope, why)),
    foreignAddresses(owner, `flannel-${set.backend}-foreign-address`,
      'Packets leave and arrive with pod IPs, so AWS SourceDestCheck must be off, or the Neutron port must list the pod CIDR in allowed_address_pairs (or have port security off).'),
  ];
}

/**
 * Pod traffic a CNI routes without encapsulation (Calico `Never`/CrossSubnet pools, Cilium native
 * routing): every protocol between pod CIDRs, per family and pair scope, plus the cloud's consent
 * to foreign addresses on the nodes' interfaces.
 */
export function nativePodTraffic(
  origin: Origin,
  id: string,
  flows: { family: 4 | 6; pairScope: 'all-pairs' | 'same-subnet-pairs'; why: string }[],
): Requirement[] {
  if (flows.length === 0) return [];
  return [
    ...flows.map(({ family, pairScope, why }) => podCidrFlow(origin, familyId(id, family), origin.cni, family, pairScope, why)),
    foreignAddresses(origin, `${origin.cni}-native-foreign-address`,
      'Unencapsulated packets leave and arrive with pod IPs, so AWS SourceDestCheck must be off, or the Neutron port must list the pod CIDR in allowed_address_pairs (or have port security off).'),
  ];
}
