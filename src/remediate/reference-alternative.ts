import type { BoundNode, NodeClass } from '../evaluate/types.js';
import type { IpFamily, NetworkInterface } from '../model/cloud.js';
import type { FlowEndpoint } from '../model/requirement.js';
import { cidrContainsIp, tryParseCidr } from '../model/cidr.js';
import { endpointAddress } from '../findings/remote-cover.js';

/**
 * What a security-group reference needs to know about a set of remote nodes: whether a
 * reference matches every node's flow address, which providers their interfaces belong
 * to, and (asked per group) whether all of their interfaces carry a group.
 */
export class ReferenceReach {
  /** Every node is bound and its interface's group membership covers the flow address. */
  readonly matched: boolean;
  /** The first node's interface (its group order decides which shared group is named). */
  readonly first: NetworkInterface | undefined;
  readonly providers = new Set<NetworkInterface['provider']>();
  private readonly carried = new Map<string, boolean>();

  constructor(
    private readonly nodes: readonly BoundNode[],
    endpoint: FlowEndpoint,
    family: IpFamily,
  ) {
    let matched = true;
    let provider: NetworkInterface['provider'] | undefined;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      const address = n.binding.kind === 'bound' ? endpointAddress(n, endpoint, family) : undefined;
      if (n.binding.kind !== 'bound' || address === undefined || !referenceMatches(n.binding.iface, address)) {
        matched = false;
        break;
      }
      if (n.binding.iface.provider !== provider) {
        provider = n.binding.iface.provider;
        this.providers.add(provider);
      }
    }
    this.matched = matched;
    const first = nodes[0]?.binding;
    this.first = matched && first?.kind === 'bound' ? first.iface : undefined;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /**
   * Whether every node's interface carries the group. Asked lazily: comparing group ids is
   * the costly part, and usually only one or two candidate groups survive the first classes.
   */
  carries(groupId: string): boolean {
    let all = this.carried.get(groupId);
    if (all === undefined) {
      all = true;
      // Members usually list their groups in the same order: look where the last one had it first.
      let at = -1;
      for (let i = 0; i < this.nodes.length && all; i++) {
        const binding = this.nodes[i]!.binding;
        if (binding.kind !== 'bound') all = false;
        else if (binding.iface.securityGroupIds[at] !== groupId) {
          at = binding.iface.securityGroupIds.indexOf(groupId);
          all = at >= 0;
        }
      }
      this.carried.set(groupId, all);
    }
    return all;
  }
}

/**
 * Reach per node class for one flow endpoint, so several chosen groups over the same remote
 * classes look at each member once. Node classes must not change while this is in use.
 */
export class ReferenceReachCache {
  private readonly byClass = new Map<NodeClass, ReferenceReach>();

  constructor(
    private readonly endpoint: FlowEndpoint,
    private readonly family: IpFamily,
  ) {}

  ofClass(cls: NodeClass): ReferenceReach {
    let reach = this.byClass.get(cls);
    if (!reach) {
      reach = new ReferenceReach(cls.members, this.endpoint, this.family);
      this.byClass.set(cls, reach);
    }
    return reach;
  }
}

/**
 * The groups every node of every reach carries, in the first node's group order, when a
 * reference from an interface of `provider` matches them all; undefined when it cannot.
 */
export function sharedReferenceGroups(reaches: readonly ReferenceReach[], provider: NetworkInterface['provider']): string[] | undefined {
  let first: NetworkInterface | undefined;
  for (const r of reaches) {
    if (r.nodeCount === 0) continue;
    if (!r.matched) return undefined;
    for (const p of r.providers) if (p !== provider) return undefined;
    first ??= r.first;
  }
  if (first === undefined) return undefined;
  return first.securityGroupIds.filter((g) => reaches.every((r) => r.nodeCount === 0 || r.carries(g)));
}

function referenceMatches(iface: NetworkInterface, address: string): boolean {
  if (iface.addresses.some((a) => a.ip === address)) return true;
  // Neutron counts allowed-address-pair addresses as members of the port's groups.
  return iface.provider === 'openstack' && iface.allowedAddressPairs.some((p) => {
    const c = tryParseCidr(p);
    return c !== undefined && cidrContainsIp(c, address);
  });
}
