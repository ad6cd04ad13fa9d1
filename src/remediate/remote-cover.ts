import type { BoundNode } from '../evaluate/types.js';
import type { FlannelConfig } from '../model/cluster.js';
import type { IpFamily, Subnet } from '../model/cloud.js';
import type { FlowEndpoint } from '../../rules/requirement.js';
import {
  cidrContainsCidr,
  cidrContainsIp,
  formatCidr,
  isWholeAddressSpace,
  tryParseCidr,
  type ParsedCidr,
} from '../net/cidr.js';

/** The CIDRs a rule must name so that every listed node's address is admitted. */
export interface RemoteCover {
  /** Sorted by family, then address, then prefix length. */
  cidrs: string[];
  /** Node name -> the CIDR of `cidrs` that covers it. Nodes without an address are absent. */
  cidrOfNode: Map<string, string>;
  notes: string[];
}

/** The address a node uses on one end of a flow: its VTEP IP (bare) or its pod CIDR. */
export function endpointAddress(bound: BoundNode, endpoint: FlowEndpoint, family: IpFamily): string | undefined {
  const node = bound.node;
  switch (endpoint) {
    case 'node-vtep':
      return node.vtepIp ?? (bound.binding.kind === 'bound' && !bound.binding.ip.includes(':') ? bound.binding.ip : undefined);
    case 'node-vtep-v6':
      return node.vtepIpv6;
    case 'pod-cidr':
      return node.podCidrs.find((c) => tryParseCidr(c)?.family === family);
  }
}

/**
 * The narrowest CIDRs that admit the given nodes' addresses without opening more than
 * their own networks: for VTEP addresses the smallest known subnet holding each one
 * (a /32 or /128 when none does); for pod addresses the pod CIDRs, or flannel's Network
 * when every pod CIDR lies inside it. A whole address space is never proposed.
 */
export function coverRemoteNodes(
  nodes: readonly BoundNode[],
  endpoint: FlowEndpoint,
  family: IpFamily,
  subnets: readonly Subnet[],
  flannel: FlannelConfig,
): RemoteCover {
  const notes: string[] = [];
  const perNode = new Map<string, ParsedCidr>();
  const parsedSubnets = subnets
    .map((s) => ({ subnet: s, parsed: tryParseCidr(s.cidr) }))
    .filter((s): s is { subnet: Subnet; parsed: ParsedCidr } => s.parsed !== undefined && s.parsed.family === family);
  const sorted = [...nodes].sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0));

  for (const bound of sorted) {
    const name = bound.node.name;
    const address = endpointAddress(bound, endpoint, family);
    if (address === undefined) {
      notes.push(`${name} has no ${describeEndpoint(endpoint, family)}; no rule covers it.`);
      continue;
    }
    if (endpoint === 'pod-cidr') {
      const parsed = tryParseCidr(address);
      if (!parsed || isWholeAddressSpace(parsed)) {
        notes.push(`${name}'s pod CIDR ${address} is not usable as a rule source; no rule covers it.`);
        continue;
      }
      perNode.set(name, parsed);
      continue;
    }
    const containing = parsedSubnets
      .filter((s) => cidrContainsIp(s.parsed, address))
      .sort((a, b) => b.parsed.prefix - a.parsed.prefix);
    const usable = containing.find((s) => !isWholeAddressSpace(s.parsed));
    if (usable) {
      perNode.set(name, usable.parsed);
      continue;
    }
    const host = tryParseCidr(address);
    if (!host) {
      notes.push(`${name}'s address ${address} is not an IP address; no rule covers it.`);
      continue;
    }
    perNode.set(name, host);
    notes.push(
      containing.length > 0
        ? `${address} (${name}) is only inside ${containing[0]?.subnet.cidr}, which is the whole address space; the rule uses ${formatCidr(host)}.`
        : `${address} (${name}) is in no known subnet; the rule uses ${formatCidr(host)}.`,
    );
  }

  if (endpoint === 'pod-cidr') aggregateToNetwork(perNode, family, flannel, notes);
  return finish(perNode, notes);
}

function aggregateToNetwork(perNode: Map<string, ParsedCidr>, family: IpFamily, flannel: FlannelConfig, notes: string[]): void {
  const networkText = family === 4 ? flannel.network : flannel.ipv6Network;
  const network = networkText === undefined ? undefined : tryParseCidr(networkText);
  if (!network || network.family !== family || perNode.size === 0) return;
  if (isWholeAddressSpace(network)) {
    notes.push(`flannel's Network ${networkText} is the whole address space; the rules use each node's pod CIDR instead.`);
    return;
  }
  if (![...perNode.values()].every((c) => cidrContainsCidr(network, c))) return;
  for (const name of perNode.keys()) perNode.set(name, network);
  notes.push(`Pod CIDRs aggregated to flannel's Network ${formatCidr(network)}.`);
}

/** Drops CIDRs that another chosen CIDR already contains, and sorts. */
function finish(perNode: Map<string, ParsedCidr>, notes: string[]): RemoteCover {
  const unique = new Map<string, ParsedCidr>();
  for (const c of perNode.values()) unique.set(formatCidr(c), c);
  const all = [...unique.values()];
  const kept = all.filter((c) => !all.some((o) => o !== c && cidrContainsCidr(o, c) && o.prefix < c.prefix));
  kept.sort(compareParsed);
  const cidrOfNode = new Map<string, string>();
  for (const [name, c] of perNode) {
    const owner = kept.find((k) => cidrContainsCidr(k, c));
    if (owner) cidrOfNode.set(name, formatCidr(owner));
  }
  return { cidrs: kept.map(formatCidr), cidrOfNode, notes };
}

function compareParsed(a: ParsedCidr, b: ParsedCidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.first !== b.first) return a.first < b.first ? -1 : 1;
  return a.prefix - b.prefix;
}

function describeEndpoint(endpoint: FlowEndpoint, family: IpFamily): string {
  switch (endpoint) {
    case 'node-vtep':
      return 'IPv4 VTEP address';
    case 'node-vtep-v6':
      return 'IPv6 VTEP address';
    case 'pod-cidr':
      return `IPv${family} pod CIDR`;
  }
}
