import { describe, expect, it } from 'vitest';
import { translateAwsDocuments } from '../providers/aws/translate.js';
import { translateFlannel } from '../providers/kubernetes/translate-flannel.js';
import { translateOpenstackDocuments } from '../providers/openstack/translate.js';
import { translateTerraformPlan } from '../providers/terraform/translate-plan.js';
import { InputError } from '../src/model/source.js';

/**
 * Names every object inherits. Used as input keys or values they must be "unknown" like any other
 * name, never found in a lookup table (schemathesis found `{"__proto__": …}` in an EC2 document
 * crashing POST /v1/audits with a 500).
 */
const INHERITED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];

function inputErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe.each(INHERITED)('inherited name %s', (name) => {
  it('is not an EC2 export key', () => {
    expect(inputErrorOf(() => translateAwsDocuments([{ name: 'x.json', body: JSON.parse(`{"${name}": []}`) }]))).toMatch(/not a recognized EC2 export/);
  });

  it('is not an EC2 protocol', () => {
    const body = { SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: [{ IpProtocol: name, FromPort: 1, ToPort: 2, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }], IpPermissionsEgress: [] }] };
    expect(inputErrorOf(() => translateAwsDocuments([{ name: 'x.json', body }]))).toMatch(/IpProtocol: unknown IP protocol/);
  });

  it('is not a Neutron body key', () => {
    expect(inputErrorOf(() => translateOpenstackDocuments([{ name: 'x.json', body: JSON.parse(`{"${name}": []}`) }]))).toMatch(/not a recognized Neutron v2.0 body/);
  });

  it('is not a Neutron protocol', () => {
    const rule = { id: 'r1', security_group_id: 'g1', direction: 'ingress', ethertype: 'IPv4', protocol: name, port_range_min: null, port_range_max: null, remote_ip_prefix: null, remote_group_id: null };
    expect(inputErrorOf(() => translateOpenstackDocuments([{ name: 'x.json', body: { security_group_rules: [rule] } }]))).toMatch(/protocol: unknown protocol name/);
  });

  it('is not a flannel backend', () => {
    const message = inputErrorOf(() => translateFlannel([{ name: 'net-conf.json', body: { Network: '10.244.0.0/16', Backend: { Type: name } } }], []));
    expect(message).toMatch(/unknown flannel backend type/);
    expect(message).not.toMatch(/\[object Object\]|native code/);
  });

  it('is an unlisted Terraform resource type, ignored like any other', () => {
    const plan = { format_version: '1.2', resource_changes: [{ address: `${name}.x`, type: name, name: 'x', change: { actions: ['create'], before: null, after: {}, after_unknown: {} } }] };
    const out = translateTerraformPlan({ name: 'plan.json', body: plan });
    expect(out.ignored.map((i) => i.address)).toEqual([`${name}.x`]);
  });
});
