/**
 * Hand-written CNI objects shaped like `kubectl get … -o json` prints them for the upstream
 * manifests and charts (calico.yaml, the Tigera operator, cilium's Helm chart, canal.yaml,
 * k3s, RKE2), trimmed to the fields sgaudit reads plus a few it must ignore.
 */
export function node(name: string, ip: string, extra: { annotations?: Record<string, string>; labels?: Record<string, string> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...extra.labels },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', ...extra.annotations },
    },
    spec: { podCIDR: `10.42.${ip.split('.')[3]}.0/24`, podCIDRs: [`10.42.${ip.split('.')[3]}.0/24`] },
    status: { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
  };
}

export function list(...items: Record<string, unknown>[]): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
}

export function configMap(name: string, data: Record<string, string>, namespace = 'kube-system'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace, resourceVersion: '1043' }, data };
}

/** calico.yaml's calico-config (v3.28). */
export function calicoConfig(backend = 'bird', typha = 'none'): Record<string, unknown> {
  return configMap('calico-config', {
    calico_backend: backend,
    typha_service_name: typha,
    veth_mtu: '0',
    cni_network_config: '{\n  "name": "k8s-pod-network",\n  "cniVersion": "0.3.1",\n  "plugins": [{"type": "calico"}]\n}',
  });
}

export function ipPool(name: string, spec: Record<string, unknown>, apiVersion = 'crd.projectcalico.org/v1'): Record<string, unknown> {
  return { apiVersion, kind: 'IPPool', metadata: { name, resourceVersion: '811', generation: 1 }, spec: { blockSize: 26, natOutgoing: true, nodeSelector: 'all()', ...spec } };
}

export function felixConfiguration(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'crd.projectcalico.org/v1', kind: 'FelixConfiguration', metadata: { name: 'default' }, spec: { bpfLogLevel: '', logSeverityScreen: 'Info', reportingInterval: '0s', ...spec } };
}

export function bgpConfiguration(spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'crd.projectcalico.org/v1', kind: 'BGPConfiguration', metadata: { name: 'default' }, spec };
}

export function installation(calicoNetwork: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'operator.tigera.io/v1',
    kind: 'Installation',
    metadata: { name: 'default' },
    spec: { ...(calicoNetwork && { calicoNetwork }), cni: { type: 'Calico' }, ...extra },
  };
}

export function daemonSet(name: string, env: { name: string; value?: string; valueFrom?: unknown }[] = [], namespace = 'kube-system'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace, labels: { 'k8s-app': name } },
    spec: {
      selector: { matchLabels: { 'k8s-app': name } },
      template: { metadata: { labels: { 'k8s-app': name } }, spec: { hostNetwork: true, containers: [{ name, image: `docker.io/example/${name}:v1`, env }] } },
    },
  };
}

export function typhaPod(name: string, nodeName: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'calico-system', labels: { 'k8s-app': 'calico-typha' } },
    spec: { nodeName, hostNetwork: true, containers: [{ name: 'calico-typha', ports: [{ name: 'calico-typha', containerPort: 5473, protocol: 'TCP' }] }] },
    status: { phase: 'Running' },
  };
}

/** The cilium Helm chart's cilium-config (1.15 shape). */
export function ciliumConfig(data: Record<string, string> = {}): Record<string, unknown> {
  return configMap('cilium-config', { 'cluster-name': 'default', 'enable-ipv4': 'true', 'enable-ipv6': 'false', 'routing-mode': 'tunnel', 'tunnel-protocol': 'vxlan', 'enable-health-checking': 'true', ...data });
}

/** canal.yaml's canal-config. */
export function canalConfig(netConf = '{\n  "Network": "10.244.0.0/16",\n  "Backend": {\n    "Type": "vxlan"\n  }\n}'): Record<string, unknown> {
  return configMap('canal-config', { typha_service_name: 'none', calico_backend: 'none', veth_mtu: '0', canal_iface: '', masquerade: 'true', 'net-conf.json': netConf });
}

/** rke2-canal's Secret as `kubectl get secret -o json` prints it (base64 data). */
export function rke2CanalSecret(netConf: string): Record<string, unknown> {
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: 'rke2-canal-config', namespace: 'kube-system', labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    data: { canal_iface: '', masquerade: b64('true'), 'net-conf.json': b64(netConf), typha_service_name: b64('none') },
  };
}
