import { describe, expect, it } from 'vitest';
import { emptyCloud, type Cloud, type NetworkAcl, type SecurityGroupRule } from '../model/cloud.js';
import { applyChanges } from './apply-changes.js';
import type { ModelChange, ResourceChangeSet } from '../model/changes.js';

const SRC = { document: 'test', pointer: '' };

function rule(id: string, groupId: string, port: number, peer: SecurityGroupRule['peer'] = { kind: 'cidr', cidr: '10.0.0.0/16' }): SecurityGroupRule {
  return { id, groupId, direction: 'ingress', protocol: { kind: 'number', number: 17 }, ports: { kind: 'range', from: port, to: port }, peer, source: SRC };
}

function acl(id: string, subnetIds: string[], isDefault = false): NetworkAcl {
  return { provider: 'aws', id, vpcId: 'vpc-1', isDefault, subnetIds, entries: [], source: SRC };
}

function cloud(): Cloud {
  const c = emptyCloud();
  c.securityGroups = [{ provider: 'aws', id: 'sg-1', name: 'nodes', stateful: true, rules: [rule('sg-1/ingress/0/IpRanges/0', 'sg-1', 8472), rule('sgr-22', 'sg-1', 22)], source: SRC }];
  c.interfaces = [{ provider: 'aws', id: 'eni-1', addresses: [{ ip: '10.0.1.5', subnetId: 'subnet-a' }], allowedAddressPairs: [], securityGroupIds: ['sg-1'], portSecurity: 'enabled', source: SRC }];
  c.networkAcls = [acl('acl-default', ['subnet-c'], true), acl('acl-a', ['subnet-a'])];
  c.providedKinds = ['security-group', 'network-interface', 'network-acl'];
  return c;
}

function set(changes: ModelChange[], action: ResourceChangeSet['action'] = 'update'): ResourceChangeSet {
  return { address: changes[0]?.address ?? 'x', resourceType: 't', action, changes };
}

