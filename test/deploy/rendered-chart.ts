/**
 * Runs the real helm binary on deploy/helm/sgaudit and reads what it renders, for
 * test/deploy/helm-chart.test.ts. helm comes from test/services/helm/setup.sh.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHART_DIR = join(REPO_ROOT, 'deploy', 'helm', 'sgaudit');
/** The chart's kubeVersion floor: rendering for it proves no newer API slipped in. */
export const KUBE_VERSION = '1.25.0';

const run = promisify(execFile);

/** HELM_BIN, then where setup.sh puts it, then `go install`'s default, then PATH. */
export function findHelm(): string | undefined {
  const candidates = [
    process.env.HELM_BIN,
    '/usr/local/bin/helm',
    join(homedir(), 'go', 'bin', 'helm'),
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, 'helm')),
  ];
  return candidates.find((c): c is string => {
    if (!c) return false;
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface HelmOutcome {
  ok: boolean;
  stdout: string;
  stderr: string;
}

export async function helm(bin: string, args: string[]): Promise<HelmOutcome> {
  try {
    const { stdout, stderr } = await run(bin, args, { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
    return { ok: true, stdout, stderr };
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    return { ok: false, stdout: err.stdout ?? '', stderr: err.stderr ?? err.message };
  }
}

/** The fields of rendered objects the tests read; everything else stays `unknown`. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  rules?: unknown[];
  [key: string]: unknown;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string }; fieldRef?: { fieldPath: string } };
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  securityContext?: SecurityContext;
  readinessProbe?: { httpGet?: { path: string; port: string | number }; tcpSocket?: { port: number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number }; tcpSocket?: { port: number } };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  [key: string]: unknown;
}

export interface PodSpec {
  hostNetwork?: boolean;
  dnsPolicy?: string;
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  securityContext?: SecurityContext & { fsGroup?: number };
  tolerations?: { key?: string; operator?: string; effect?: string }[];
  nodeSelector?: Record<string, string>;
  affinity?: unknown;
  containers: Container[];
  initContainers?: Container[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string }; persistentVolumeClaim?: { claimName: string } }[];
  [key: string]: unknown;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export async function render(bin: string, args: string[]): Promise<Manifest[]> {
  const out = await helm(bin, ['template', ...args, '--kube-version', KUBE_VERSION]);
  if (!out.ok) throw new Error(`helm template ${args.join(' ')} failed:\n${out.stderr}`);
  return parseAllDocuments(out.stdout)
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`helm rendered invalid YAML: ${d.errors[0]?.message}`);
      return d.toJS() as Manifest | null;
    })
    .filter((m): m is Manifest => m !== null);
}

export function one(manifests: Manifest[], kind: string, name?: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, rendered ${found.length}: ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`);
  return found[0] as Manifest;
}

export function podTemplate(workload: Manifest): PodTemplate {
  const template = workload.spec?.template as PodTemplate | undefined;
  if (!template) throw new Error(`${workload.kind}/${workload.metadata.name} has no pod template`);
  return template;
}

/** A label selector's matchLabels select these labels when every one of them is present with that value. */
export function selects(matchLabels: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(matchLabels).length > 0 && Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
}
