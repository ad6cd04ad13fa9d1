import type { Cloud, CloudObjectKind, NetworkAcl, NetworkInterface, SecurityGroup } from '../model/cloud.js';
import { networkAclEntryText, ruleBodyText, ruleTrafficText } from '../evaluate/rule-text.js';
import type { ChangeAction, ModelChange, ResourceChangeSet } from '../model/changes.js';
import { ruleContentKey } from '../model/rule-key.js';

/** What happened when one model edit was applied to the "before" cloud. */
export interface AppliedChange {
  address: string;
  action: ChangeAction;
  kind: ModelChange['kind'];
  target: { kind: CloudObjectKind; id: string };
  /** One line, e.g. `adds ingress udp 8472 from 172.16.10.0/24 to 6a7d…`. */
  description: string;
  /**
   * `applied`: the model changed. `not-found`: the object (or rule) it names is not in the
   * inputs, so nothing changed. `unchanged`: the model already was that way.
   */
  outcome: 'applied' | 'not-found' | 'unchanged';
  notes: string[];
}

const DELETIONS = new Set<ModelChange['kind']>(['delete-sg-rule', 'delete-nacl-entry', 'delete-security-group', 'delete-network-acl', 'delete-interface']);

/**
 * Applies the edits of a proposal to a copy of `before`. Removals run first, so a rule that
 * one resource deletes and another recreates (a replace split over two resources, or an
 * inline block moved to a standalone rule) ends up present. Returns the new cloud and
 * one record per edit; `before` is not modified.
 */
export function applyChanges(before: Cloud, resources: ResourceChangeSet[]): { cloud: Cloud; applied: AppliedChange[] } {
  const cloud = structuredClone(before);
  const edits = resources.flatMap((r) => r.changes.map((change) => ({ change, action: r.action })));
  const indices = edits.map((_, i) => i);
  const ordered = [...indices.filter((i) => DELETIONS.has(edits[i]!.change.kind)), ...indices.filter((i) => !DELETIONS.has(edits[i]!.change.kind))];
  // Records stay in plan order, the order a reader of the plan knows.
  const applied: AppliedChange[] = new Array(edits.length);
  for (const i of ordered) applied[i] = applyOne(cloud, edits[i]!.change, edits[i]!.action);
  return { cloud, applied };
}

function record(change: ModelChange, action: ChangeAction, kind: CloudObjectKind, id: string, description: string): AppliedChange {
  return { address: change.address, action, kind: change.kind, target: { kind, id }, description, outcome: 'applied', notes: [] };
}

function notFound(r: AppliedChange, note: string): AppliedChange {
  r.outcome = 'not-found';
  r.notes.push(note);
  return r;
}

function notExported(cloud: Cloud, kind: CloudObjectKind, r: AppliedChange): AppliedChange {
  if (!cloud.providedKinds.includes(kind)) {
    r.notes.push(`no ${kind} export was given, so the audit cannot evaluate this object; pass the export to see its effect`);
  }
  return r;
}

function findGroup(cloud: Cloud, id: string): SecurityGroup | undefined {
  return cloud.securityGroups.find((g) => g.id === id);
}

function findInterface(cloud: Cloud, id: string): NetworkInterface | undefined {
  return cloud.interfaces.find((i) => i.id === id);
}

function findAcl(cloud: Cloud, id: string): NetworkAcl | undefined {
  return cloud.networkAcls.find((a) => a.id === id);
}

