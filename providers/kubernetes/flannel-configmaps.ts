/** A ConfigMap that may hold flannel's `net-conf.json`. */
export interface ConfigMapRef {
  namespace: string;
  name: string;
}

/**
 * Where flannel installs keep net-conf.json, in lookup order: the upstream manifest and chart
 * since v0.19 (`kube-flannel`), older manifests (`kube-system`), and Calico's Canal manifest.
 */
export const DEFAULT_FLANNEL_CONFIGMAPS: readonly ConfigMapRef[] = [
  { namespace: 'kube-flannel', name: 'kube-flannel-cfg' },
  { namespace: 'kube-system', name: 'kube-flannel-cfg' },
  { namespace: 'kube-system', name: 'canal-config' },
];

export function formatConfigMapRef(ref: ConfigMapRef): string {
  return `${ref.namespace}/${ref.name}`;
}

/** Parses `namespace/name`, as the CLI's `--flannel-configmap` takes it. */
export function parseConfigMapRef(text: string): ConfigMapRef {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text);
  if (!match) {
    throw new Error(`expected a ConfigMap as namespace/name (lower-case DNS labels), got ${JSON.stringify(text)}`);
  }
  return { namespace: match[1]!, name: match[3]! };
}
