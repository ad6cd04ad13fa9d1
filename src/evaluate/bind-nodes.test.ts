import { describe, expect, it } from 'vitest';
import { bindNodes } from './bind-nodes.js';
import * as b from './testing/builders.js';
import { pairCell } from './testing/cells.js';
import { translateAwsDocuments } from '../../providers/aws/translate.js';
import { reportNodes } from '../report/describe.js';
import { evaluate } from './evaluate.js';
import { specAndSchemas } from '../../test/support/openapi-response.js';

const aws = (instanceId: string) => ({ provider: 'aws' as const, instanceId, raw: `aws:///us-east-1a/${instanceId}` });

describe('bindNodes', () => {
  it('binds a node to the interface owning its VTEP address, whichever NIC is primary', () => {
    const s = b.snapshot({
      nodes: [b.node('n1', '172.16.20.5')],
      interfaces: [b.eni('eni-primary', '172.16.10.5', { instanceId: 'i-1' }), b.eni('eni-overlay', '172.16.20.5', { instanceId: 'i-1', subnet: 'subnet-overlay' })],
    });
    const [bound] = bindNodes(s);
    expect(bound!.binding).toMatchObject({ kind: 'bound', ip: '172.16.20.5', subnetId: 'subnet-overlay' });
    expect(bound!.binding.kind === 'bound' && bound!.binding.iface.id).toBe('eni-overlay');
  });

  it.each([
    ['no interface has the address', [b.eni('eni-1', '172.16.10.6')], [], 'no-match', 'no network interface in the inputs has address 172.16.10.5'],
    ['two interfaces claim it', [b.eni('eni-b', '172.16.10.5'), b.eni('eni-a', '172.16.10.5')], [], 'ambiguous', 'ambiguous: address 172.16.10.5 (VTEP of node n1) is owned by eni-a and eni-b'],
    ['the interface look-up failed for it', [], [{ kind: 'network-interface' as const, ip: '172.16.10.5', reason: 'AccessDenied' }], 'collection', 'collection failed: AccessDenied'],
    ['the whole interface collection failed', [], [{ kind: 'network-interface' as const, reason: 'timeout' }], 'collection', 'collection failed: timeout'],
    ['the look-up by instance failed', [], [{ kind: 'network-interface' as const, instanceId: 'i-1', reason: 'throttled' }], 'collection', 'throttled'],
  ])('unbound when %s', (_n, interfaces, unavailable, cause, reason) => {
    const s = b.snapshot({ nodes: [b.node('n1', '172.16.10.5', { providerId: aws('i-1') })], interfaces, unavailable });
    const binding = bindNodes(s)[0]!.binding;
    expect(binding).toMatchObject({ kind: 'unbound', cause });
    expect(binding.kind === 'unbound' && binding.reason).toContain(reason);
  });

  it('an unrelated interface failure does not taint a node that has no match', () => {
    const s = b.snapshot({ nodes: [b.node('n1', '172.16.10.5')], unavailable: [{ kind: 'network-interface', ip: '172.16.10.9', reason: 'x' }] });
    expect(bindNodes(s)[0]!.binding).toMatchObject({ kind: 'unbound', cause: 'no-match' });
  });

  it.each([
    ['aws instance differs', { providerId: aws('i-1') }, 'i-2', 'unbound'],
    ['aws instance matches', { providerId: aws('i-1') }, 'i-1', 'bound'],
    ['openstack server differs', { providerId: { provider: 'openstack' as const, serverId: 'srv-1', raw: 'openstack:///srv-1' } }, 'srv-2', 'unbound'],
    ['no providerID', {}, 'i-2', 'bound'],
  ])('providerID cross-check: %s', (_n, opts, instanceId, kind) => {
    const s = b.snapshot({ nodes: [b.node('n1', '172.16.10.5', opts)], interfaces: [b.eni('eni-1', '172.16.10.5', { instanceId })] });
    const binding = bindNodes(s)[0]!.binding;
    expect(binding.kind).toBe(kind);
    if (kind === 'unbound') expect(binding.kind === 'unbound' && binding.reason).toContain(instanceId);
  });

  it('a node without a VTEP address is unbound', () => {
    const s = b.snapshot({ nodes: [b.node('n1', undefined)], interfaces: [b.eni('eni-1', '172.16.10.5')] });
    expect(bindNodes(s)[0]!.binding).toMatchObject({ kind: 'unbound', cause: 'no-vtep' });
  });

  it('an IPv6-only node binds by its IPv6 VTEP', () => {
    const s = b.snapshot({ nodes: [b.node('n1', undefined, { vtepIpv6: '2001:db8::5' })], interfaces: [b.eni('eni-1', '2001:0db8::5')] });
    expect(bindNodes(s)[0]!.binding).toMatchObject({ kind: 'bound', ip: '2001:db8::5' });
  });
});

