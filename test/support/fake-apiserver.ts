import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/**
 * A small stand-in for kube-apiserver: the read paths sgaudit uses, with the real wire shapes
 * (NodeList pages with `metadata.continue`, single objects with kind/apiVersion, typed lists
 * whose items carry none, `Status` bodies for 401/403/404, 404 for a CRD that is not installed).
 * No real API server can be installed on this machine.
 */
export interface FakeApiServerOptions {
  token: string;
  /** Node objects as the API server stores them (no kind/apiVersion: list items carry none). */
  nodes: Record<string, unknown>[];
  /** `namespace/name` -> ConfigMap data. */
  configMaps?: Record<string, Record<string, string>>;
  /** `namespace/name` ConfigMaps, or `nodes`, that answer 403 for this identity. */
  forbidden?: string[];
  /** Any other paths (without the query) that answer 403, e.g. `/api/v1/namespaces/kube-system/secrets/rke2-canal-config`. */
  forbiddenPaths?: string[];
  /** `namespace/name` -> Secret data as written; served base64-encoded, as the API does. */
  secrets?: Record<string, Record<string, string>>;
  /** namespace -> apps/v1 DaemonSets (any kind/apiVersion is stripped: list items carry none). A namespace not given lists empty. */
  daemonSets?: Record<string, Record<string, unknown>[]>;
  /** namespace -> apps/v1 Deployments, like daemonSets. */
  deployments?: Record<string, Record<string, unknown>[]>;
  /** Pods of every namespace, listed at /api/v1/pods with `labelSelector` (equality terms only). */
  pods?: Record<string, unknown>[];
  /**
   * Cluster-scoped custom resources by `group/version/plural` (`crd.projectcalico.org/v1/ippools`),
   * items with their kind. A key not given is a CRD that is not installed: 404.
   */
  customObjects?: Record<string, Record<string, unknown>[]>;
  /** Largest page the server hands out, whatever `limit` asks (real servers cap too). */
  maxPage?: number;
  /**
   * Paths (without the query) that accept the request and never answer, like an API server
   * behind a dead load balancer: `/api/v1/nodes`, `/api/v1/namespaces/kube-flannel/configmaps/kube-flannel-cfg`.
   */
  hang?: string[];
  /** The first `times` requests to `path` answer `status` (503, 429, 500) with a Status body; later ones are served. */
  failFirst?: { path: string; status: number; times: number }[];
}

export interface FakeApiServer {
  server: string;
  /** Every request path with its query, in order. */
  requests: string[];
  /** Requests that are hanging now (their sockets still open). */
  hanging(): number;
  close(): Promise<void>;
}

const USER = 'system:serviceaccount:sgaudit:sgaudit';

