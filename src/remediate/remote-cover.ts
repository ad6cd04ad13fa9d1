import type { BoundNode } from '../evaluate/types.js';
import type { FlannelConfig } from '../model/cluster.js';
import type { IpFamily, Subnet } from '../model/cloud.js';
import type { FlowEndpoint } from '../../rules/requirement.js';
import {
  cidrContainsCidr,
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
  /** Notes about the cover as a whole (nodes left out, …). */
  notes: string[];
  /** Notes about one CIDR (why a /32 was used, an aggregation). */
  cidrNotes: Map<string, string[]>;
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
  const cidrNotes = new Map<string, string[]>();
  const noteFor = (c: ParsedCidr, note: string): void => {
    const key = formatCidr(c);
    cidrNotes.set(key, [...(cidrNotes.get(key) ?? []), note]);
  };
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
    const host = tryParseCidr(address);
    if (!host || host.family !== family) {
      notes.push(`${name}'s address ${address} is not an IPv${family} address; no rule covers it.`);
      continue;
    }
    const containing = parsedSubnets
      .filter((s) => cidrContainsCidr(s.parsed, host))
      .sort((a, b) => b.parsed.prefix - a.parsed.prefix);
    const usable = containing.find((s) => !isWholeAddressSpace(s.parsed));
    if (usable) {
      perNode.set(name, usable.parsed);
      continue;
    }
    perNode.set(name, host);
    noteFor(
      host,
      containing.length > 0
        ? `${address} (${name}) is only inside ${containing[0]?.subnet.cidr}, which is the whole address space; the rule uses ${formatCidr(host)}.`
        : `${address} (${name}) is in no known subnet; the rule uses ${formatCidr(host)}.`,
    );
  }

  if (endpoint === 'pod-cidr') aggregateToNetwork(perNode, family, flannel, notes, noteFor);
  return finish(perNode, notes, cidrNotes);
}

function aggregateToNetwork(
  perNode: Map<string, ParsedCidr>,
  family: IpFamily,
  flannel: FlannelConfig,
  notes: string[],
  noteFor: (c: ParsedCidr, note: string) => void,
): void {
  const networkText = family === 4 ? flannel.network : flannel.ipv6Network;
  const network = networkText === undefined ? undefined : tryParseCidr(networkText);
  if (!network || network.family !== family || perNode.size === 0) return;
  if (isWholeAddressSpace(network)) {
    notes.push(`flannel's Network ${networkText} is the whole address space; the rules use each node's pod CIDR instead.`);
    return;
  }
  if (![...perNode.values()].every((c) => cidrContainsCidr(network, c))) return;
  for (const name of perNode.keys()) perNode.set(name, network);
  noteFor(network, `Pod CIDRs aggregated to flannel's Network ${formatCidr(network)}.`);
}

/**
 * Drops CIDRs that another chosen CIDR already contains, and sorts. CIDR blocks are
 * either nested or disjoint, so after sorting by start address (wider first) one sweep
 * finds every contained block: it starts inside the last kept block.
 */
function finish(perNode: Map<string, ParsedCidr>, notes: string[], cidrNotes: Map<string, string[]>): RemoteCover {
  // Many nodes share one subnet object; format each object once.
  const texts = new Map<ParsedCidr, string>();
  const text = (c: ParsedCidr): string => {
    let t = texts.get(c);
    if (t === undefined) {
      t = formatCidr(c);
      texts.set(c, t);
    }
    return t;
  };
  const unique = new Map<string, ParsedCidr>();
  for (const c of perNode.values()) unique.set(text(c), c);
  const sorted = [...unique.values()].sort(compareParsed);
  const kept: ParsedCidr[] = [];
  const ownerOf = new Map<string, string>();
  for (const c of sorted) {
    const last = kept[kept.length - 1];
    if (last && cidrContainsCidr(last, c)) {
      ownerOf.set(text(c), text(last));
      continue;
    }
    kept.push(c);
    ownerOf.set(text(c), text(c));
  }
  const cidrOfNode = new Map<string, string>();
  for (const [name, c] of perNode) cidrOfNode.set(name, ownerOf.get(text(c)) as string);
  const keptNotes = new Map<string, string[]>();
  for (const [cidr, list] of cidrNotes) {
    const owner = ownerOf.get(cidr) ?? cidr;
    keptNotes.set(owner, [...(keptNotes.get(owner) ?? []), ...list]);
  }
  return { cidrs: kept.map(text), cidrOfNode, notes, cidrNotes: keptNotes };
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
