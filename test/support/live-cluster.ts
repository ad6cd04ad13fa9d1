import { flannelNode, startFakeApiServer, vxlanNetConf, writeKubeconfig, type FakeApiServer } from './fake-apiserver.js';

/** The bearer token of the fake Kubernetes API these clusters run; only its kubeconfig carries it. */
const KUBE_TOKEN = 'live-cluster-kube-token';

/**
 * Replaces the process environment's variables with these prefixes by `vars` (the collectors
 * read cloud credentials and endpoints from it, as the AWS CLI and openstacksdk do) and returns
 * the function that puts the old values back.
 */
export function scopedEnv(prefixes: string[], vars: Record<string, string>): () => void {
  const saved = { ...process.env };
  for (const k of Object.keys(process.env)) if (prefixes.some((p) => k.startsWith(p))) delete process.env[k];
  Object.assign(process.env, vars);
  return () => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  };
}

/** A fake Kubernetes API with flannel vxlan nodes whose VTEP is `ip`; an instance id makes it an AWS node. */
export async function fakeCluster(nodes: { name: string; ip: string; instanceId?: string }[]): Promise<{ api: FakeApiServer; kubeconfig: string }> {
  const api = await startFakeApiServer({
    token: KUBE_TOKEN,
    nodes: nodes.map((n, i) => {
      const node = flannelNode(n.name, n.ip, `10.244.${i}.0/24`, n.instanceId ?? 'none');
      // Outside AWS the node carries no aws:/// provider ID; the VTEP annotation is what counts.
      if (n.instanceId === undefined) delete (node.spec as Record<string, unknown>).providerID;
      return node;
    }),
    configMaps: { 'kube-flannel/kube-flannel-cfg': { 'net-conf.json': vxlanNetConf('10.244.0.0/16') } },
  });
  return { api, kubeconfig: await writeKubeconfig(api.server, KUBE_TOKEN) };
}
