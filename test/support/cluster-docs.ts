import type { RawDocument } from '../../src/model/documents.js';

/** A `kubectl get nodes -o json` NodeList for nodes whose flannel VTEP is an EC2 instance IP. */
export function nodeListFor(instances: { name: string; ip: string; instanceId: string }[]): RawDocument {
  return {
    name: 'test:nodes.json',
    body: {
      apiVersion: 'v1',
      kind: 'List',
      items: instances.map((n, i) => ({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name: n.name,
          labels: { 'kubernetes.io/os': 'linux' },
          annotations: {
            'flannel.alpha.coreos.com/backend-type': 'vxlan',
            'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"a6:1f:3c:9e:2b:10"}',
            'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
            'flannel.alpha.coreos.com/public-ip': n.ip,
          },
        },
        spec: { podCIDR: `10.244.${i}.0/24`, podCIDRs: [`10.244.${i}.0/24`], providerID: `aws:///us-east-1a/${n.instanceId}` },
        status: { addresses: [{ type: 'InternalIP', address: n.ip }] },
      })),
    },
  };
}

/** The upstream kube-flannel-cfg ConfigMap with a vxlan backend on the Linux default port. */
export function flannelConfigMap(): RawDocument {
  return {
    name: 'test:kube-flannel-cfg.json',
    body: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'kube-flannel-cfg', namespace: 'kube-flannel' },
      data: { 'net-conf.json': JSON.stringify({ Network: '10.244.0.0/16', Backend: { Type: 'vxlan' } }) },
    },
  };
}
