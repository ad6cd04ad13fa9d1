import type { NetworkAclEntry, Peer, SecurityGroupRule } from './cloud.js';

function peerKey(peer: Peer): string {
  switch (peer.kind) {
    case 'cidr':
      return `cidr:${peer.cidr}`;
    case 'any-address':
      return `any:${peer.family}`;
    case 'security-group':
      return `sg:${peer.groupId}`;
    case 'prefix-list':
      return `pl:${peer.prefixListId}`;
    case 'address-group':
      return `ag:${peer.addressGroupId}`;
  }
}

/**
 * What two rules must share to be the same rule: group, direction, family, protocol, ports
 * and peer. Ids, descriptions and sources are left out, because one rule has a synthesized id
 * in an inline export, an `sgr-` id in describe-security-group-rules and no id in a plan.
 */
export function ruleContentKey(rule: SecurityGroupRule): string {
  const key = [rule.groupId, rule.direction, rule.family ?? null, rule.protocol, rule.ports, peerKey(rule.peer)];
  // Neutron `ipip` and `4` read alike through the API but not on every firewall driver:
  // replacing one by the other is a change.
  if (rule.protocolByDriver) key.push(`name:${rule.protocolByDriver.name}`);
  return JSON.stringify(key);
}

export function naclEntryContentKey(entry: NetworkAclEntry): string {
  return JSON.stringify([entry.direction, entry.ruleNumber, entry.action, entry.protocol, entry.ports, entry.cidr]);
}
