import type { Subnet } from '../../src/model/cloud.js';
import { isPlainObject, type IssueCollector } from '../../src/model/issues.js';
import {
  asObject,
  child,
  fail,
  optArray,
  optString,
  reqCidr,
  reqString,
  sourceRef,
  type At,
  type JsonObject,
} from './translate-read.js';
import { cidrFamily, withoutUndefined } from './translate-util.js';
import { AwsWarningCode } from './translate-warnings.js';

/** States in which an IPv6 block is (or is about to be) routed in the subnet. */
const LIVE_IPV6_STATES = new Set(['associated', 'associating']);

/**
 * One `Subnets[i]` entry of describe-subnets, as one model Subnet per CIDR.
 *
 * A dual-stack subnet yields two model subnets with the SAME id (the AWS subnet id),
 * told apart by `family`. Synthesizing a separate id for the IPv6 block was rejected:
 * interfaces and NACL associations reference the AWS id, and both families of one
 * subnet share its network ACL, so lookups by id must find both.
 */
export function parseSubnet(value: unknown, where: At, issues: IssueCollector): Subnet[] {
  const obj = asObject(value, where, 'a subnet');
  const id = reqString(obj, 'SubnetId', where);
  const networkId = optString(obj, 'VpcId', where);
  const subnets: Subnet[] = [];
  const make = (cidr: string, at: At): Subnet =>
    withoutUndefined({ provider: 'aws' as const, id, cidr, family: cidrFamily(cidr), networkId, source: sourceRef(at) });

  if (obj['CidrBlock'] !== undefined && obj['CidrBlock'] !== null) {
    const cidr = reqCidr(obj, 'CidrBlock', where);
    if (cidrFamily(cidr) !== 4) fail(child(where, 'CidrBlock'), '"CidrBlock" must be an IPv4 CIDR', obj['CidrBlock']);
    subnets.push(make(cidr, where));
  }
  const setAt = child(where, 'Ipv6CidrBlockAssociationSet');
  const associations = optArray(obj, 'Ipv6CidrBlockAssociationSet', where);
  associations.forEach((v, i) => {
    const entryAt = child(setAt, i);
    const entry = asObject(v, entryAt, 'an Ipv6CidrBlockAssociationSet entry');
    const cidr = reqCidr(entry, 'Ipv6CidrBlock', entryAt);
    if (cidrFamily(cidr) !== 6) {
      fail(child(entryAt, 'Ipv6CidrBlock'), '"Ipv6CidrBlock" must be an IPv6 CIDR', entry['Ipv6CidrBlock']);
    }
    const state = associationState(entry, entryAt);
    if (state !== undefined && !LIVE_IPV6_STATES.has(state)) {
      issues.warn(
        AwsWarningCode.ipv6BlockNotAssociated,
        `IPv6 block ${cidr} of subnet ${id} is "${state}", not associated; it is left out`,
        entryAt,
      );
      return;
    }
    subnets.push(make(cidr, entryAt));
  });
  if (subnets.length === 0 && associations.length === 0) {
    fail(where, 'subnet has neither CidrBlock nor Ipv6CidrBlockAssociationSet');
  }
  return subnets;
}

function associationState(entry: JsonObject, where: At): string | undefined {
  const state = entry['Ipv6CidrBlockState'];
  if (!isPlainObject(state)) return undefined;
  return optString(state, 'State', child(where, 'Ipv6CidrBlockState'));
}
