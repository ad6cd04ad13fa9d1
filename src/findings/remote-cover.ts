import type { BoundNode, NodeClass } from '../evaluate/types.js';
import type { PodNetworks } from './pod-networks.js';
import type { IpFamily, Subnet } from '../model/cloud.js';
import type { FlowEndpoint } from '../model/requirement.js';
import {
  cidrContainsCidr,
  formatCidr,
  isWholeAddressSpace,
  tryParseCidr,
  type ParsedCidr,
} from '../model/cidr.js';

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
 * (a /32 or /128 when none does); for pod addresses the pod CIDRs, or the CNI's pod network
 * (flannel's Network, a Calico IPPool) when every pod CIDR lies inside it. A whole address space is never proposed.
 */
export function coverRemoteNodes(
  nodes: readonly BoundNode[],
  endpoint: FlowEndpoint,
  family: IpFamily,
  subnets: readonly Subnet[],
  podNetworks: PodNetworks,
): RemoteCover {
  return new RemoteCoverer(subnets, podNetworks).coverNodes(nodes, endpoint, family);
}

/**
 * How one node is covered: the CIDR that admits it, or a note saying why nothing can.
 * A cover without a note names no node, so every member of one subnet shares its subnet's.
 */
type NodeCover = { kind: 'cidr'; cidr: ParsedCidr; text: string; note?: undefined } | NotedCover;

type NotedCover =
  | { kind: 'cidr'; name: string; cidr: ParsedCidr; text: string; /** Why this CIDR (a host route). */ note: string }
  | { kind: 'none'; name: string; note: string };

/** What a class contributes to a cover: its distinct CIDRs and its members' notes. */
interface ClassPart {
  cidrs: Map<string, ParsedCidr>;
  /** Members per CIDR of `cidrs`. */
  counts: Map<string, number>;
  /** Each member's cover, by position in the class. */
  covers: NodeCover[];
  /** Covers that carry a note, in member order. */
  noted: NotedCover[];
  /** Members with a CIDR. */
  covered: number;
  /** Whether every member's CIDR lies inside the pod network (pod CIDRs only). */
  insideNetwork: boolean;
}

/** A subnet whose CIDR parsed, with its canonical text worked out once. */
interface KnownSubnet {
  subnet: Subnet;
  parsed: ParsedCidr;
  text: string;
  whole: boolean;
  /** The range as numbers, exact for IPv4: comparing numbers is much cheaper than comparing bigints. */
  first: number;
  last: number;
  /** The cover of every address this subnet is the narrowest usable one for. */
  cover: NodeCover;
}

/** Class parts already computed for one endpoint and family. */
interface CoverCache {
  endpoint: FlowEndpoint;
  family: IpFamily;
  classes: Map<NodeClass, ClassPart>;
}

export interface CidrCount {
  cidr: string;
  count: number;
}

/** A cover over classes: like RemoteCover, with a per-node look-up instead of a per-name map. */
export interface ClassesCover {
  cidrs: string[];
  notes: string[];
  cidrNotes: Map<string, string[]>;
  /**
   * The CIDR of `cidrs` that covers each member of one of the covered classes, by position
   * in the class; undefined for a member that none covers.
   */
  memberCidrs(cls: NodeClass): readonly (string | undefined)[];
  /** memberCidrs counted: members per CIDR, CIDRs with none left out (a list: callers walk it per cell). */
  countsOf(cls: NodeClass): readonly CidrCount[];
}

interface CoverCore {
  cidrs: string[];
  notes: string[];
  cidrNotes: Map<string, string[]>;
  /** CIDR text -> the kept CIDR containing it; every node maps here unless aggregated. */
  ownerOf: Map<string, string>;
  /** Set when every pod CIDR was replaced by the CNI's pod network. */
  aggregated?: string;
}

/**
 * Computes covers for one snapshot's subnets and pod networks, remembering each class's
 * share, so that covering many findings costs classes, not nodes x findings.
 * Nodes and classes must not change while a coverer is in use.
 */
export class RemoteCoverer {
  private readonly subnetsByFamily: Record<IpFamily, KnownSubnet[]>;
  /** Per endpoint and family: each class's part. */
  private readonly caches = new Map<string, CoverCache>();
  private readonly networks: Record<IpFamily, { text: string | undefined; parsed: ParsedCidr | undefined }>;

  constructor(subnets: readonly Subnet[], private readonly podNetworks: PodNetworks) {
    const parsed = subnets
      .map((subnet) => ({ subnet, parsed: tryParseCidr(subnet.cidr) }))
      .filter((s): s is { subnet: Subnet; parsed: ParsedCidr } => s.parsed !== undefined)
      .map((s): KnownSubnet => ({
        ...s,
        text: formatCidr(s.parsed),
        whole: isWholeAddressSpace(s.parsed),
        first: Number(s.parsed.first),
        last: Number(s.parsed.last),
        cover: { kind: 'cidr', cidr: s.parsed, text: formatCidr(s.parsed) },
      }))
      // Narrowest first; the sort is stable, so equal prefixes keep the input order.
      .sort((a, b) => b.parsed.prefix - a.parsed.prefix);
    this.subnetsByFamily = { 4: parsed.filter((s) => s.parsed.family === 4), 6: parsed.filter((s) => s.parsed.family === 6) };
    const network = (text: string | undefined): { text: string | undefined; parsed: ParsedCidr | undefined } => ({
      text,
      parsed: text === undefined ? undefined : tryParseCidr(text),
    });
    this.networks = { 4: network(podNetworks[4]), 6: network(podNetworks[6]) };
  }

  coverNodes(nodes: readonly BoundNode[], endpoint: FlowEndpoint, family: IpFamily): RemoteCover {
    const sorted = [...nodes].sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0));
    const cidrs = new Map<string, ParsedCidr>();
    const noted: NotedCover[] = [];
    const perNode: { name: string; text: string }[] = [];
    let insideNetwork = true;
    const network = this.networks[family].parsed;
    for (const bound of sorted) {
      const c = this.computeNodeCover(bound, endpoint, family);
      if (c.kind === 'cidr') {
        cidrs.set(c.text, c.cidr);
        perNode.push({ name: bound.node.name, text: c.text });
        if (!network || !cidrContainsCidr(network, c.cidr)) insideNetwork = false;
      }
      if (c.kind === 'none' || c.note !== undefined) noted.push(c);
    }
    const core = this.combine(cidrs, noted, perNode.length, insideNetwork, endpoint, family);
    const cidrOfNode = new Map<string, string>();
    for (const { name, text } of perNode) cidrOfNode.set(name, core.aggregated ?? (core.ownerOf.get(text) as string));
    return { cidrs: core.cidrs, cidrOfNode, notes: core.notes, cidrNotes: core.cidrNotes };
  }

  /** The same cover as coverNodes over every member of the given classes. */
  coverClasses(classes: Iterable<NodeClass>, endpoint: FlowEndpoint, family: IpFamily): ClassesCover {
    const distinct = new Map<number, NodeClass>();
    for (const c of classes) distinct.set(c.id, c);
    const cidrs = new Map<string, ParsedCidr>();
    const noted: NotedCover[] = [];
    let covered = 0;
    let insideNetwork = true;
    const cache = this.cache(endpoint, family);
    for (const cls of distinct.values()) {
      const part = this.classPart(cache, cls);
      part.cidrs.forEach((c, text) => cidrs.set(text, c));
      for (const c of part.noted) noted.push(c);
      covered += part.covered;
      insideNetwork &&= part.insideNetwork;
    }
    // Notes read in node-name order, as coverNodes gives them.
    noted.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const core = this.combine(cidrs, noted, covered, insideNetwork, endpoint, family);
    const owner = (text: string): string | undefined => core.aggregated ?? core.ownerOf.get(text);
    const countsByClass = new Map<NodeClass, CidrCount[]>();
    return {
      cidrs: core.cidrs,
      notes: core.notes,
      cidrNotes: core.cidrNotes,
      memberCidrs: (cls) => this.classPart(cache, cls).covers.map((c) => (c.kind === 'cidr' ? owner(c.text) : undefined)),
      countsOf: (cls) => {
        let list = countsByClass.get(cls);
        if (!list) {
          const counts = new Map<string, number>();
          for (const [text, n] of this.classPart(cache, cls).counts) {
            const cidr = owner(text);
            if (cidr !== undefined) counts.set(cidr, (counts.get(cidr) ?? 0) + n);
          }
          list = [...counts].map(([cidr, count]) => ({ cidr, count }));
          countsByClass.set(cls, list);
        }
        return list;
      },
    };
  }

  private cache(endpoint: FlowEndpoint, family: IpFamily): CoverCache {
    const key = `${endpoint}/${family}`;
    let cache = this.caches.get(key);
    if (!cache) {
      cache = { endpoint, family, classes: new Map() };
      this.caches.set(key, cache);
    }
    return cache;
  }

  private classPart(cache: CoverCache, cls: NodeClass): ClassPart {
    let part = cache.classes.get(cls);
    if (!part) {
      const network = this.networks[cache.family].parsed;
      part = { cidrs: new Map(), counts: new Map(), covers: [], noted: [], covered: 0, insideNetwork: true };
      for (const m of cls.members) {
        const c = this.computeNodeCover(m, cache.endpoint, cache.family);
        part.covers.push(c);
        if (c.kind === 'cidr') {
          part.cidrs.set(c.text, c.cidr);
          part.counts.set(c.text, (part.counts.get(c.text) ?? 0) + 1);
          part.covered += 1;
          if (!network || !cidrContainsCidr(network, c.cidr)) part.insideNetwork = false;
        }
        if (c.kind === 'none' || c.note !== undefined) part.noted.push(c);
      }
      cache.classes.set(cls, part);
    }
    return part;
  }

  private computeNodeCover(bound: BoundNode, endpoint: FlowEndpoint, family: IpFamily): NodeCover {
    const name = bound.node.name;
    const address = endpointAddress(bound, endpoint, family);
    if (address === undefined) return { kind: 'none', name, note: `${name} has no ${describeEndpoint(endpoint, family)}; no rule covers it.` };
    if (endpoint === 'pod-cidr') {
      const parsed = tryParseCidr(address);
      if (!parsed || isWholeAddressSpace(parsed)) {
        return { kind: 'none', name, note: `${name}'s pod CIDR ${address} is not usable as a rule source; no rule covers it.` };
      }
      return { kind: 'cidr', cidr: parsed, text: formatCidr(parsed) };
    }
    const host = tryParseCidr(address);
    if (!host || host.family !== family) {
      return { kind: 'none', name, note: `${name}'s address ${address} is not an IPv${family} address; no rule covers it.` };
    }
    // Narrowest first, so the first usable subnet holding the address is the one to name.
    let firstContaining: KnownSubnet | undefined;
    const v4 = family === 4;
    const first = v4 ? Number(host.first) : 0;
    const last = v4 ? Number(host.last) : 0;
    for (const s of this.subnetsByFamily[family]) {
      if (v4 ? first < s.first || last > s.last : !cidrContainsCidr(s.parsed, host)) continue;
      if (!s.whole) return s.cover;
      firstContaining ??= s;
    }
    const text = formatCidr(host);
    const note = firstContaining
      ? `${address} (${name}) is only inside ${firstContaining.subnet.cidr}, which is the whole address space; the rule uses ${text}.`
      : `${address} (${name}) is in no known subnet; the rule uses ${text}.`;
    return { kind: 'cidr', name, cidr: host, text, note };
  }

  /** Notes in the order given, aggregation to the pod network, then dropping contained CIDRs. */
  private combine(
    cidrs: Map<string, ParsedCidr>,
    noted: readonly NotedCover[],
    covered: number,
    insideNetwork: boolean,
    endpoint: FlowEndpoint,
    family: IpFamily,
  ): CoverCore {
    const notes: string[] = [];
    const cidrNotes = new Map<string, string[]>();
    const noteFor = (key: string, note: string): void => {
      cidrNotes.set(key, [...(cidrNotes.get(key) ?? []), note]);
    };
    for (const c of noted) {
      if (c.kind === 'none') notes.push(c.note);
      else if (c.note !== undefined) noteFor(c.text, c.note);
    }
    let aggregated: string | undefined;
    if (endpoint === 'pod-cidr') {
      const { text: networkText, parsed: network } = this.networks[family];
      if (network && network.family === family && covered > 0) {
        if (isWholeAddressSpace(network)) {
          notes.push(`${this.podNetworks.label[family]} ${networkText} is the whole address space; the rules use each node's pod CIDR instead.`);
        } else if (insideNetwork) {
          aggregated = formatCidr(network);
          cidrs = new Map([[aggregated, network]]);
          noteFor(aggregated, `Pod CIDRs aggregated to ${this.podNetworks.label[family]} ${aggregated}.`);
        }
      }
    }
    return { ...finish(cidrs, cidrNotes), notes, ...(aggregated !== undefined ? { aggregated } : {}) };
  }
}

/**
 * Drops CIDRs that another chosen CIDR already contains, and sorts. CIDR blocks are
 * either nested or disjoint, so after sorting by start address (wider first) one sweep
 * finds every contained block: it starts inside the last kept block.
 */
function finish(unique: Map<string, ParsedCidr>, cidrNotes: Map<string, string[]>): Omit<CoverCore, 'notes' | 'aggregated'> {
  const sorted = [...unique].sort((a, b) => compareParsed(a[1], b[1]));
  const kept: [string, ParsedCidr][] = [];
  const ownerOf = new Map<string, string>();
  for (const entry of sorted) {
    const last = kept[kept.length - 1];
    if (last && cidrContainsCidr(last[1], entry[1])) {
      ownerOf.set(entry[0], last[0]);
      continue;
    }
    kept.push(entry);
    ownerOf.set(entry[0], entry[0]);
  }
  const keptNotes = new Map<string, string[]>();
  for (const [cidr, list] of cidrNotes) {
    const owner = ownerOf.get(cidr) ?? cidr;
    keptNotes.set(owner, [...(keptNotes.get(owner) ?? []), ...list]);
  }
  return { cidrs: kept.map(([text]) => text), cidrNotes: keptNotes, ownerOf };
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
