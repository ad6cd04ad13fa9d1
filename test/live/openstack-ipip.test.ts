/**
 * Live tier: the Neutron `ipip` trap and VTEPs held as allowed-address pairs, against a real
 * Keystone and neutron-server. A rule created with protocol "ipip" is stored as that name
 * (the API does not say which firewall driver will apply it), so the audit must leave the
 * pairs unknown; the same rule with protocol "4" allows them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../src/pipeline/audit.js';
import { emptyInputs } from '../../src/model/documents.js';
import { collectOpenstack } from '../../providers/openstack/collect.js';
import { requireTier } from '../support/tier.js';
import { lockCloud, NAME_PREFIX, NeutronAdmin, nodeList, openstackReachable, testConfigEnv } from './openstack-fixture.js';

const reachable = await openstackReachable();
const tierOk = requireTier('openstack', reachable.ok, reachable.reason);

const FLANNEL_IPIP = { name: 'net-conf.json', body: { Network: '10.244.0.0/16', Backend: { Type: 'ipip' } } };
const SERVERS = ['5b0f6a52-1c1e-4f55-9a0b-7d7f0c1a0001', '5b0f6a52-1c1e-4f55-9a0b-7d7f0c1a0002'];

describe.skipIf(!tierOk)('openstack live: the ipip protocol name and allowed-address-pair VTEPs', () => {
  let admin: NeutronAdmin;
  const run = `${NAME_PREFIX}${Date.now().toString(36)}-ipip-`;
  let groupId = '';
  let unlock: (() => void) | undefined;
  // VTEPs are allowed-address pairs of the ports, not their fixed IPs; providerIDs name the servers.
  const nodes = [
    { name: 'ipip-0', ip: '172.16.70.111', serverId: SERVERS[0]! },
    { name: 'ipip-1', ip: '172.16.70.112', serverId: SERVERS[1]! },
  ];

  const audit = async () => {
    const collected = await collectOpenstack({ cloud: 'sgaudit-reader', vtepIps: nodes.map((n) => n.ip), serverIds: SERVERS, config: testConfigEnv() });
    expect(collected.unavailable).toEqual([]);
    const { report } = runAudit({ ...emptyInputs(), nodes: [{ name: 'nodes.json', body: nodeList(nodes) }], flannel: [FLANNEL_IPIP], openstack: collected.documents });
    return { report, collected };
  };

  beforeAll(async () => {
    unlock = await lockCloud();
    admin = await NeutronAdmin.connect();
    await admin.removeTestObjects(run);
    const net = await admin.network(`${run}net`);
    const sub = await admin.subnet(`${run}net`, net.id as string, '172.16.70.0/24');
    const group = await admin.group(`${run}nodes`);
    groupId = group.id as string;
    await admin.rule(groupId, { direction: 'ingress', protocol: 'ipip', remote_group_id: groupId });
    for (const [i, n] of nodes.entries()) {
      await admin.port(`${run}${n.name}`, net.id as string, sub.id as string, `172.16.70.${11 + i}`, {
        security_groups: [groupId],
        device_id: n.serverId,
        allowed_address_pairs: [{ ip_address: n.ip }],
      });
    }
  }, 780_000);

  afterAll(async () => {
    try {
      await admin?.removeTestObjects(run);
    } finally {
      unlock?.();
    }
  }, 120_000);

  it('a rule created as "ipip" is stored as the name and leaves every pair unknown, naming the numbered fix', async () => {
    const { report, collected } = await audit();
    const groups = collected.documents.find((d) => 'security_groups' in (d.body as object))!.body as { security_groups: { security_group_rules: { protocol: string | null; direction: string }[] }[] };
    expect(groups.security_groups.flatMap((g) => g.security_group_rules).filter((r) => r.direction === 'ingress').map((r) => r.protocol)).toEqual(['ipip']);

    // Both nodes bind through their ports' allowed-address pairs.
    for (const n of report.nodes) {
      expect(n.unboundReason).toBeUndefined();
      expect(n.bindingNote).toContain(`VTEP ${n.vtepIp} is an allowed-address pair (${n.vtepIp}/32) of`);
    }
    expect(report.summary).toMatchObject({ directedPairs: 2, allowed: 0, blocked: 0, unknown: 2 });
    const text = JSON.stringify(report.findings);
    expect(text).toContain('names its protocol as \\"ipip\\", which is protocol 4 (ipip) under the OVS firewall driver but protocol 94 under the iptables and iptables_hybrid firewall drivers');
    expect(text).toContain(`--protocol 4 --remote-group ${groupId} ${groupId}`);
    expect(report.remediations).toEqual([]);
  });

  it('the numbered rule is refused while the named one exists; after deleting it, "4" allows both pairs (the pair VTEPs count as group members)', async () => {
    // Neutron's duplicate check reads both as 4: the fix must delete the named rule first, as the finding says.
    await expect(admin.rule(groupId, { direction: 'ingress', protocol: '4', remote_group_id: groupId })).rejects.toThrow(/HTTP 409 .*SecurityGroupRuleExists/);
    const rules = (await admin.call('GET', `security-group-rules?security_group_id=${groupId}&protocol=ipip`)).security_group_rules as { id: string }[];
    expect(rules).toHaveLength(1);
    await admin.call('DELETE', `security-group-rules/${rules[0]!.id}`);
    await admin.rule(groupId, { direction: 'ingress', protocol: '4', remote_group_id: groupId });
    const { report } = await audit();
    expect(report.summary).toMatchObject({ directedPairs: 2, allowed: 2, blocked: 0, unknown: 0 });
  });
});