function applyOne(cloud: Cloud, change: ModelChange, action: ChangeAction): AppliedChange {
  switch (change.kind) {
    case 'upsert-security-group': {
      const g = change.group;
      const i = cloud.securityGroups.findIndex((x) => x.id === g.id);
      if (i >= 0) {
        const old = cloud.securityGroups[i]!;
        cloud.securityGroups[i] = old.name !== undefined && g.name === undefined ? { ...g, name: old.name } : g;
        return record(change, action, 'security-group', g.id, `replaces group ${g.id}: ${old.rules.length} rules -> ${g.rules.length} rules`);
      }
      cloud.securityGroups.push(g);
      const r = record(change, action, 'security-group', g.id, `creates group ${g.name ?? g.id} with ${g.rules.length} rules`);
      const users = cloud.interfaces.filter((x) => x.securityGroupIds.includes(g.id)).length;
      if (users === 0) r.notes.push('no interface in the inputs carries this group, so it filters no node yet');
      return notExported(cloud, 'security-group', r);
    }
    case 'delete-security-group': {
      const r = record(change, action, 'security-group', change.groupId, `deletes group ${change.groupId}`);
      const i = cloud.securityGroups.findIndex((x) => x.id === change.groupId);
      if (i < 0) return notFound(r, `group ${change.groupId} is not in the inputs`);
      cloud.securityGroups.splice(i, 1);
      const users = cloud.interfaces.filter((x) => x.securityGroupIds.includes(change.groupId));
      for (const iface of users) iface.securityGroupIds = iface.securityGroupIds.filter((id) => id !== change.groupId);
      if (users.length > 0) {
        r.notes.push(
          `${users.length} interface(s) in the inputs carry this group (${users.map((u) => u.id).slice(0, 5).join(', ')}${users.length > 5 ? ', …' : ''}); ` +
            'they are modeled without it. The cloud refuses to delete a group in use (AWS DependencyViolation, Neutron 409) unless the plan detaches it too',
        );
      }
      return r;
    }
    case 'set-group-stateful': {
      const r = record(change, action, 'security-group', change.groupId, `makes group ${change.groupId} ${change.stateful ? 'stateful' : 'stateless'}`);
      const g = findGroup(cloud, change.groupId);
      if (!g) return notFound(r, `group ${change.groupId} is not in the inputs`);
      if (g.stateful === change.stateful) r.outcome = 'unchanged';
      g.stateful = change.stateful;
      return r;
    }
    case 'upsert-sg-rule': {
      const rule = change.rule;
      const r = record(change, action, 'security-group', rule.groupId, `adds ${rule.direction} ${ruleBodyText(rule)} to ${rule.groupId}`);
      const g = findGroup(cloud, rule.groupId);
      if (!g) return notExported(cloud, 'security-group', notFound(r, `group ${rule.groupId} is not in the inputs, so the rule filters no audited node`));
      const key = ruleContentKey(rule);
      if (g.rules.some((x) => ruleContentKey(x) === key)) {
        r.outcome = 'unchanged';
        r.notes.push('the group already has an identical rule');
        return r;
      }
      g.rules.push(rule);
      return r;
    }
    case 'delete-sg-rule': {
      const rule = change.rule;
      const r = record(change, action, 'security-group', change.groupId, `removes ${rule.direction} ${ruleBodyText(rule)} from ${change.groupId}`);
      const g = findGroup(cloud, change.groupId);
      if (!g) return notExported(cloud, 'security-group', notFound(r, `group ${change.groupId} is not in the inputs`));
      const byId = change.ruleId !== undefined ? g.rules.filter((x) => x.id === change.ruleId) : [];
      const key = ruleContentKey(rule);
      const removed = byId.length > 0 ? byId : g.rules.filter((x) => ruleContentKey(x) === key);
      if (removed.length === 0) return notFound(r, `no rule of ${change.groupId} in the inputs has ${change.ruleId ? `id ${change.ruleId} or ` : ''}this content; nothing removed`);
      g.rules = g.rules.filter((x) => !removed.includes(x));
      r.notes.push(`removed ${removed.map((x) => x.id).join(', ')}`);
      return r;
    }
    case 'upsert-interface': {
      const iface = change.iface;
      const i = cloud.interfaces.findIndex((x) => x.id === iface.id);
      if (i >= 0) cloud.interfaces[i] = iface;
      else cloud.interfaces.push(iface);
      return record(change, action, 'network-interface', iface.id, `${i >= 0 ? 'replaces' : 'adds'} interface ${iface.id} (groups ${iface.securityGroupIds.join(', ') || 'none'}, port security ${iface.portSecurity})`);
    }
    case 'delete-interface': {
      const r = record(change, action, 'network-interface', change.interfaceId, `deletes interface ${change.interfaceId}`);
      const i = cloud.interfaces.findIndex((x) => x.id === change.interfaceId);
      if (i < 0) return notFound(r, `interface ${change.interfaceId} is not in the inputs`);
      cloud.interfaces.splice(i, 1);
      r.notes.push('a node bound to this interface is modeled as unbound (its pairs become unknown)');
      return r;
    }
    case 'set-interface-groups': {
      const r = record(change, action, 'network-interface', change.interfaceId, `sets the groups of ${change.interfaceId} to [${change.securityGroupIds.join(', ')}]`);
      const iface = findInterface(cloud, change.interfaceId);
      if (!iface) return notFound(r, `interface ${change.interfaceId} is not in the inputs`);
      iface.securityGroupIds = [...change.securityGroupIds];
      const missing = change.securityGroupIds.filter((id) => !findGroup(cloud, id));
      if (missing.length > 0) r.notes.push(`groups not in the inputs: ${missing.join(', ')}`);
      return r;
    }
    case 'set-port-security': {
      const r = record(change, action, 'network-interface', change.interfaceId, `${change.portSecurity === 'enabled' ? 'enables' : 'disables'} port security on ${change.interfaceId}`);
      const iface = findInterface(cloud, change.interfaceId);
      if (!iface) return notFound(r, `interface ${change.interfaceId} is not in the inputs`);
      if (iface.portSecurity === change.portSecurity) r.outcome = 'unchanged';
      iface.portSecurity = change.portSecurity;
      return r;
    }
    case 'set-allowed-address-pairs': {
      const r = record(change, action, 'network-interface', change.interfaceId, `sets the allowed address pairs of ${change.interfaceId} to [${change.allowedAddressPairs.join(', ')}]`);
      const iface = findInterface(cloud, change.interfaceId);
      if (!iface) return notFound(r, `interface ${change.interfaceId} is not in the inputs`);
      iface.allowedAddressPairs = [...change.allowedAddressPairs];
      return r;
    }
    case 'upsert-network-acl': {
      const acl = change.acl;
      const i = cloud.networkAcls.findIndex((x) => x.id === acl.id);
      const r = record(change, action, 'network-acl', acl.id, `${i >= 0 ? 'replaces' : 'creates'} network ACL ${acl.id} with ${acl.entries.length} entries for subnets [${acl.subnetIds.join(', ')}]`);
      if (i >= 0) cloud.networkAcls[i] = acl;
      else cloud.networkAcls.push(acl);
      moveSubnets(cloud, acl, acl.subnetIds, r);
      return notExported(cloud, 'network-acl', r);
    }
    case 'delete-network-acl': {
      const r = record(change, action, 'network-acl', change.aclId, `deletes network ACL ${change.aclId}`);
      const acl = findAcl(cloud, change.aclId);
      if (!acl) return notFound(r, `network ACL ${change.aclId} is not in the inputs`);
      cloud.networkAcls = cloud.networkAcls.filter((x) => x !== acl);
      returnToDefault(cloud, acl, acl.subnetIds, r);
      return r;
    }
    case 'upsert-nacl-entry': {
      const e = change.entry;
      const r = record(change, action, 'network-acl', change.aclId, `sets ${networkAclEntryText({ id: change.aclId } as NetworkAcl, e)}`);
      const acl = findAcl(cloud, change.aclId);
      if (!acl) return notExported(cloud, 'network-acl', notFound(r, `network ACL ${change.aclId} is not in the inputs`));
      const i = acl.entries.findIndex((x) => x.direction === e.direction && x.ruleNumber === e.ruleNumber);
      if (i >= 0) {
        r.notes.push(`replaces entry #${e.ruleNumber} (${acl.entries[i]!.action} ${ruleTrafficText(acl.entries[i]!.protocol, acl.entries[i]!.ports)} ${acl.entries[i]!.cidr})`);
        acl.entries[i] = e;
      } else acl.entries.push(e);
      return r;
    }
    case 'delete-nacl-entry': {
      const r = record(change, action, 'network-acl', change.aclId, `removes ${change.direction} entry #${change.ruleNumber} from ${change.aclId}`);
      const acl = findAcl(cloud, change.aclId);
      if (!acl) return notExported(cloud, 'network-acl', notFound(r, `network ACL ${change.aclId} is not in the inputs`));
      const before = acl.entries.length;
      acl.entries = acl.entries.filter((x) => !(x.direction === change.direction && x.ruleNumber === change.ruleNumber));
      if (acl.entries.length === before) return notFound(r, `${change.aclId} has no ${change.direction} entry #${change.ruleNumber} in the inputs`);
      return r;
    }
    case 'set-nacl-subnets': {
      const r = record(change, action, 'network-acl', change.aclId, `associates network ACL ${change.aclId} with subnets [${change.subnetIds.join(', ')}]`);
      const acl = findAcl(cloud, change.aclId);
      if (!acl) return notFound(r, `network ACL ${change.aclId} is not in the inputs`);
      const leaving = acl.subnetIds.filter((s) => !change.subnetIds.includes(s));
      moveSubnets(cloud, acl, change.subnetIds, r);
      returnToDefault(cloud, acl, leaving, r);
      return r;
    }
    case 'upsert-subnet': {
      const s = change.subnet;
      const i = cloud.subnets.findIndex((x) => x.id === s.id && x.family === s.family);
      if (i >= 0) cloud.subnets[i] = s;
      else cloud.subnets.push(s);
      return record(change, action, 'subnet', s.id, `${i >= 0 ? 'replaces' : 'adds'} subnet ${s.id} (${s.cidr})`);
    }
    case 'upsert-prefix-list': {
      const p = change.prefixList;
      const i = cloud.prefixLists.findIndex((x) => x.id === p.id);
      if (i >= 0) cloud.prefixLists[i] = p;
      else cloud.prefixLists.push(p);
      return record(change, action, 'prefix-list', p.id, `${i >= 0 ? 'replaces' : 'adds'} prefix list ${p.id} (${p.cidrs.length} entries)`);
    }
    case 'upsert-address-group': {
      const a = change.addressGroup;
      const i = cloud.addressGroups.findIndex((x) => x.id === a.id);
      if (i >= 0) cloud.addressGroups[i] = a;
      else cloud.addressGroups.push(a);
      return record(change, action, 'address-group', a.id, `${i >= 0 ? 'replaces' : 'adds'} address group ${a.id} (${a.cidrs.length} entries)`);
    }
  }
}

