/**
 * Tier `helm`: the chart in deploy/helm/sgaudit through the real helm binary (helm lint, helm
 * template) with the default values and with test/deploy/values-full.yaml, and the rendered
 * manifests read back: names, the probe port wiring, agents on every node, nobody root, the
 * shutdown budget, and the generated config file checked by the server's own parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/http/config-file.js';
import { resolveSettings, SETTINGS } from '../../src/http/settings.js';
import { requireTier } from '../support/tier.js';
import { CHART_DIR, findHelm, helm, KUBE_VERSION, one, podTemplate, render, REPO_ROOT, selects, type Container, type Manifest, type PodTemplate } from './rendered-chart.js';

const helmBin = findHelm();
const ok = requireTier('helm', helmBin !== undefined, 'no helm binary (HELM_BIN, /usr/local/bin, ~/go/bin, PATH); run test/services/helm/setup.sh');
const FULL_VALUES = join(REPO_ROOT, 'test', 'deploy', 'values-full.yaml');
const HOST_NETWORK_REASON = 'sgaudit.io/host-network-reason';

/** One rendering and what each check needs from it. */
interface Case {
  label: string;
  args: string[];
  release: string;
  prefix: string;
  clusterName: string;
  probePort: number;
  values: Record<string, unknown>;
}

const chartValues = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const fullValues = parse(readFileSync(FULL_VALUES, 'utf8')) as Record<string, unknown>;

const CASES: Case[] = [
  { label: 'default values', args: ['prod', CHART_DIR, '--namespace', 'sgaudit'], release: 'prod', prefix: 'prod-sgaudit', clusterName: 'in-cluster', probePort: 9472, values: chartValues },
  { label: 'full values', args: ['rel', CHART_DIR, '--namespace', 'netsec', '-f', FULL_VALUES], release: 'rel', prefix: 'audit', clusterName: 'prod-eu', probePort: 9500, values: fullValues },
];

function envOf(c: Container): Map<string, NonNullable<Container['env']>[number]> {
  return new Map((c.env ?? []).map((e) => [e.name, e]));
}

function serverContainer(m: Manifest[], prefix: string): Container {
  return podTemplate(one(m, 'Deployment', prefix)).spec.containers.find((c) => c.name === 'server') as Container;
}

function agentContainer(m: Manifest[], prefix: string): Container {
  return podTemplate(one(m, 'DaemonSet', `${prefix}-probe-agent`)).spec.containers.find((c) => c.name === 'agent') as Container;
}

/** The config file as the server would read it, with every variable the Deployment fills from a Secret set to a dummy. */
function loadRenderedConfig(m: Manifest[], prefix: string) {
  const text = one(m, 'ConfigMap', `${prefix}-config`).data?.['sgaudit.yaml'];
  if (text === undefined) throw new Error('the ConfigMap has no sgaudit.yaml');
  const fromSecrets = (serverContainer(m, prefix).env ?? []).filter((e) => e.valueFrom?.secretKeyRef);
  const env = Object.fromEntries(fromSecrets.map((e) => [e.name, `dummy-${e.name.toLowerCase()}-0123456789abcdef`]));
  const body = parse(text) as { clusters: Record<string, { probe?: { agentPort?: number; secretEnv: string } }>; tokens: { tokenEnv?: string }[] };
  return { body, env, config: parseConfig(body, '/etc/sgaudit/sgaudit.yaml', env) };
}

