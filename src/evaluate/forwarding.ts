import { cidrContainsCidr, tryParseCidr } from '../model/cidr.js';
import type { PreparedNode } from './prepared-node.js';
import type { Evidence } from '../model/evidence.js';

/**
 * host-gw and DirectRouting put pod addresses on the wire, which the cloud drops unless
 * the interface accepts foreign addresses: AWS SourceDestCheck off; Neutron port security
 * off, or allowed_address_pairs covering the node's pod CIDRs (anti-spoofing).
 */
export function checkForwarding(node: PreparedNode): Evidence {
  const iface = node.iface!;
  const name = node.bound.node.name;
  const base = { check: 'forwarding' as const, objectIds: [iface.id] };
  if (iface.provider === 'aws') {
    const layer = 'source-dest-check' as const;
    if (iface.sourceDestCheck === false) {
      return { ...base, layer, decision: 'allowed', reason: `source/destination check is disabled on ${iface.id} (node ${name})` };
    }
    if (iface.sourceDestCheck === true) {
      return { ...base, layer, decision: 'blocked', reason: `source/destination check is enabled on ${iface.id} (node ${name}), so EC2 drops packets whose pod addresses are not the interface's own` };
    }
    return { ...base, layer, decision: 'unknown', reason: `the inputs do not say whether source/destination check is enabled on ${iface.id} (node ${name})` };
  }
  if (iface.portSecurity === 'disabled') {
    return { ...base, layer: 'port-security', decision: 'allowed', reason: `port security is disabled on ${iface.id} (node ${name}), so Neutron applies no anti-spoofing` };
  }
  const layer = 'allowed-address-pairs' as const;
  const pods = node.bound.node.podCidrs;
  if (pods.length === 0) {
    return { ...base, layer, decision: 'unknown', reason: `node ${name} has no pod CIDR, so it cannot be told whether ${iface.id}'s allowed_address_pairs cover it` };
  }
  const pairs = iface.allowedAddressPairs.map((p) => tryParseCidr(p)).filter((p) => p !== undefined);
  const uncovered = pods.filter((text) => {
    const pod = tryParseCidr(text);
    return !pod || !pairs.some((p) => cidrContainsCidr(p, pod));
  });
  if (uncovered.length > 0) {
    return {
      ...base,
      layer,
      decision: 'blocked',
      reason: `allowed_address_pairs of ${iface.id} (node ${name}) do not cover pod CIDR ${uncovered.join(', ')}, so Neutron anti-spoofing drops its pod traffic`,
    };
  }
  return { ...base, layer, decision: 'allowed', reason: `allowed_address_pairs of ${iface.id} (node ${name}) cover its pod CIDRs` };
}
