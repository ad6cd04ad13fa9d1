import type { SecurityGroupRule } from '../model/cloud.js';
import { cidrContainsCidr, tryParseCidr, type ParsedCidr } from '../model/cidr.js';
import type { EndpointAddress } from './endpoints.js';
import type { SnapshotIndex } from './snapshot-index.js';

export type PeerMissReason =
  /** The peer's addresses do not include the remote address. */
  | 'outside'
  /** The rule (ethertype) or its CIDR is of the other IP family. */
  | 'family'
  /** The remote is not a member of the referenced group. */
  | 'not-member'
  /** AWS group references match members' private IPs only, never a pod CIDR. */
  | 'aws-pod-cidr'
  /** Cross-VPC reference over a peering that is not active. */
  | 'peering-inactive';

export type PeerOutcome =
  | { kind: 'match' }
  /** A pod CIDR that the peer covers only in part: one rule alone does not decide. */
  | { kind: 'partial' }
  | { kind: 'miss'; why: PeerMissReason }
  | { kind: 'unknown'; reason: string };

const MATCH: PeerOutcome = { kind: 'match' };
const PARTIAL: PeerOutcome = { kind: 'partial' };
const MISS: Record<PeerMissReason, PeerOutcome> = {
  outside: { kind: 'miss', why: 'outside' },
  family: { kind: 'miss', why: 'family' },
  'not-member': { kind: 'miss', why: 'not-member' },
  'aws-pod-cidr': { kind: 'miss', why: 'aws-pod-cidr' },
  'peering-inactive': { kind: 'miss', why: 'peering-inactive' },
};

/**
 * Whether a rule's remote side (CIDR, any address, group members, prefix list,
 * address group) covers the remote end of the flow. For a pod CIDR the peer must
 * contain the whole block: a rule naming part of it lets only part of the pods through.
 */
export function peerContains(index: SnapshotIndex, rule: SecurityGroupRule, remote: EndpointAddress): PeerOutcome {
  if (rule.family !== undefined && rule.family !== remote.family) return MISS.family;
  const peer = rule.peer;
  switch (peer.kind) {
    case 'cidr': {
      const c = tryParseCidr(peer.cidr);
      if (!c) return MISS.outside;
      if (c.family !== remote.family) return MISS.family;
      return blockCovers(c, remote);
    }
    case 'any-address':
      return peer.family === remote.family ? MATCH : MISS.family;
    case 'security-group': {
      const ownerVpc = index.groups.get(rule.groupId)?.vpcId;
      const crossVpc = peer.vpcId !== undefined && (ownerVpc === undefined ? peer.peeringStatus !== undefined : peer.vpcId !== ownerVpc);
      if (crossVpc) {
        if (peer.peeringStatus === undefined) {
          return { kind: 'unknown', reason: `${rule.groupId} references ${peer.groupId} in ${peer.vpcId}, but the inputs do not give the VPC peering status` };
        }
        if (peer.peeringStatus !== 'active') return MISS['peering-inactive'];
      }
      const members = index.members(peer.groupId);
      if (remote.kind === 'cidr') {
        // AWS: "the private IP addresses of the network interfaces" of the referenced group, nothing else.
        if (index.groups.get(rule.groupId)?.provider === 'aws') return MISS['aws-pod-cidr'];
        return members.pairs.containsCidr(remote.parsed) ? MATCH : notMember(index, rule, peer.groupId);
      }
      return members.ips.has(remote.key) || members.pairs.containsCidr(remote.parsed) ? MATCH : notMember(index, rule, peer.groupId);
    }
    case 'prefix-list':
    case 'address-group': {
      const resolved = peer.kind === 'prefix-list' ? index.prefixListCidrs(peer.prefixListId) : index.addressGroupCidrs(peer.addressGroupId);
      if (resolved.kind === 'unknown') return { kind: 'unknown', reason: resolved.reason };
      let best: PeerOutcome = MISS.outside;
      for (const c of resolved.cidrs) {
        if (c.family !== remote.family) continue;
        const o = blockCovers(c, remote);
        if (o === MATCH) return MATCH;
        if (o === PARTIAL) best = PARTIAL;
      }
      return best;
    }
  }
}

/**
 * "Not a member" is only known when the member list is. On Neutron a member can admit the remote
 * through a port the audit did not read (its allowed-address-pairs), so a member listing that
 * failed leaves the answer unknown. On AWS a reference matches the members' own private
 * addresses only, and the remote's own interface (read, or the pair is already unknown) says
 * whether it carries the group, so a failed read of the group changes nothing here.
 */
function notMember(index: SnapshotIndex, rule: SecurityGroupRule, groupId: string): PeerOutcome {
  const provider = index.groups.get(rule.groupId)?.provider;
  const failure = provider === 'aws' ? undefined : index.unavailable('security-group', groupId);
  if (failure) return { kind: 'unknown', reason: `the members of ${groupId} (referenced by ${rule.groupId} rule ${rule.id}) are not fully known: ${failure.reason}` };
  return MISS['not-member'];
}

function blockCovers(c: ParsedCidr, remote: EndpointAddress): PeerOutcome {
  if (cidrContainsCidr(c, remote.parsed)) return MATCH;
  if (remote.kind === 'cidr' && cidrContainsCidr(remote.parsed, c)) return PARTIAL;
  return MISS.outside;
}