describe.skipIf(!ok)('Helm chart deploy/helm/sgaudit', () => {
  const bin = helmBin as string;
  const rendered = new Map<string, Manifest[]>();

  beforeAll(async () => {
    for (const c of CASES) rendered.set(c.label, await render(bin, c.args));
  }, 60_000);

  it.each([
    ['default values', [] as string[]],
    ['full values', ['-f', FULL_VALUES]],
  ])('helm lint --strict passes with the %s', async (_label, extra) => {
    const out = await helm(bin, ['lint', '--strict', CHART_DIR, '--kube-version', KUBE_VERSION, ...extra]);
    expect(out.stderr + out.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(out.ok).toBe(true);
  });

  it('renders exactly the expected objects with the default values', () => {
    const m = rendered.get('default values') as Manifest[];
    const names = m.map((x) => `${x.kind} ${x.metadata.namespace ?? '-'}/${x.metadata.name}`).sort();
    expect(names).toEqual(
      [
        'ClusterRole -/prod-sgaudit-read-cni',
        'ClusterRole -/prod-sgaudit-read-nodes',
        'ClusterRoleBinding -/prod-sgaudit-read-cni',
        'ClusterRoleBinding -/prod-sgaudit-read-nodes',
        'ConfigMap sgaudit/prod-sgaudit-config',
        'DaemonSet sgaudit/prod-sgaudit-probe-agent',
        'Deployment sgaudit/prod-sgaudit',
        'NetworkPolicy sgaudit/prod-sgaudit-probe-agent',
        'PodDisruptionBudget sgaudit/prod-sgaudit',
        'Role kube-flannel/prod-sgaudit-read-flannel-config',
        'Role kube-system/prod-sgaudit-read-cni',
        'Role kube-system/prod-sgaudit-read-flannel-config',
        'RoleBinding kube-flannel/prod-sgaudit-read-flannel-config',
        'RoleBinding kube-system/prod-sgaudit-read-cni',
        'RoleBinding kube-system/prod-sgaudit-read-flannel-config',
        'Service sgaudit/prod-sgaudit',
        'ServiceAccount sgaudit/prod-sgaudit',
        'ServiceAccount sgaudit/prod-sgaudit-probe-agent',
      ].sort(),
    );
  });

  it('renders the optional objects of the full values: ServiceMonitor, one flannel Role, no PVC with PostgreSQL', () => {
    const m = rendered.get('full values') as Manifest[];
    const kinds = m.map((x) => `${x.kind} ${x.metadata.namespace ?? '-'}/${x.metadata.name}`);
    expect(kinds).toContain('ServiceMonitor netsec/audit');
    expect(kinds.filter((k) => k.startsWith('Role '))).toEqual(['Role kube-system/audit-read-cni', 'Role kube-flannel/audit-read-flannel-config']);
    expect(kinds.some((k) => k.startsWith('PersistentVolumeClaim'))).toBe(false);
    const sm = one(m, 'ServiceMonitor');
    const endpoint = (sm.spec?.endpoints as { port: string; path: string; authorization: { type: string; credentials: { name: string; key: string } } }[])[0];
    const servicePorts = one(m, 'Service', 'audit').spec?.ports as { name: string; port: number }[];
    expect(servicePorts.map((p) => p.name)).toContain(endpoint?.port);
    expect(endpoint).toMatchObject({ path: '/metrics', authorization: { type: 'Bearer', credentials: { name: 'sgaudit-api-tokens', key: 'grafana' } } });
  });

  describe.each(CASES)('with the $label', (c) => {
    const m = (): Manifest[] => rendered.get(c.label) as Manifest[];

    it('wires one probe port through the DaemonSet, the NetworkPolicy and the service config', () => {
      const ds = one(m(), 'DaemonSet', `${c.prefix}-probe-agent`);
      const agent = agentContainer(m(), c.prefix);
      expect(agent.args).toContain(`--port=${c.probePort}`);
      expect(agent.ports).toEqual([
        { name: 'control', containerPort: c.probePort, protocol: 'TCP' },
        { name: 'probe', containerPort: c.probePort, protocol: 'UDP' },
      ]);
      expect(agent.readinessProbe?.tcpSocket?.port).toBe(c.probePort);

      const np = one(m(), 'NetworkPolicy', `${c.prefix}-probe-agent`);
      const spec = np.spec as { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[]; ingress: { from?: { podSelector?: { matchLabels: Record<string, string> } }[]; ports: { protocol: string; port: number }[] }[] };
      expect(spec.policyTypes).toEqual(['Ingress']);
      const agentLabels = podTemplate(ds).metadata.labels;
      const serverLabels = podTemplate(one(m(), 'Deployment', c.prefix)).metadata.labels;
      expect(selects(spec.podSelector.matchLabels, agentLabels)).toBe(true);
      expect(selects(spec.podSelector.matchLabels, serverLabels)).toBe(false);
      // Every rule that opens the control port (TCP) names its sources, and the service's pods are among them; agents are not.
      const tcpRules = spec.ingress.filter((r) => r.ports.some((p) => p.protocol === 'TCP'));
      expect(tcpRules).toHaveLength(1);
      expect(tcpRules[0]?.ports).toEqual([{ protocol: 'TCP', port: c.probePort }]);
      const peers = tcpRules[0]?.from ?? [];
      expect(peers.length).toBeGreaterThan(0);
      const podPeers = peers.filter((p) => p.podSelector).map((p) => p.podSelector?.matchLabels as Record<string, string>);
      expect(podPeers.some((sel) => selects(sel, serverLabels))).toBe(true);
      expect(podPeers.some((sel) => selects(sel, agentLabels))).toBe(false);
      const udpRules = spec.ingress.filter((r) => r.ports.some((p) => p.protocol === 'UDP'));
      expect(udpRules.map((r) => r.ports)).toEqual([[{ protocol: 'UDP', port: c.probePort }]]);

      const { config } = loadRenderedConfig(m(), c.prefix);
      const self = config.clusters.find((x) => x.name === c.clusterName);
      expect(self?.kubernetes).toEqual({ kind: 'in-cluster' });
      expect(self?.probe?.agentPort).toBe(c.probePort);
    });

    it('passes the same probe secret to the agents (file) and to the service (the env var the config names)', () => {
      const probe = c.values.probe as { existingSecret?: string; secretKey?: string } | undefined;
      const secretName = probe?.existingSecret ?? (chartValues.probe as { existingSecret: string }).existingSecret;
      const secretKey = probe?.secretKey ?? (chartValues.probe as { secretKey: string }).secretKey;
      const ds = podTemplate(one(m(), 'DaemonSet', `${c.prefix}-probe-agent`));
      const mount = agentContainer(m(), c.prefix).volumeMounts?.find((v) => v.name === 'secret');
      expect(ds.spec.volumes?.find((v) => v.name === 'secret')?.secret?.secretName).toBe(secretName);
      expect(agentContainer(m(), c.prefix).args).toContain(`--secret-file=${mount?.mountPath}/${secretKey}`);

      const { body } = loadRenderedConfig(m(), c.prefix);
      const secretEnv = body.clusters[c.clusterName]?.probe?.secretEnv as string;
      expect(envOf(serverContainer(m(), c.prefix)).get(secretEnv)?.valueFrom?.secretKeyRef).toEqual({ name: secretName, key: secretKey });
    });

    it('runs an agent on every node: tolerates every taint, no node selector or affinity by default', () => {
      const spec = podTemplate(one(m(), 'DaemonSet', `${c.prefix}-probe-agent`)).spec;
      expect(spec.tolerations).toContainEqual({ operator: 'Exists' });
      expect(spec.nodeSelector ?? {}).toEqual({});
      expect(spec.affinity).toBeUndefined();
      expect(spec.hostNetwork).toBe(true);
      expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    });

    it('runs no container as root, privileged or with added capabilities; host networking carries its reason', () => {
      const workloads = m().filter((x) => ['Deployment', 'DaemonSet', 'StatefulSet', 'Job', 'CronJob'].includes(x.kind));
      expect(workloads.map((w) => w.kind).sort()).toEqual(['DaemonSet', 'Deployment']);
      for (const w of workloads) {
        const pod: PodTemplate = podTemplate(w);
        for (const ctr of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
          const where = `${w.kind}/${w.metadata.name} container ${ctr.name}`;
          const sc = { ...pod.spec.securityContext, ...ctr.securityContext };
          expect(sc.runAsNonRoot, where).toBe(true);
          expect(sc.runAsUser, where).toBeGreaterThan(0);
          expect(sc.privileged ?? false, where).toBe(false);
          expect(sc.allowPrivilegeEscalation, where).toBe(false);
          expect(sc.readOnlyRootFilesystem, where).toBe(true);
          expect(sc.capabilities?.drop, where).toContain('ALL');
          expect(sc.capabilities?.add ?? [], where).toEqual([]);
        }
        expect(pod.spec.hostPID ?? false).toBe(false);
        expect(pod.spec.hostIPC ?? false).toBe(false);
        if (pod.spec.hostNetwork) {
          expect(w.kind).toBe('DaemonSet');
          const device = (c.values.agent as { overlayDevice: string }).overlayDevice;
          expect(pod.metadata.annotations?.[HOST_NETWORK_REASON]).toContain(`node's own ${device} device`);
          expect(pod.metadata.annotations?.[HOST_NETWORK_REASON]).toMatch(/non-root/);
        }
      }
    });

    it('gives the server a termination grace period longer than its shutdown grace', () => {
      const pod = podTemplate(one(m(), 'Deployment', c.prefix));
      const raw = envOf(serverContainer(m(), c.prefix)).get('SGAUDIT_SHUTDOWN_GRACE')?.value;
      const grace = raw === undefined ? SETTINGS.shutdownGrace.default : Number(raw);
      expect(grace).toBe(Number((c.values.server as { shutdownGrace?: number }).shutdownGrace));
      expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(grace);
    });

    it('generates a config file the server accepts, with every token and secret variable filled from a Secret', () => {
      const { body, env, config } = loadRenderedConfig(m(), c.prefix);
      const tokens = c.values.tokens as { name: string; sha256?: string }[];
      expect(config.tokens.map((t) => t.name)).toEqual(tokens.map((t) => t.name));
      // Nothing the config names may be missing from the pod, or the server would refuse to start.
      const named = [...body.tokens.flatMap((t) => (t.tokenEnv ? [t.tokenEnv] : [])), ...Object.values(body.clusters).flatMap((x) => (x.probe ? [x.probe.secretEnv] : []))];
      expect(named.length).toBeGreaterThan(0);
      for (const name of named) expect(Object.keys(env), name).toContain(name);
      // The server's own settings parser accepts every plain value the Deployment sets.
      const plain = Object.fromEntries((serverContainer(m(), c.prefix).env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
      const settings = resolveSettings({}, plain);
      expect(settings.config).toBe('/etc/sgaudit/sgaudit.yaml');
      const deployment = podTemplate(one(m(), 'Deployment', c.prefix));
      const configMount = serverContainer(m(), c.prefix).volumeMounts?.find((v) => v.mountPath === '/etc/sgaudit');
      expect(deployment.spec.volumes?.find((v) => v.name === configMount?.name)?.configMap?.name).toBe(`${c.prefix}-config`);
      expect(settings.port).toBe(Number((c.values.server as { port: number }).port));
      expect(settings.host).toBe('0.0.0.0');
    });

    it('probes /healthz and /readyz on the container port the Service targets', () => {
      const ctr = serverContainer(m(), c.prefix);
      expect(ctr.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(ctr.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
      expect(ctr.ports?.find((p) => p.name === 'http')?.containerPort).toBe(Number((c.values.server as { port: number }).port));
      const svc = one(m(), 'Service', c.prefix);
      expect((svc.spec?.ports as { targetPort: string }[])[0]?.targetPort).toBe('http');
      expect(selects(svc.spec?.selector as Record<string, string>, podTemplate(one(m(), 'Deployment', c.prefix)).metadata.labels)).toBe(true);
      const pdb = one(m(), 'PodDisruptionBudget', c.prefix);
      expect(selects((pdb.spec?.selector as { matchLabels: Record<string, string> }).matchLabels, podTemplate(one(m(), 'Deployment', c.prefix)).metadata.labels)).toBe(true);
    });

    it('creates no Secret: tokens, the probe secret and credentials are references to existing Secrets', () => {
      expect(m().filter((x) => x.kind === 'Secret')).toEqual([]);
    });
  });

  it('keeps SQLite on a claim with one writer when persistence is on', async () => {
    const m = await render(bin, ['prod', CHART_DIR, '--set', 'persistence.enabled=true']);
    expect(one(m, 'PersistentVolumeClaim', 'prod-sgaudit-data').metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const deployment = one(m, 'Deployment', 'prod-sgaudit');
    expect(deployment.spec?.strategy).toEqual({ type: 'Recreate' });
    expect(podTemplate(deployment).spec.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName).toBe('prod-sgaudit-data');
  });

  it('runs the agents on Calico\'s vxlan.calico with agent.overlayDevice, and keeps flannel.1 by default', async () => {
    const m = await render(bin, ['prod', CHART_DIR, '--namespace', 'sgaudit', '--set', 'agent.overlayDevice=vxlan.calico']);
    const args = agentContainer(m, 'prod-sgaudit').args ?? [];
    expect(args.filter((a) => a.startsWith('--overlay-device'))).toEqual(['--overlay-device=vxlan.calico']);
    expect(podTemplate(one(m, 'DaemonSet', 'prod-sgaudit-probe-agent')).metadata.annotations?.[HOST_NETWORK_REASON]).toContain("node's own vxlan.calico device");
    // Nothing else of the agent's command line moves with the device.
    const defaults = agentContainer(rendered.get('default values') as Manifest[], 'prod-sgaudit').args ?? [];
    expect(defaults.filter((a) => a.startsWith('--overlay-device'))).toEqual(['--overlay-device=flannel.1']);
    expect(args.filter((a) => !a.startsWith('--overlay-device'))).toEqual(defaults.filter((a) => !a.startsWith('--overlay-device')));
  });

  it('leaves out the agents, their policy and the config probe section when probes are off', async () => {
    const m = await render(bin, ['prod', CHART_DIR, '--set', 'probe.enabled=false,cluster.cloud.provider=aws,cluster.cloud.region=eu-west-1']);
    expect(m.filter((x) => ['DaemonSet', 'NetworkPolicy'].includes(x.kind))).toEqual([]);
    const { config } = loadRenderedConfig(m, 'prod-sgaudit');
    expect(config.clusters[0]?.probe).toBeUndefined();
    expect(config.clusters[0]?.cloud).toEqual({ provider: 'aws', region: 'eu-west-1' });
  });

  it.each([
    ['--set', 'server.terminationGracePeriodSeconds=25', 'server.terminationGracePeriodSeconds 25: must exceed server.shutdownGrace 25'],
    ['--set', 'server.replicaCount=2', 'server.replicaCount 2: more than one replica needs database.existingSecret'],
    ['--set', 'tokens=null', 'tokens: empty; the server refuses to start without an API token'],
    ['--set-json', 'tokens=[{"name":"admin","scopes":["admin"],"existingSecret":"s","secretKey":"k","sha256":"abc"}]', 'tokens[0] (admin): give existingSecret or sha256, not both'],
    ['--set-json', 'tokens=[{"name":"ci","scopes":[],"sha256":"abc"}]', 'tokens[0] (ci): scopes is empty'],
    ['--set', 'cluster.name=prod eu', 'cluster.name "prod eu": must match'],
    ['--set', 'probe.enabled=false', 'cluster.cloud: empty while probe.enabled is false'],
    ['--set', 'probe.port=80', 'probe.port 80: must be 1024-65535'],
    ['--set', 'probe.ratePerSecond=0.5', 'probe.ratePerSecond 0.5: must be a whole number'],
    ['--set', 'probe.secretEnv=1BAD', 'probe.secretEnv "1BAD": must be an environment variable name'],
    ['--set', 'serviceMonitor.enabled=true', 'serviceMonitor.tokenSecret.name: empty while serviceMonitor.enabled'],
    ['--set', 'agent.overlayDevice=vxlan calico', 'agent.overlayDevice "vxlan calico": must be a network device name'],
    ['--set', 'agent.overlayDevice=vxlan.calico.long', 'agent.overlayDevice "vxlan.calico.long": must be a network device name (1-15 characters'],
  ])('refuses %s %s with the value and the reason', async (flag, set, message) => {
    const out = await helm(bin, ['template', 'prod', CHART_DIR, '--kube-version', KUBE_VERSION, flag, set]);
    expect(out.ok).toBe(false);
    expect(out.stderr).toContain(message);
  });

  it('tags the image with the appVersion, which is the package version', () => {
    const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string };
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(chart.appVersion).toBe(pkg.version);
    expect(serverContainer(rendered.get('default values') as Manifest[], 'prod-sgaudit').image).toBe(`ghcr.io/sgaudit/sgaudit:${pkg.version}`);
  });

  describe('deploy/*.yaml, the plain manifests, agree with the chart', () => {
    const plain = (file: string): Manifest[] =>
      parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy', file), 'utf8'))
        .map((d) => d.toJS() as Manifest | null)
        .filter((x): x is Manifest => x !== null);

    it('agent-daemonset.yaml: the same pod but for names and labels', () => {
      const chart = podTemplate(one(rendered.get('default values') as Manifest[], 'DaemonSet', 'prod-sgaudit-probe-agent'));
      const file = podTemplate(one(plain('agent-daemonset.yaml'), 'DaemonSet'));
      const comparable = (t: PodTemplate) => ({
        annotations: t.metadata.annotations,
        spec: {
          ...t.spec,
          serviceAccountName: undefined,
          volumes: t.spec.volumes?.map((v) => ({ ...v, secret: { ...v.secret, secretName: undefined } })),
        },
      });
      expect(comparable(file)).toEqual(comparable(chart));
      // The file runs in kube-system with Secret sgaudit-probe, as docs/probes.md says.
      expect(file.spec.volumes?.[0]?.secret?.secretName).toBe('sgaudit-probe');
    });

    it('rbac.yaml and agent-daemonset.yaml grant the same rules as the chart', () => {
      const rules = (ms: Manifest[]) =>
        ms
          .filter((x) => x.kind === 'ClusterRole' || x.kind === 'Role')
          .map((x) => `${x.kind} ${x.metadata.namespace ?? '-'} ${JSON.stringify(x.rules)}`)
          .sort();
      const chart = rules(rendered.get('default values') as Manifest[]);
      const files = [...new Set(rules([...plain('rbac.yaml'), ...plain('agent-daemonset.yaml')]))].sort();
      expect(files).toEqual(chart);
    });
  });
});
