import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { bearer, incidentBody, testApp } from '../support/http-app.js';
import { expectConformsToSpec } from '../support/openapi-response.js';

type Body = ReturnType<typeof incidentBody>;

async function post(body: Body) {
  const { app } = await testApp();
  const res = await request(app).post('/v1/audits').set('Authorization', bearer('audit')).send(body);
  expectConformsToSpec(res, 'createAudit');
  return res;
}

const firstNode = (body: Body) => (body.inputs['nodes'] as { items: { metadata: { name: string } }[] }).items[0]!.metadata;

describe('inputs the providers would never produce get 422 invalid-input with pointer, value and reason', () => {
  it('a NUL byte in a node name', async () => {
    const body = incidentBody();
    firstNode(body).name = 'worker\u0000-1';
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body.type).toBe('/docs#problem-invalid-input');
    expect(res.body.errors).toContainEqual({
      pointer: '/inputs/nodes/items/0/metadata/name',
      value: 'worker\u0000-1',
      reason: 'metadata.name contains the control character U+0000 at position 6; Kubernetes names are DNS subdomains',
    });
  });

  it('a 200 KB node name: 422 with the length and the limit, and an answer of a few KB, not a 500', async () => {
    const body = incidentBody();
    firstNode(body).name = 'n'.repeat(200_000);
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual(expect.objectContaining({ pointer: '/inputs/nodes/items/0/metadata/name', reason: 'metadata.name is 200000 characters long; Kubernetes allows at most 253 (a DNS subdomain)' }));
    expect(res.text.length).toBeLessThan(10_000);
  });

  it('IpPermissions: null and an ENI PrivateIpAddress "not-an-ip"', async () => {
    const body = incidentBody();
    body.inputs['aws'] = [
      { SecurityGroups: [{ GroupId: 'sg-1', IpPermissions: null }] },
      { NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', SubnetId: 'subnet-a', PrivateIpAddress: 'not-an-ip', PrivateIpAddresses: [{ PrivateIpAddress: '172.16.10.11' }], Groups: [] }] },
    ];
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([
        { pointer: '/inputs/aws/0/SecurityGroups/0/IpPermissions', value: null, reason: 'expected "IpPermissions" to be a list when present' },
        { pointer: '/inputs/aws/1/NetworkInterfaces/0/PrivateIpAddress', value: 'not-an-ip', reason: '"PrivateIpAddress" is not a valid IP address' },
      ]),
    );
  });

  it('security_group_rules: null in a Neutron group', async () => {
    const body = incidentBody();
    const groups = (body.inputs['openstack'] as { security_groups?: Record<string, unknown>[] }[]).find((d) => d.security_groups)!;
    groups.security_groups![0]!['security_group_rules'] = null;
    const res = await post(body);
    expect(res.status).toBe(422);
    expect(res.body.errors).toContainEqual({ pointer: '/inputs/openstack/1/security_groups/0/security_group_rules', value: null, reason: '"security_group_rules" must be an array' });
  });
});
