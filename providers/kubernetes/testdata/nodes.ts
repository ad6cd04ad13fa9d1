/**
 * Hand-written node objects shaped like `kubectl get nodes -o json` output (trimmed to the fields
 * the translator reads plus a few it must ignore).
 */
export function awsNode(name: string, ip: string, podCIDR: string, extra: { annotations?: Record<string, string>; labels?: Record<string, string> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      resourceVersion: '48213',
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...extra.labels },
      annotations: {
        'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"a6:1f:3c:9e:2b:10"}',
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
        'flannel.alpha.coreos.com/public-ip': ip,
        'node.alpha.kubernetes.io/ttl': '0',
        ...extra.annotations,
      },
    },
    spec: { podCIDR, podCIDRs: [podCIDR], providerID: `aws:///us-east-1a/i-0${name.replace(/\W/g, '')}abc` },
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: `${name}.ec2.internal` },
      ],
      nodeInfo: { kernelVersion: '6.1.0-18-cloud-amd64', osImage: 'Debian GNU/Linux 12 (bookworm)' },
    },
  };
}

export function nodeList(...items: Record<string, unknown>[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}