describe('applyChanges', () => {
  it('removes a rule by id when the inputs have it, and by content when they carry a synthesized id', () => {
    const before = cloud();
    const { cloud: after, applied } = applyChanges(before, [
      set([{ kind: 'delete-sg-rule', address: 'a.byid', groupId: 'sg-1', ruleId: 'sgr-22', rule: rule('whatever', 'sg-1', 22) }]),
      set([{ kind: 'delete-sg-rule', address: 'a.bycontent', groupId: 'sg-1', ruleId: 'sgr-unknown', rule: rule('terraform:x', 'sg-1', 8472) }]),
    ]);
    expect(after.securityGroups[0]!.rules).toEqual([]);
    expect(applied.map((a) => [a.address, a.outcome])).toEqual([
      ['a.byid', 'applied'],
      ['a.bycontent', 'applied'],
    ]);
    expect(before.securityGroups[0]!.rules).toHaveLength(2);
  });

  it('says when the rule to remove is not in the inputs instead of pretending it removed it', () => {
    const { applied } = applyChanges(cloud(), [set([{ kind: 'delete-sg-rule', address: 'a', groupId: 'sg-1', rule: rule('x', 'sg-1', 4789) }])]);
    expect(applied[0]!.outcome).toBe('not-found');
  });

  it('runs removals before additions, so a rule deleted by one resource and recreated by another stays', () => {
    const { cloud: after, applied } = applyChanges(cloud(), [
      set([{ kind: 'upsert-sg-rule', address: 'new', rule: rule('terraform:new', 'sg-1', 8472) }], 'create'),
      set([{ kind: 'delete-sg-rule', address: 'old', groupId: 'sg-1', rule: rule('x', 'sg-1', 8472) }], 'delete'),
    ]);
    expect(after.securityGroups[0]!.rules.map((r) => r.id)).toEqual(['sgr-22', 'terraform:new']);
    // Records keep plan order.
    expect(applied.map((a) => a.address)).toEqual(['new', 'old']);
  });

  it('does not add a rule the group already has', () => {
    const { cloud: after, applied } = applyChanges(cloud(), [set([{ kind: 'upsert-sg-rule', address: 'dup', rule: rule('terraform:dup', 'sg-1', 22) }])]);
    expect(applied[0]!.outcome).toBe('unchanged');
    expect(after.securityGroups[0]!.rules).toHaveLength(2);
  });

  it('detaches a deleted group from the interfaces that carried it and says the cloud would refuse', () => {
    const { cloud: after, applied } = applyChanges(cloud(), [set([{ kind: 'delete-security-group', address: 'g', groupId: 'sg-1' }], 'delete')]);
    expect(after.securityGroups).toEqual([]);
    expect(after.interfaces[0]!.securityGroupIds).toEqual([]);
    expect(applied[0]!.notes.join(' ')).toMatch(/DependencyViolation/);
  });

  it('moves subnets between ACLs: a new ACL takes them, leaving subnets return to the default ACL', () => {
    const created = acl('terraform:aws_network_acl.b', ['subnet-a', 'subnet-b']);
    const { cloud: after } = applyChanges(cloud(), [set([{ kind: 'upsert-network-acl', address: 'n', acl: created }], 'create')]);
    expect(after.networkAcls.find((a) => a.id === 'acl-a')!.subnetIds).toEqual([]);
    expect(after.networkAcls.find((a) => a.id === created.id)!.subnetIds).toEqual(['subnet-a', 'subnet-b']);

    const { cloud: moved, applied } = applyChanges(cloud(), [set([{ kind: 'set-nacl-subnets', address: 'n', aclId: 'acl-a', subnetIds: [] }])]);
    expect(moved.networkAcls.find((a) => a.id === 'acl-default')!.subnetIds).toEqual(['subnet-c', 'subnet-a']);
    expect(applied[0]!.notes.join(' ')).toMatch(/default ACL acl-default/);
  });

  it('leaves a subnet without an ACL (unknown) when its default ACL is not in the inputs', () => {
    const c = cloud();
    c.networkAcls = [acl('acl-a', ['subnet-a'])];
    const { cloud: after, applied } = applyChanges(c, [set([{ kind: 'delete-network-acl', address: 'n', aclId: 'acl-a' }], 'delete')]);
    expect(after.networkAcls).toEqual([]);
    expect(applied[0]!.notes.join(' ')).toMatch(/not in the inputs/);
  });

  it('replaces NACL entries by direction and rule number', () => {
    const c = cloud();
    const entry = (action: 'allow' | 'deny') => ({ ruleNumber: 100, direction: 'ingress' as const, action, protocol: { kind: 'any' as const }, ports: { kind: 'all' as const }, cidr: '0.0.0.0/0', source: SRC });
    c.networkAcls[1]!.entries = [entry('allow')];
    const { cloud: after } = applyChanges(c, [set([{ kind: 'upsert-nacl-entry', address: 'e', aclId: 'acl-a', entry: entry('deny') }])]);
    expect(after.networkAcls[1]!.entries.map((e) => e.action)).toEqual(['deny']);
  });

  it('sets interface groups and port security on the interface it names', () => {
    const { cloud: after, applied } = applyChanges(cloud(), [
      set([
        { kind: 'set-interface-groups', address: 'p', interfaceId: 'eni-1', securityGroupIds: ['sg-2'] },
        { kind: 'set-port-security', address: 'p', interfaceId: 'eni-1', portSecurity: 'disabled' },
        { kind: 'set-port-security', address: 'q', interfaceId: 'eni-missing', portSecurity: 'disabled' },
      ]),
    ]);
    expect(after.interfaces[0]).toMatchObject({ securityGroupIds: ['sg-2'], portSecurity: 'disabled' });
    expect(applied.map((a) => a.outcome)).toEqual(['applied', 'applied', 'not-found']);
    expect(applied[0]!.notes).toEqual(['groups not in the inputs: sg-2']);
  });
});
