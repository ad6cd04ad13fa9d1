/**
 * Fault tier for the Kubernetes API: the fake API server (real @kubernetes/client-node on the
 * client side) hangs or fails chosen paths. Reads are retried within the deadline; a read that
 * cannot finish in time stops the collection with "timed out after N s", and no socket is left
 * open behind it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { collectKubernetes } from '../../providers/kubernetes/collect.js';
import { KubernetesAccessError } from '../../providers/kubernetes/collect-errors.js';
import { CollectionDeadline } from '../../src/model/deadline.js';
import { flannelNode, startFakeApiServer, vxlanNetConf, writeKubeconfig, type FakeApiServer, type FakeApiServerOptions } from '../support/fake-apiserver.js';
import { runCli, writeDocs } from './aws-cli-support.js';
import { flannelConfigMap } from '../support/cluster-docs.js';

const TOKEN = 'fault-tier-token';
const NODES = '/api/v1/nodes';
const FLANNEL_CM = '/api/v1/namespaces/kube-flannel/configmaps/kube-flannel-cfg';
let api: FakeApiServer | undefined;

afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function serve(opts: Partial<FakeApiServerOptions>): Promise<string> {
  api = await startFakeApiServer({
    token: TOKEN,
    nodes: [flannelNode('node-0', '172.16.10.10', '10.244.0.0/24', 'i-0abc0000000000000')],
    configMaps: { 'kube-flannel/kube-flannel-cfg': { 'net-conf.json': vxlanNetConf() } },
    ...opts,
  });
  return writeKubeconfig(api.server, TOKEN);
}

async function collectWithin(kubeconfig: string, requestTimeoutMs: number, deadlineMs: number) {
  const deadline = new CollectionDeadline({ requestTimeoutMs, deadlineMs });
  const started = performance.now();
  try {
    const result = await collectKubernetes({ kubeconfig, context: 'fake', deadline }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return { ...result, seconds: (performance.now() - started) / 1000 };
  } finally {
    deadline.dispose();
  }
}

describe('Kubernetes API faults', () => {
  it('nodes hung: three attempts of 0.5 s, then a timed-out access error naming the server; no socket left open', async () => {
    const kubeconfig = await serve({ hang: [NODES] });
    const r = await collectWithin(kubeconfig, 500, 10_000);
    expect('error' in r).toBe(true);
    const error = (r as { error: unknown }).error as KubernetesAccessError;
    expect(error).toBeInstanceOf(KubernetesAccessError);
    expect(error.timedOut).toBe(true);
    expect(error.message).toBe(`cannot list nodes on ${api!.server}: timed out after 0.5 s (3 attempts)`);
    expect(api!.requests.filter((p) => p.startsWith(NODES))).toHaveLength(3);
    // 3 x 0.5 s plus two short back-offs, far from the 10 s deadline.
    expect(r.seconds).toBeGreaterThanOrEqual(1.5);
    expect(r.seconds).toBeLessThan(3);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(api!.hanging()).toBe(0);
  });

  it('nodes hung past the deadline: the deadline ends it, with the deadline as the cause', async () => {
    const kubeconfig = await serve({ hang: [NODES] });
    const r = await collectWithin(kubeconfig, 20_000, 1500);
    const error = (r as { error: unknown }).error as KubernetesAccessError;
    expect(error.timedOut).toBe(true);
    expect(error.message).toBe(`cannot list nodes on ${api!.server}: timed out after 1.5 s (collection deadline)`);
    expect(r.seconds).toBeLessThan(1.5 + 1);
    expect(api!.requests.filter((p) => p.startsWith(NODES))).toHaveLength(1);
  });

  it('the flannel ConfigMap hung: a timed-out access error, not the annotation fallback a 404 gets', async () => {
    const kubeconfig = await serve({ hang: [FLANNEL_CM] });
    const r = await collectWithin(kubeconfig, 400, 10_000);
    const error = (r as { error: unknown }).error as KubernetesAccessError;
    expect(error).toBeInstanceOf(KubernetesAccessError);
    expect(error.timedOut).toBe(true);
    expect(error.message).toBe(`cannot read ConfigMap kube-flannel/kube-flannel-cfg on ${api!.server}: timed out after 0.4 s (3 attempts)`);
  });

  it('503 twice, then the list: retried within the deadline, the collection succeeds', async () => {
    const kubeconfig = await serve({ failFirst: [{ path: NODES, status: 503, times: 2 }] });
    const r = await collectWithin(kubeconfig, 2000, 10_000);
    expect('value' in r).toBe(true);
    const result = (r as { value: Awaited<ReturnType<typeof collectKubernetes>> }).value;
    expect((result.nodes[0]!.body as { items: unknown[] }).items).toHaveLength(1);
    // 3 node requests (two 503s) + 1 ConfigMap read + the 10 CNI reads (all 404 here).
    expect(result.calls).toBe(14);
  });

  it('503 on every attempt: the server error after 3 attempts, not a timeout', async () => {
    const kubeconfig = await serve({ failFirst: [{ path: NODES, status: 503, times: 10 }] });
    const r = await collectWithin(kubeconfig, 2000, 10_000);
    const error = (r as { error: unknown }).error as KubernetesAccessError;
    expect(error.timedOut).toBe(false);
    expect(error.status).toBe(503);
    expect(error.message).toBe(`cannot list nodes on ${api!.server}: HTTP 503 (injected 503) (3 attempts)`);
  });

  it('403 is not retried: one request, the RBAC hint', async () => {
    const kubeconfig = await serve({ forbidden: ['nodes'] });
    const r = await collectWithin(kubeconfig, 2000, 10_000);
    expect(((r as { error: unknown }).error as KubernetesAccessError).status).toBe(403);
    expect(api!.requests).toHaveLength(1);
  });

  it('CLI audit with a hung API server: ends within the deadline with "timed out after" on stderr and exit 2', async () => {
    const [flannel] = writeDocs([flannelConfigMap()]);
    const args = (kubeconfig: string) => ['audit', '--kubeconfig', kubeconfig, '--context', 'fake', '--flannel', flannel!, '--format', 'json', '--deadline', '3', '--request-timeout', '20'];
    // The same command against a healthy server, under the same machine load: starting node,
    // tsx and the live collectors takes seconds on a busy runner, and is not the deadline's part.
    const healthy = await runCli(args(await serve({})), {});
    expect(healthy.code).toBe(0); // one node: no pairs to judge
    await api!.close();

    const kubeconfig = await serve({ hang: [NODES] });
    const run = await runCli(args(kubeconfig), {});
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(`sgaudit: cannot list nodes on ${api!.server}: timed out after 3 s (collection deadline)\n`);
    expect(run.seconds - healthy.seconds).toBeLessThan(3 + 5);
    expect(run.seconds - healthy.seconds).toBeGreaterThan(2);
    expect(run.lingerSeconds).toBeLessThan(1);
    expect(api!.hanging()).toBe(0);
  });
});
