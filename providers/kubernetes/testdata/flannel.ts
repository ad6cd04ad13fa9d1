/** Hand-written flannel ConfigMaps shaped like the upstream manifest and Calico's canal.yaml. */
export function kubeFlannelCfg(netConf: string | Record<string, unknown>, name = 'kube-flannel-cfg', namespace = 'kube-flannel'): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { app: 'flannel', 'k8s-app': 'flannel', tier: 'node' } },
    data: {
      'cni-conf.json': '{\n  "name": "cbr0",\n  "cniVersion": "0.3.1",\n  "plugins": [{"type": "flannel", "delegate": {"hairpinMode": true, "isDefaultGateway": true}}, {"type": "portmap", "capabilities": {"portMappings": true}}]\n}\n',
      'net-conf.json': typeof netConf === 'string' ? netConf : JSON.stringify(netConf, null, 2),
    },
  };
}

export const UPSTREAM_NET_CONF = '{\n  "Network": "10.244.0.0/16",\n  "EnableNFTables": false,\n  "Backend": {\n    "Type": "vxlan"\n  }\n}\n';