describe('unbound nodes in cells', () => {
  const base = () => b.snapshot({
    nodes: [b.node('n1', '172.16.10.11'), b.node('n2', '172.16.10.12')],
    interfaces: [b.eni('eni-1', '172.16.10.11')],
    groups: [b.sg('sg-nodes', [b.egressAll(), b.ingress('any', 'all', '0.0.0.0/0')])],
  });

  it.each([b.flowRequirement(), b.l2Requirement(), b.forwardingRequirement()])('make every requirement unknown at node-mapping ($id)', (req) => {
    const cell = pairCell(base(), req);
    expect(cell).toMatchObject({ verdict: 'unknown', layer: 'node-mapping' });
    expect(cell.evidence).toEqual([expect.objectContaining({ check: 'node-mapping', decision: 'unknown', reason: expect.stringContaining('172.16.10.12') })]);
  });

  it('cite layer collection when the interface look-up failed', () => {
    const s = base();
    s.cloud.unavailable.push({ kind: 'network-interface', ip: '172.16.10.12', reason: 'AccessDenied' });
    expect(pairCell(s, b.flowRequirement())).toMatchObject({ verdict: 'unknown', layer: 'collection' });
  });
});

describe('binding by every address an interface may send from', () => {
  const server = (serverId: string) => ({ provider: 'openstack' as const, serverId, raw: `openstack:///${serverId}` });
  const VTEP = '10.0.1.50';
  const bindingOf = (s: ReturnType<typeof b.snapshot>) => bindNodes(s)[0]!.binding;
  const boundTo = (s: ReturnType<typeof b.snapshot>) => {
    const binding = bindingOf(s);
    if (binding.kind !== 'bound') throw new Error(`unbound: ${binding.reason}`);
    return binding;
  };

  it.each<[string, Parameters<typeof b.snapshot>[0], string, string | undefined, string | undefined]>([
    ['a Neutron fixed IP', { nodes: [b.node('n1', VTEP)], interfaces: [b.port('port-a', VTEP)] }, 'port-a', undefined, undefined],
    [
      'a Neutron allowed-address pair (exact host)',
      { nodes: [b.node('n1', VTEP)], interfaces: [b.port('port-a', '10.0.1.5', { allowedAddressPairs: [`${VTEP}/32`] })] },
      'port-a',
      `${VTEP}/32`,
      `VTEP ${VTEP} is an allowed-address pair (${VTEP}/32) of port-a, so Neutron lets that port send from it and counts it as a member of its groups`,
    ],
    [
      'a Neutron allowed-address pair (a block)',
      { nodes: [b.node('n1', VTEP)], interfaces: [b.port('port-a', '10.0.1.5', { allowedAddressPairs: ['10.0.1.0/24'] })] },
      'port-a',
      '10.0.1.0/24',
      `VTEP ${VTEP} is an allowed-address pair (10.0.1.0/24) of port-a`,
    ],
    [
      'an AWS secondary private IP',
      { nodes: [b.node('n1', VTEP)], interfaces: [b.eni('eni-a', '10.0.1.5', { extra: [VTEP], subnet: 'subnet-b' })] },
      'eni-a',
      undefined,
      undefined,
    ],
    [
      'two owners, providerID picks one',
      {
        nodes: [b.node('n1', VTEP, { providerId: server('srv-2') })],
        interfaces: [b.port('port-a', VTEP, { instanceId: 'srv-1' }), b.port('port-b', VTEP, { instanceId: 'srv-2' })],
      },
      'port-b',
      undefined,
      `VTEP ${VTEP} is an address of port-b; chosen by providerID srv-2`,
    ],
    [
      'a VIP port owns it, the node’s own port has it as a pair, providerID picks the node’s port',
      {
        nodes: [b.node('n1', VTEP, { providerId: server('srv-1') })],
        interfaces: [b.port('port-vip', VTEP), b.port('port-srv', '10.0.1.5', { instanceId: 'srv-1', allowedAddressPairs: [`${VTEP}/32`] })],
      },
      'port-srv',
      `${VTEP}/32`,
      'chosen by providerID srv-1',
    ],
    [
      'an owner beats ports that cover it with a broad pair',
      {
        nodes: [b.node('n1', VTEP)],
        interfaces: [b.port('port-a', VTEP), b.port('port-b', '10.0.1.6', { allowedAddressPairs: ['0.0.0.0/0'] }), b.port('port-c', '10.0.1.7', { allowedAddressPairs: ['10.0.0.0/8'] })],
      },
      'port-a',
      undefined,
      undefined,
    ],
  ])('binds through %s', (_name, parts, ifaceId, pair, note) => {
    const binding = boundTo(b.snapshot(parts));
    expect(binding.iface.id).toBe(ifaceId);
    expect(binding.ip).toBe(VTEP);
    expect(binding.allowedAddressPair).toBe(pair);
    if (note === undefined) expect(binding.note).toBeUndefined();
    else expect(binding.note).toContain(note);
  });

  it('an AWS secondary IP takes the subnet of that address', () => {
    const s = b.snapshot({ nodes: [b.node('n1', VTEP)], interfaces: [{ ...b.eni('eni-a', '10.0.1.5'), addresses: [{ ip: '10.0.1.5', subnetId: 'subnet-a' }, { ip: VTEP, subnetId: 'subnet-a' }] }] });
    expect(boundTo(s)).toMatchObject({ subnetId: 'subnet-a' });
  });

  it('a pair-bound VTEP takes the subnet of the port’s network that holds it, and none when no subnet does', () => {
    const parts = {
      nodes: [b.node('n1', VTEP)],
      interfaces: [b.port('port-a', '192.168.0.5', { subnet: 'sub-mgmt', allowedAddressPairs: [`${VTEP}/32`] })],
      subnets: [{ ...b.subnet('sub-mgmt', '192.168.0.0/24', 'openstack'), networkId: 'net-1' }, { ...b.subnet('sub-overlay', '10.0.1.0/24', 'openstack'), networkId: 'net-1' }],
    };
    expect(boundTo(b.snapshot(parts)).subnetId).toBe('sub-overlay');
    expect(boundTo(b.snapshot({ ...parts, subnets: [parts.subnets[0]!] })).subnetId).toBeUndefined();
  });

  it.each<[string, Parameters<typeof b.snapshot>[0], string]>([
    [
      'two owners and no providerID',
      { nodes: [b.node('n1', VTEP)], interfaces: [b.port('port-b', VTEP, { instanceId: 'srv-2' }), b.port('port-a', VTEP, { instanceId: 'srv-1' })] },
      `ambiguous: address ${VTEP} (VTEP of node n1) is owned by port-a and port-b; the node has no providerID to choose between them`,
    ],
    [
      'two ports with covering pairs and no providerID',
      {
        nodes: [b.node('n1', VTEP)],
        interfaces: [b.port('port-a', '10.0.1.5', { allowedAddressPairs: ['10.0.1.0/24'] }), b.port('port-b', '10.0.1.6', { allowedAddressPairs: ['0.0.0.0/0'] })],
      },
      `ambiguous: address ${VTEP} (VTEP of node n1) is an allowed-address pair of port-a (allowed-address pair 10.0.1.0/24) and port-b (allowed-address pair 0.0.0.0/0); the node has no providerID`,
    ],
    [
      'two owners on the claimed server',
      {
        nodes: [b.node('n1', VTEP, { providerId: server('srv-1') })],
        interfaces: [b.port('port-a', VTEP, { instanceId: 'srv-1' }), b.port('port-b', VTEP, { instanceId: 'srv-1' })],
      },
      'is owned by port-a and port-b; all of them belong to srv-1',
    ],
    [
      'two owners without device ids, providerID has nothing to compare',
      { nodes: [b.node('n1', VTEP, { providerId: server('srv-1') })], interfaces: [b.port('port-a', VTEP), b.port('port-b', VTEP)] },
      'none of them names the instance to compare with providerID srv-1',
    ],
  ])('ambiguous: %s', (_name, parts, reason) => {
    const binding = bindingOf(b.snapshot(parts));
    expect(binding).toMatchObject({ kind: 'unbound', cause: 'ambiguous' });
    expect(binding.kind === 'unbound' && binding.reason).toContain(reason);
  });

  it('an owner on another server is a providerID mismatch, naming the owner and its server', () => {
    const s = b.snapshot({ nodes: [b.node('n1', VTEP, { providerId: server('srv-1') })], interfaces: [b.port('port-a', VTEP, { instanceId: 'srv-9' })] });
    expect(bindingOf(s)).toEqual({
      kind: 'unbound',
      cause: 'provider-id-mismatch',
      reason: `node n1 has providerID instance srv-1, but its VTEP address ${VTEP} is owned by port-a, which belongs to srv-9`,
    });
  });

  it('a pair on another server does not bind a node that claims its own', () => {
    const s = b.snapshot({ nodes: [b.node('n1', VTEP, { providerId: server('srv-1') })], interfaces: [b.port('port-a', '10.0.1.5', { instanceId: 'srv-9', allowedAddressPairs: ['10.0.0.0/8'] })] });
    expect(bindingOf(s)).toMatchObject({ kind: 'unbound', cause: 'no-match' });
  });

  it('AWS delegated prefixes (the same model field) do not bind: they serve pods, and group references ignore them', () => {
    const s = b.snapshot({ nodes: [b.node('n1', VTEP)], interfaces: [b.eni('eni-a', '10.0.1.5', { allowedAddressPairs: ['10.0.1.48/28'] })] });
    expect(bindingOf(s)).toMatchObject({ kind: 'unbound', cause: 'no-match' });
  });

  it('a pair-bound node is a member of its port’s group: a remote-group rule admits its VTEP', () => {
    const s = b.snapshot({
      nodes: [b.node('n1', VTEP), b.node('n2', '10.0.1.60')],
      interfaces: [
        b.port('port-1', '10.0.1.5', { groups: ['sg-nodes'], allowedAddressPairs: [`${VTEP}/32`] }),
        b.port('port-2', '10.0.1.6', { groups: ['sg-nodes'], allowedAddressPairs: ['10.0.1.60/32'] }),
      ],
      groups: [b.neutronSg('sg-nodes', [b.egressAll(), b.ingress('udp', 8472, b.sgRef('sg-nodes'), { family: 4 })])],
    });
    const cell = pairCell(s, b.flowRequirement());
    expect(cell.verdict).toBe('allowed');
    // Without the pair on the source's port, its VTEP is no member, and the pair is blocked.
    s.cloud.interfaces[0] = { ...s.cloud.interfaces[0]!, allowedAddressPairs: [] };
    s.cloud.interfaces.push(b.port('port-x', VTEP, { groups: ['sg-other'] }));
    expect(pairCell(s, b.flowRequirement())).toMatchObject({ verdict: 'blocked', layer: 'security-group', direction: 'ingress' });
  });
});