export async function startFakeApiServer(opts: FakeApiServerOptions): Promise<FakeApiServer> {
  const requests: string[] = [];
  const forbidden = new Set(opts.forbidden ?? []);
  const forbiddenPaths = new Set(opts.forbiddenPaths ?? []);
  const hang = new Set(opts.hang ?? []);
  const failures = (opts.failFirst ?? []).map((f) => ({ ...f }));
  const hung = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${url.pathname}${url.search}`);
    if (hang.has(url.pathname)) {
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    const failure = failures.find((f) => f.path === url.pathname && f.times > 0);
    if (failure) {
      failure.times -= 1;
      return status(res, failure.status, failure.status === 429 ? 'TooManyRequests' : 'InternalError', `injected ${failure.status}`);
    }
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      return status(res, 401, 'Unauthorized', 'Unauthorized');
    }
    if (req.method !== 'GET') return status(res, 405, 'MethodNotAllowed', `${req.method} is not served here`);
    if (forbiddenPaths.has(url.pathname)) {
      return status(res, 403, 'Forbidden', `${url.pathname} is forbidden: User "${USER}" cannot get this resource`);
    }
    if (serveCniPath(res, url, opts)) return;

    if (url.pathname === '/api/v1/nodes') {
      if (forbidden.has('nodes')) {
        return status(res, 403, 'Forbidden', `nodes is forbidden: User "${USER}" cannot list resource "nodes" in API group "" at the cluster scope`);
      }
      return listNodes(res, url, opts);
    }
    const cm = /^\/api\/v1\/namespaces\/([^/]+)\/configmaps\/([^/]+)$/.exec(url.pathname);
    if (cm) {
      const [, namespace, name] = cm as unknown as [string, string, string];
      const key = `${namespace}/${name}`;
      if (forbidden.has(key)) {
        return status(
          res,
          403,
          'Forbidden',
          `configmaps "${name}" is forbidden: User "${USER}" cannot get resource "configmaps" in API group "" in the namespace "${namespace}"`,
        );
      }
      const data = opts.configMaps?.[key];
      if (!data) return status(res, 404, 'NotFound', `configmaps "${name}" not found`);
      return json(res, 200, {
        kind: 'ConfigMap',
        apiVersion: 'v1',
        metadata: {
          name,
          namespace,
          uid: `0f6c3a7e-0000-4000-8000-${String(namespace.length).padStart(12, '0')}`,
          resourceVersion: '1021',
          creationTimestamp: '2026-01-14T09:30:00Z',
          labels: { app: 'flannel', tier: 'node' },
        },
        data,
      });
    }
    return status(res, 404, 'NotFound', 'the server could not find the requested resource');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server: `http://127.0.0.1:${port}`,
    requests,
    hanging: () => hung.size,
    close: () =>
      new Promise((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        // Hung requests would hold close() open for ever.
        server.closeAllConnections();
      }),
  };
}

