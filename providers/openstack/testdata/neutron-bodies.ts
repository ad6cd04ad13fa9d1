/**
 * Builders for Neutron v2.0 bodies in tests, shaped like real API responses
 * (uuid ids, project/tenant ids, revision numbers, timestamps).
 */
export const PROJECT_ID = '8e2c4f1a7b3d4e5f9a0b1c2d3e4f5a6b';
export const GROUP_ID = '9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d';
export const OTHER_GROUP_ID = '1d7c9a2e-3f4b-4a5c-8d6e-7f8091a2b3c4';
export const RULE_ID = '7d2e9c1a-4b5f-4e6a-8c3d-2f1e0a9b8c03';

export type Body = Record<string, unknown>;

export function neutronRule(overrides: Body = {}): Body {
  return {
    id: RULE_ID,
    tenant_id: PROJECT_ID,
    security_group_id: GROUP_ID,
    ethertype: 'IPv4',
    direction: 'ingress',
    protocol: 'udp',
    port_range_min: 8472,
    port_range_max: 8472,
    remote_ip_prefix: null,
    remote_address_group_id: null,
    normalized_cidr: null,
    remote_group_id: GROUP_ID,
    standard_attr_id: 1013,
    description: 'flannel vxlan',
    tags: [],
    created_at: '2026-09-14T08:05:13Z',
    updated_at: '2026-09-14T08:05:13Z',
    revision_number: 0,
    project_id: PROJECT_ID,
    belongs_to_default_sg: false,
    ...overrides,
  };
}

export function neutronGroup(rules: Body[], overrides: Body = {}): Body {
  return {
    id: GROUP_ID,
    name: 'k8s-nodes',
    stateful: true,
    tenant_id: PROJECT_ID,
    description: 'Kubernetes node-to-node traffic',
    shared: false,
    security_group_rules: rules,
    tags: [],
    created_at: '2026-09-14T08:04:00Z',
    updated_at: '2026-09-20T10:00:00Z',
    revision_number: rules.length + 1,
    project_id: PROJECT_ID,
    ...overrides,
  };
}

export function neutronPort(overrides: Body = {}): Body {
  return {
    admin_state_up: true,
    allowed_address_pairs: [],
    'binding:host_id': 'compute-03',
    'binding:vif_type': 'ovs',
    'binding:vnic_type': 'normal',
    created_at: '2026-09-14T08:12:44Z',
    description: '',
    device_id: '7c2b4e6f-0a1d-4b3c-8e5f-6a7b8c9d0e02',
    device_owner: 'compute:nova',
    fixed_ips: [{ ip_address: '172.16.10.12', subnet_id: 'c3a0e7b4-2d5f-4b6a-8e91-7f0d3c2b1a10' }],
    id: '2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5c62',
    mac_address: 'fa:16:3e:71:8a:02',
    name: 'k8s-node-2-port',
    network_id: '6f3c2a1b-0e9d-4c8b-a7f6-5e4d3c2b1a00',
    port_security_enabled: true,
    project_id: PROJECT_ID,
    revision_number: 4,
    security_groups: [GROUP_ID],
    status: 'ACTIVE',
    tags: [],
    tenant_id: PROJECT_ID,
    updated_at: '2026-09-14T08:13:10Z',
    ...overrides,
  };
}
