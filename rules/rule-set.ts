import type { ClusterNode, FlannelBackend, FlannelBackendType, FlannelConfig } from '../src/model/cluster.js';
import type { Warning } from '../src/model/source.js';
import type { FlowRequirement, Requirement } from '../src/model/requirement.js';

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

export const UDP = { name: 'udp', number: 17 } as const;
export const ANY = { name: 'any' } as const;

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
  const families = [ctx.flannel.enableIPv4 ? 4 : undefined, ctx.flannel.enableIPv6 ? 6 : undefined].filter((f): f is 4 | 6 => f !== undefined);
  const flows = families.map((family) =>
    flow(set, {
      id: family === 4 ? `${idPrefix}` : `${idPrefix}-v6`,
      title: `${set.backend} ${family === 4 ? '' : 'IPv6 '}pod traffic (unencapsulated)`,
      description: `${why} Every protocol between pod CIDRs must pass, and the rules must name the pod CIDRs, not node addresses.`,
      protocol: ANY,
      family,
      source: 'pod-cidr',
      destination: 'pod-cidr',
      pairScope,
    }),
  );
  return [
    ...flows,
    {
      kind: 'foreign-address-forwarding',
      id: `flannel-${set.backend}-foreign-address`,
      cni: 'flannel',
      backend: set.backend,
      title: 'Nodes send and receive pod addresses',
      description: 'Packets leave and arrive with pod IPs, so AWS SourceDestCheck must be off, or the Neutron port must list the pod CIDR in allowed_address_pairs (or have port security off).',
      docUrl: set.docUrl,
    },
  ];
}