/** Secrets, apps/v1 lists, pods and custom resources; false when the path is none of them. */
function serveCniPath(res: ServerResponse, url: URL, opts: FakeApiServerOptions): boolean {
  const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets\/([^/]+)$/.exec(url.pathname);
  if (secret) {
    const [, namespace, name] = secret as unknown as [string, string, string];
    const data = opts.secrets?.[`${namespace}/${name}`];
    if (!data) status(res, 404, 'NotFound', `secrets "${name}" not found`);
    else {
      const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'utf8').toString('base64')]));
      // As `kubectl apply` leaves it: the annotation repeats the data in clear.
      const lastApplied = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, stringData: data });
      const metadata = { name, namespace, resourceVersion: '2210', creationTimestamp: '2026-01-14T09:30:00Z', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } };
      json(res, 200, { kind: 'Secret', apiVersion: 'v1', type: 'Opaque', metadata, data: encoded });
    }
    return true;
  }
  const apps = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/(daemonsets|deployments)$/.exec(url.pathname);
  if (apps) {
    const [, namespace, resource] = apps as unknown as [string, string, 'daemonsets' | 'deployments'];
    const items = (resource === 'daemonsets' ? opts.daemonSets : opts.deployments)?.[namespace] ?? [];
    json(res, 200, { kind: resource === 'daemonsets' ? 'DaemonSetList' : 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '48213' }, items: items.map(asListItem) });
    return true;
  }
  if (url.pathname === '/api/v1/pods') {
    const terms = (url.searchParams.get('labelSelector') ?? '').split(',').filter((t) => t !== '').map((t) => t.split('=') as [string, string]);
    const matches = (pod: Record<string, unknown>): boolean => {
      const labels = ((pod.metadata as { labels?: Record<string, string> } | undefined)?.labels ?? {});
      return terms.every(([k, v]) => labels[k] === v);
    };
    json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '48213' }, items: (opts.pods ?? []).filter(matches).map(asListItem) });
    return true;
  }
  const custom = /^\/apis\/([^/]+\.[^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
  if (custom && custom[1] !== 'apps') {
    const [, group, version, plural] = custom as unknown as [string, string, string, string];
    const items = opts.customObjects?.[`${group}/${version}/${plural}`];
    if (!items) status(res, 404, 'NotFound', 'the server could not find the requested resource');
    else json(res, 200, { apiVersion: `${group}/${version}`, kind: `${String(items[0]?.kind ?? 'Object')}List`, metadata: { continue: '', resourceVersion: '48213' }, items });
    return true;
  }
  return false;
}

function asListItem(item: Record<string, unknown>): Record<string, unknown> {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = item;
  return rest;
}

function listNodes(res: ServerResponse, url: URL, opts: FakeApiServerOptions): void {
  const cap = opts.maxPage ?? 500;
  const limitParam = url.searchParams.get('limit');
  const limit = Math.min(limitParam ? Number(limitParam) : opts.nodes.length || 1, cap);
  const token = url.searchParams.get('continue');
  let offset = 0;
  if (token) {
    const decoded = /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8'));
    if (!decoded) return status(res, 410, 'Expired', 'The provided continue parameter is too old or invalid');
    offset = Number(decoded[1]);
  }
  const end = offset + limit;
  const metadata: Record<string, unknown> = { resourceVersion: '48213' };
  if (end < opts.nodes.length) {
    metadata.continue = Buffer.from(`offset:${end}`).toString('base64');
    metadata.remainingItemCount = opts.nodes.length - end;
  }
  json(res, 200, { kind: 'NodeList', apiVersion: 'v1', metadata, items: opts.nodes.slice(offset, end) });
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/**
 * Writes a kubeconfig with a token user and two contexts: `fake` (this server) and
 * `elsewhere` (current-context, a closed port) so tests prove `--context` is honoured.
 */
export async function writeKubeconfig(server: string, token: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sgaudit-kube-'));
  const file = join(dir, 'kubeconfig.yaml');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'elsewhere',
    clusters: [
      // client-node refuses plain http unless TLS verification is explicitly off.
      { name: 'fake', cluster: { server, 'insecure-skip-tls-verify': true } },
      { name: 'closed', cluster: { server: 'http://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
    ],
    users: [{ name: 'auditor', user: { token } }],
    contexts: [
      { name: 'fake', context: { cluster: 'fake', user: 'auditor' } },
      { name: 'elsewhere', context: { cluster: 'closed', user: 'auditor' } },
    ],
  };
  await writeFile(file, stringify(config));
  return file;
}

/** A node as the API server returns it, annotated by flannel (vxlan). */
export function flannelNode(name: string, vtepIp: string, podCidr: string, instanceId: string): Record<string, unknown> {
  return {
    metadata: {
      name,
      uid: `6b1c2e90-${name.length.toString().padStart(4, '0')}-4000-8000-000000000000`,
      resourceVersion: '48100',
      creationTimestamp: '2026-01-14T09:31:12Z',
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' },
      annotations: {
        'flannel.alpha.coreos.com/backend-type': 'vxlan',
        'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"a6:1f:3c:9e:2b:10"}',
        'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
        'flannel.alpha.coreos.com/public-ip': vtepIp,
        'node.alpha.kubernetes.io/ttl': '0',
      },
    },
    spec: { podCIDR: podCidr, podCIDRs: [podCidr], providerID: `aws:///us-east-1a/${instanceId}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: vtepIp },
        { type: 'Hostname', address: name },
      ],
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime: '2026-11-26T03:00:00Z',
          lastTransitionTime: '2026-01-14T09:32:00Z',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ],
      nodeInfo: {
        architecture: 'amd64',
        kernelVersion: '6.1.0-18-cloud-amd64',
        kubeletVersion: 'v1.31.4',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        operatingSystem: 'linux',
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeProxyVersion: 'v1.31.4',
        machineID: 'ec2a0c0ffee0000000000000000000aa',
        systemUUID: 'ec2a0c0f-fee0-0000-0000-0000000000aa',
        bootID: '1d1c1b1a-0000-4000-8000-000000000000',
      },
    },
  };
}

export function vxlanNetConf(network = '10.244.0.0/16', port?: number): string {
  const backend: Record<string, unknown> = { Type: 'vxlan' };
  if (port !== undefined) backend.Port = port;
  return JSON.stringify({ Network: network, EnableNFTables: false, Backend: backend }, null, 2);
}