describe('binding from native exports', () => {
  it('an EC2 describe-instances ENI carries its secondary private IPs, and a VTEP on one binds to it', () => {
    const { cloud } = translateAwsDocuments([
      {
        name: 'instances.json',
        body: {
          Reservations: [
            {
              Instances: [
                {
                  InstanceId: 'i-0abc',
                  PrivateIpAddress: '10.0.1.5',
                  SubnetId: 'subnet-1',
                  VpcId: 'vpc-1',
                  NetworkInterfaces: [
                    {
                      NetworkInterfaceId: 'eni-0abc',
                      SubnetId: 'subnet-1',
                      VpcId: 'vpc-1',
                      PrivateIpAddress: '10.0.1.5',
                      PrivateIpAddresses: [
                        { PrivateIpAddress: '10.0.1.5', Primary: true },
                        { PrivateIpAddress: '10.0.1.50', Primary: false },
                      ],
                      Groups: [{ GroupId: 'sg-0abc' }],
                      Attachment: { DeviceIndex: 0, InstanceId: 'i-0abc' },
                    },
                  ],
                },
              ],
            },
          ],
        },
      },
    ]);
    expect(cloud.interfaces[0]!.addresses.map((a) => a.ip)).toEqual(['10.0.1.5', '10.0.1.50']);
    const s = b.snapshot({ nodes: [b.node('n1', '10.0.1.50', { providerId: aws('i-0abc') })], interfaces: cloud.interfaces });
    expect(bindNodes(s)[0]!.binding).toMatchObject({ kind: 'bound', ip: '10.0.1.50', subnetId: 'subnet-1', iface: { id: 'eni-0abc' } });
  });
});

describe('the report says how a node was bound', () => {
  it('bindingNote for an allowed-address pair, nothing for a plain own address', () => {
    const s = b.snapshot({
      nodes: [b.node('n1', '10.0.1.50'), b.node('n2', '10.0.1.6')],
      interfaces: [b.port('port-1', '10.0.1.5', { allowedAddressPairs: ['10.0.1.50/32'] }), b.port('port-2', '10.0.1.6')],
    });
    const nodes = reportNodes(evaluate(s, [b.flowRequirement()]));
    expect(nodes.map((n) => [n.name, n.interfaceId, n.bindingNote])).toEqual([
      ['n1', 'port-1', 'VTEP 10.0.1.50 is an allowed-address pair (10.0.1.50/32) of port-1, so Neutron lets that port send from it and counts it as a member of its groups'],
      ['n2', 'port-2', undefined],
    ]);
    expect('bindingNote' in nodes[1]!).toBe(false);
    // openapi.yaml (the report contract) declares the field.
    const { schemas } = specAndSchemas();
    const validate = schemas.validator({ $ref: '#/components/schemas/ReportNode' });
    for (const n of nodes) expect(validate(n), JSON.stringify(validate.errors)).toBe(true);
  });
});
