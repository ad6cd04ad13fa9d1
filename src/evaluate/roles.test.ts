import { describe, expect, it } from 'vitest';
import type { NodeRole } from '../model/cluster.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Evaluation } from './types.js';
import { evaluate } from './evaluate.js';
import * as b from './testing/builders.js';
import { cellFor } from './testing/cells.js';
import { requirementsForCni } from '../../rules/catalog.js';

const ip = (i: number) => `172.16.10.${10 + i}`;

/** cp0, cp1 are control-plane nodes (cp1 also etcd), w0..w2 are workers; every node in one group and subnet. */
function cluster(roles: (NodeRole[] | undefined)[], rules: b.RuleDraft[]): Snapshot {
  const names = roles.map((r, i) => (r?.includes('control-plane') ? `cp${i}` : `w${i}`));
  const nodes = roles.map((r, i) => b.node(names[i]!, ip(i), { pod: `10.244.${i}.0/24`, ...(r ? { roles: r } : {}) }));
  const interfaces = roles.map((_, i) => b.eni(`eni-${i}`, ip(i)));
  return b.snapshot({ nodes, interfaces, groups: [b.sg('sg-nodes', [b.egressAll(), ...rules])] });
}

const roles: (NodeRole[] | undefined)[] = [['control-plane'], ['control-plane', 'etcd'], undefined, [], undefined];
const apiServer = b.flowRequirement({ id: 'kubernetes-api-server', protocol: { name: 'tcp', number: 6 }, fromPort: 6443, destinationRole: 'control-plane' });
const kubelet = b.flowRequirement({ id: 'kubernetes-kubelet', protocol: { name: 'tcp', number: 6 }, fromPort: 10250, sourceRole: 'control-plane' });
const etcd = b.flowRequirement({ id: 'kubernetes-etcd', protocol: { name: 'tcp', number: 6 }, fromPort: 2379, toPort: 2380, sourceRole: 'control-plane', destinationRole: 'control-plane' });
const vxlan = b.flowRequirement();

const pairsOf = (e: Evaluation, id: string) => e.cells.filter((c) => c.requirementId === id).reduce((n, c) => n + c.pairCount, 0);

describe('role-scoped flows', () => {
  const snapshot = cluster(roles, [b.ingress('tcp', 6443, '172.16.10.0/24'), b.ingress('udp', 8472, '172.16.10.0/24')]);

  it.each([true, false])('count exactly the pairs whose nodes carry the roles (groupNodes %s)', (groupNodes) => {
    const e = evaluate(snapshot, [vxlan, apiServer, kubelet, etcd], { groupNodes });
    expect(pairsOf(e, vxlan.id)).toBe(5 * 4);
    // every node to each of the 2 control-plane nodes, minus their self pairs
    expect(pairsOf(e, apiServer.id)).toBe(5 * 2 - 2);
    // each of the 2 control-plane nodes to the 4 other nodes
    expect(pairsOf(e, kubelet.id)).toBe(2 * 4);
    // cp0 <-> cp1
    expect(pairsOf(e, etcd.id)).toBe(2);
  });

  it('decides each admitted pair on its rules, and omits the rest', () => {
    const e = evaluate(snapshot, [apiServer, kubelet]);
    expect(cellFor(e, 'w2', 'cp0', apiServer.id)?.verdict).toBe('allowed');
    expect(cellFor(e, 'cp0', 'w2', apiServer.id)).toBeUndefined();
    expect(cellFor(e, 'w3', 'w4', apiServer.id)).toBeUndefined();
    expect(cellFor(e, 'cp1', 'w4', kubelet.id)?.verdict).toBe('blocked');
    expect(cellFor(e, 'w4', 'cp1', kubelet.id)).toBeUndefined();
  });

  it('splits classes by roles only when some requirement is role-scoped', () => {
    expect(evaluate(snapshot, [vxlan]).classes).toHaveLength(1);
    const scoped = evaluate(snapshot, [vxlan, apiServer]);
    // [] and undefined both mean "no roles", so the three workers stay together
    expect(scoped.classes.map((c) => c.members.map((m) => m.node.name))).toEqual([['cp0'], ['cp1'], ['w2', 'w3', 'w4']]);
    expect(scoped.classes[1]!.signature).toContain('roles [control-plane,etcd]');
  });

  it('role order in the labels does not split a class', () => {
    const e = evaluate(cluster([['etcd', 'control-plane'], ['control-plane', 'etcd']], []), [apiServer]);
    expect(e.classes).toHaveLength(1);
  });

  it('an unbound node gets no cell for a flow its roles exclude, and unknown for one they admit', () => {
    const s = cluster(roles, [b.ingress('tcp', 6443, '172.16.10.0/24')]);
    s.cluster.nodes.push(b.node('w-lost', '10.9.9.9'));
    const e = evaluate(s, [apiServer]);
    expect(cellFor(e, 'cp0', 'w-lost', apiServer.id)).toBeUndefined();
    expect(cellFor(e, 'w-lost', 'cp0', apiServer.id)?.verdict).toBe('unknown');
    expect(pairsOf(e, apiServer.id)).toBe(6 * 2 - 2);
  });
});

describe('role-scoped flows from the catalog', () => {
  it('Calico Typha on one node of four: 3 pairs, each decided on TCP 5473', () => {
    const s = cluster([['typha'], undefined, undefined, undefined], [b.ingress('tcp', 5473, '172.16.10.0/24')]);
    const { requirements } = requirementsForCni({
      name: 'calico',
      calico: {
        bgp: { enabled: false, port: 179 }, pools: [], vxlan: { port: 4789, vni: 4096 },
        typha: { enabled: true, port: 5473, nodes: ['w0'] },
        wireguard: { ipv4: false, ipv6: false, port: 51820, portV6: 51821 }, enableIPv4: true, enableIPv6: false,
      },
    }, s.cluster.nodes, { controlPlane: false });
    expect(requirements.map((r) => r.id)).toEqual(['calico-typha']);
    const e = evaluate(s, requirements);
    expect(pairsOf(e, 'calico-typha')).toBe(3);
    expect(e.cells.every((c) => c.verdict === 'allowed')).toBe(true);
    expect(cellFor(e, 'w1', 'w0', 'calico-typha')).toBeDefined();
    expect(cellFor(e, 'w0', 'w1', 'calico-typha')).toBeUndefined();
  });
});
