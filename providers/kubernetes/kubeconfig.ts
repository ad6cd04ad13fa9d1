import { KubeConfig } from '@kubernetes/client-node';

export interface KubeConfigOptions {
  /** kubeconfig file; without it (and without inCluster) the client's default lookup is used (KUBECONFIG, ~/.kube/config, in-cluster). */
  kubeconfig?: string;
  /** Context to use instead of the file's current-context. */
  context?: string;
  /** Use the pod's service account (KUBERNETES_SERVICE_HOST + the mounted token). */
  inCluster?: boolean;
}

export function loadKubeConfig(options: KubeConfigOptions): KubeConfig {
  const kc = new KubeConfig();
  if (options.inCluster) {
    if (options.kubeconfig !== undefined || options.context !== undefined) {
      throw new Error('--in-cluster uses the pod service account; it cannot be combined with --kubeconfig or --context');
    }
    if (!process.env.KUBERNETES_SERVICE_HOST) {
      throw new Error('--in-cluster needs KUBERNETES_SERVICE_HOST, which is set only inside a pod');
    }
    kc.loadFromCluster();
    return kc;
  }
  try {
    if (options.kubeconfig !== undefined) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new Error(`cannot load kubeconfig ${options.kubeconfig ?? '(default location)'}: ${(e as Error).message}`);
  }
  if (options.context !== undefined) {
    if (!kc.getContextObject(options.context)) {
      // NOTE: the other context names are not listed: this message can reach a REST caller,
      // and a kubeconfig's contents (cluster and user names) are not theirs to see.
      throw new Error(
        `context ${JSON.stringify(options.context)} is not in the kubeconfig ${options.kubeconfig ?? '(default location)'}; ` +
          'list its contexts with `kubectl config get-contexts`',
      );
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(`the kubeconfig ${options.kubeconfig ?? '(default location)'} has no current cluster; pass --context`);
  }
  return kc;
}
