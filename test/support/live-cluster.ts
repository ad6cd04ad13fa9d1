import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flannelNode, startFakeApiServer, vxlanNetConf, writeKubeconfig, type FakeApiServer } from './fake-apiserver.js';
import { MOTO_ENDPOINT } from './moto.js';

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

/**
 * An AWS environment in which moto's credentials exist only under `profile` and instance
 * metadata is off: a collector that did not pass the target's profile to the SDK could not read
 * EC2, and the audit would say so. Returns the function that restores the environment.
 */
export async function motoProfileEnv(profile: string): Promise<() => void> {
  const awsDir = await mkdtemp(join(tmpdir(), 'sgaudit-aws-'));
  await writeFile(join(awsDir, 'credentials'), `[${profile}]\naws_access_key_id = testing\naws_secret_access_key = testing\n`);
  await writeFile(join(awsDir, 'config'), `[profile ${profile}]\noutput = json\n`);
  return scopedEnv(['AWS_'], {
    ...(process.env.AWS_CA_BUNDLE && { AWS_CA_BUNDLE: process.env.AWS_CA_BUNDLE }),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'),
    AWS_CONFIG_FILE: join(awsDir, 'config'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL_EC2: MOTO_ENDPOINT,
    AWS_MAX_ATTEMPTS: '2',
  });
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