/** A subnet has exactly one ACL: associating it with `acl` takes it from whichever ACL had it. */
function moveSubnets(cloud: Cloud, acl: NetworkAcl, subnetIds: string[], r: AppliedChange): void {
  for (const other of cloud.networkAcls) {
    if (other === acl) continue;
    const taken = other.subnetIds.filter((s) => subnetIds.includes(s));
    if (taken.length === 0) continue;
    other.subnetIds = other.subnetIds.filter((s) => !subnetIds.includes(s));
    r.notes.push(`subnets ${taken.join(', ')} leave ${other.id}`);
  }
  acl.subnetIds = [...subnetIds];
}

/** AWS puts a subnet that leaves a custom ACL back on its VPC's default ACL. */
function returnToDefault(cloud: Cloud, acl: NetworkAcl, subnetIds: string[], r: AppliedChange): void {
  if (subnetIds.length === 0) return;
  acl.subnetIds = acl.subnetIds.filter((s) => !subnetIds.includes(s));
  const fallback = cloud.networkAcls.find((x) => x.isDefault && x !== acl && acl.vpcId !== undefined && x.vpcId === acl.vpcId);
  if (fallback) {
    fallback.subnetIds = [...fallback.subnetIds, ...subnetIds.filter((s) => !fallback.subnetIds.includes(s))];
    r.notes.push(`subnets ${subnetIds.join(', ')} return to the VPC's default ACL ${fallback.id}`);
  } else {
    r.notes.push(`subnets ${subnetIds.join(', ')} return to their VPC's default ACL, which is not in the inputs (their NACL verdicts become unknown)`);
  }
}
