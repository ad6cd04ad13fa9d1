import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { DEFAULT_CALL_LIMITS, MAX_CALL_LIMIT_MS, type CallLimits } from '../model/deadline.js';
import { InputError, type InputProblem } from '../model/source.js';
import { MIN_SECRET_BYTES } from '../probe/auth.js';
import { DEFAULT_AGENT_PORT } from '../probe/protocol.js';
import { ProbeSecret } from './probe-secret.js';
import { CNI_CHOICES, type CniChoice } from '../model/cni.js';
import { SCOPES, sha256, type ConfiguredToken, type Scope } from './auth.js';
import { schemaIssues } from './schemas.js';
import { parseWatch, WATCH_SCHEMA, type RawWatch, type WatchSchedule } from './watch/watch-config.js';
import { parseWebhooks, WEBHOOKS_SCHEMA, type RawWebhook, type WebhookTarget } from './watch/webhook-config.js';

/** How the service reaches a cluster's Kubernetes API: a kubeconfig (and context), or the pod's service account. */
export type KubernetesAccess = { kind: 'kubeconfig'; kubeconfig?: string; context?: string } | { kind: 'in-cluster' };

/** Which cloud holds the cluster's nodes, and which credentials read it (never sent by callers). */
export type CloudAccess =
  | { provider: 'aws'; region?: string; profile?: string; vpcIds?: string[] }
  | { provider: 'openstack'; cloud: string; regionName?: string };

/**
 * How the service reaches a cluster's probe agents (docs/probes.md). The secret is read from the
 * environment variable the file names, once, at start; it is never written to a log or a response.
 */
export interface ProbeAccess {
  agentPort: number;
  /** The variable the secret came from, for messages; never the secret itself. */
  secretEnv: string;
  secret: ProbeSecret;
  /** How long a sweep waits for datagrams after sending. */
  timeoutMs: number;
  /** Datagrams per second each agent sends at most (the agents' --rate); gives send calls enough time. */
  ratePerSecond: number;
}

export const PROBE_CONFIG_DEFAULTS = { agentPort: DEFAULT_AGENT_PORT, timeoutSeconds: 2, ratePerSecond: 1000 } as const;

export interface ClusterTarget {
  name: string;
  kubernetes: KubernetesAccess;
  /**
   * Absent for a probe-only cluster: its live audits read no cloud, so every pair is `unknown`
   * by configuration and the report says why (warning `cloud-not-configured`).
   */
  cloud?: CloudAccess;
  /** Absent: probe sweeps and `{"probe": true}` audits of this cluster are refused (422). */
  probe?: ProbeAccess;
  /** Per-request timeout and collection deadline of a live audit: the cluster's own, else `defaults`, else 20 s / 120 s. */
  limits: CallLimits;
  /** Absent: the cluster is audited only when asked. */
  watch?: WatchSchedule;
  /** `cni`: the CNI to audit against; absent means `auto` (detected from what the cluster holds). */
  cni?: CniChoice;
  /** `controlPlane: true` adds the Kubernetes control-plane requirements to its audits. */
  controlPlane?: boolean;
}

/** How long stored audits are kept; an absent bound does not apply. */
export interface RetentionConfig {
  maxAgeDays?: number;
  maxCount?: number;
}

export interface ServerConfig {
  tokens: ConfiguredToken[];
  clusters: ClusterTarget[];
  retention: RetentionConfig;
  /** Where change notifications go (docs/watch.md); only this file can name them. */
  webhooks: WebhookTarget[];
}

/** The configuration of a server started without a file. */
export const EMPTY_CONFIG: ServerConfig = { tokens: [], clusters: [], retention: {}, webhooks: [] };

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$';

const MAX_LIMIT_SECONDS = MAX_CALL_LIMIT_MS / 1000;

/** `requestTimeout` and `deadline`, in seconds; fractions allowed, down to one millisecond. */
const CALL_LIMIT_PROPERTIES = {
  requestTimeout: {
    type: 'number',
    minimum: 0.001,
    maximum: MAX_LIMIT_SECONDS,
    description: `seconds one attempt of one outbound call (Kubernetes, EC2, Keystone, Neutron) may take; default ${DEFAULT_CALL_LIMITS.requestTimeoutMs / 1000}`,
  },
  deadline: {
    type: 'number',
    minimum: 0.001,
    maximum: MAX_LIMIT_SECONDS,
    description: `seconds a whole live collection may take; what is not read by then is unknown; default ${DEFAULT_CALL_LIMITS.deadlineMs / 1000}`,
  },
} as const;

/** The configuration file's schema; the file is checked against it at start, every problem reported at once. */
export const CONFIG_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    defaults: { type: 'object', additionalProperties: false, properties: CALL_LIMIT_PROPERTIES },
    retention: {
      type: 'object',
      additionalProperties: false,
      properties: {
        days: { type: 'integer', minimum: 1, description: 'delete stored audits older than this many days' },
        count: { type: 'integer', minimum: 1, description: 'keep only this many of the newest stored audits' },
      },
    },
    tokens: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'scopes'],
        oneOf: [{ required: ['sha256'] }, { required: ['tokenEnv'] }],
        properties: {
          name: { type: 'string', pattern: NAME },
          sha256: { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'hex SHA-256 of the token: printf %s "$TOKEN" | sha256sum' },
          tokenEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'environment variable holding the token' },
          scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...SCOPES] } },
        },
      },
    },
    webhooks: WEBHOOKS_SCHEMA,
    clusters: {
      type: 'object',
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['kubernetes'],
        properties: {
          ...CALL_LIMIT_PROPERTIES,
          watch: WATCH_SCHEMA,
          cni: { type: 'string', enum: CNI_CHOICES, description: 'the CNI whose requirements are checked, or auto (the default) to detect it' },
          controlPlane: { type: 'boolean', description: 'also check the Kubernetes control-plane ports; default false' },
          probe: {
            type: 'object',
            additionalProperties: false,
            required: ['secretEnv'],
            properties: {
              agentPort: { type: 'integer', minimum: 1, maximum: 65535, description: `the agents' TCP control and UDP probe port; default ${PROBE_CONFIG_DEFAULTS.agentPort}` },
              secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'environment variable holding the shared probe secret (at least 16 bytes)' },
              timeoutSeconds: { type: 'number', minimum: 0.05, maximum: 60, description: `seconds a sweep waits for datagrams after sending; default ${PROBE_CONFIG_DEFAULTS.timeoutSeconds}` },
              ratePerSecond: { type: 'integer', minimum: 1, maximum: 1_000_000, description: `datagrams per second each agent sends at most (the agents' --rate); default ${PROBE_CONFIG_DEFAULTS.ratePerSecond}` },
            },
          },
          kubernetes: {
            type: 'object',
            additionalProperties: false,
            properties: {
              kubeconfig: { type: 'string', minLength: 1 },
              context: { type: 'string', minLength: 1 },
              inCluster: { type: 'boolean' },
            },
          },
          cloud: {
            oneOf: [
              {
                type: 'object',
                additionalProperties: false,
                required: ['provider'],
                properties: {
                  provider: { const: 'aws' },
                  region: { type: 'string', pattern: '^[a-z]{2}(-[a-z]+)+-\\d+$' },
                  profile: { type: 'string', minLength: 1 },
                  vpcIds: { type: 'array', items: { type: 'string', pattern: '^vpc-[0-9a-f]+$' } },
                },
              },
              {
                type: 'object',
                additionalProperties: false,
                required: ['provider', 'cloud'],
                properties: {
                  provider: { const: 'openstack' },
                  cloud: { type: 'string', minLength: 1, description: 'entry of clouds.yaml' },
                  regionName: { type: 'string', minLength: 1 },
                },
              },
            ],
          },
        },
      },
    },
  },
} as const;

interface RawLimits {
  requestTimeout?: number;
  deadline?: number;
}

interface RawConfig {
  defaults?: RawLimits;
  retention?: { days?: number; count?: number };
  tokens?: { name: string; sha256?: string; tokenEnv?: string; scopes: Scope[] }[];
  webhooks?: RawWebhook[];
  clusters?: Record<string, RawLimits & { kubernetes: { kubeconfig?: string; context?: string; inCluster?: boolean }; cloud?: CloudAccess; probe?: RawProbe; watch?: RawWatch; cni?: CniChoice; controlPlane?: boolean }>;
}

interface RawProbe {
  agentPort?: number;
  secretEnv: string;
  timeoutSeconds?: number;
  ratePerSecond?: number;
}

/** The probe section with its secret read from the environment; a problem names the file, pointer and reason, never the secret. */
function probeAccess(raw: RawProbe, env: NodeJS.ProcessEnv, path: string, pointer: string): ProbeAccess | InputProblem {
  const text = env[raw.secretEnv];
  const at = { document: path, pointer: `${pointer}/secretEnv`, value: raw.secretEnv };
  if (text === undefined || text.trim() === '') return { ...at, reason: 'the environment variable is not set (it must hold the probe agents\' shared secret)' };
  // As loadSecret does for a secret file: a trailing newline (kubectl create secret --from-file) is not part of it.
  const secret = Buffer.from(text.replace(/\r?\n$/, ''), 'utf8');
  if (secret.length < MIN_SECRET_BYTES) return { ...at, reason: `the secret in it is ${secret.length} bytes; use at least ${MIN_SECRET_BYTES} (e.g. openssl rand -hex 32)` };
  return {
    agentPort: raw.agentPort ?? PROBE_CONFIG_DEFAULTS.agentPort,
    secretEnv: raw.secretEnv,
    secret: new ProbeSecret(secret),
    timeoutMs: Math.round((raw.timeoutSeconds ?? PROBE_CONFIG_DEFAULTS.timeoutSeconds) * 1000),
    ratePerSecond: raw.ratePerSecond ?? PROBE_CONFIG_DEFAULTS.ratePerSecond,
  };
}

/** A cluster's own value wins over `defaults`, which wins over the built-in default. */
function callLimits(own: RawLimits, defaults: RawLimits): CallLimits {
  const ms = (seconds: number | undefined, fallback: number): number => (seconds === undefined ? fallback : Math.round(seconds * 1000));
  return {
    requestTimeoutMs: ms(own.requestTimeout ?? defaults.requestTimeout, DEFAULT_CALL_LIMITS.requestTimeoutMs),
    deadlineMs: ms(own.deadline ?? defaults.deadline, DEFAULT_CALL_LIMITS.deadlineMs),
  };
}

/** Reads and checks the configuration file; InputError names the file, the field and the reason. */
export function loadConfigFile(path: string, env: NodeJS.ProcessEnv): ServerConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError([{ document: path, pointer: '', reason: `cannot read the configuration file: ${(e as Error).message}` }]);
  }
  let body: unknown;
  try {
    // YAML is a superset of JSON, so one parser reads both forms.
    body = parse(text, { maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new InputError([{ document: path, pointer: '', reason: `malformed YAML/JSON: ${(e as Error).message.split('\n')[0]}` }]);
  }
  return parseConfig(body, path, env);
}

export function parseConfig(body: unknown, path: string, env: NodeJS.ProcessEnv): ServerConfig {
  // Compiled per call: the file is read once at start, and a module-level cache would be shared state.
  const validate = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false }).compile(CONFIG_FILE_SCHEMA);
  if (!validate(body)) {
    // A value under a probe section is never echoed: a secret pasted inline (`secret: ...`) would reach the start-up log.
    // Nor is a webhook's URL (it often carries a token) or any unknown key of a webhook.
    const echoed = (pointer: string, value: unknown): boolean =>
      value !== undefined && typeof value !== 'object' && !/^\/clusters\/[^/]+\/probe\//.test(pointer) && !/^\/webhooks\/\d+\/(?!name$|secretEnv$|format$|clusters\/|events\/)/.test(pointer);
    throw new InputError(schemaIssues(validate.errors).map((i) => ({ document: path, pointer: i.pointer, reason: i.reason, ...(echoed(i.pointer, i.value) ? { value: i.value } : {}) })));
  }
  const raw = body as RawConfig;
  const problems: InputProblem[] = [];
  const tokens: ConfiguredToken[] = [];
  (raw.tokens ?? []).forEach((t, i) => {
    if (t.sha256 !== undefined) {
      tokens.push({ name: t.name, sha256: Buffer.from(t.sha256, 'hex'), scopes: t.scopes });
      return;
    }
    const value = env[t.tokenEnv ?? ''];
    if (value === undefined || value.length < 16) {
      problems.push({ document: path, pointer: `/tokens/${i}/tokenEnv`, value: t.tokenEnv, reason: value === undefined ? 'the environment variable is not set' : 'the token in it is shorter than 16 characters' });
      return;
    }
    tokens.push({ name: t.name, sha256: sha256(value), scopes: t.scopes });
  });
  const names = new Set<string>();
  raw.tokens?.forEach((t, i) => {
    if (names.has(t.name)) problems.push({ document: path, pointer: `/tokens/${i}/name`, value: t.name, reason: 'another token has this name' });
    names.add(t.name);
  });
  const base = dirname(resolve(path));
  const clusters: ClusterTarget[] = [];
  for (const [name, c] of Object.entries(raw.clusters ?? {})) {
    const k = c.kubernetes;
    if (k.inCluster && (k.kubeconfig !== undefined || k.context !== undefined)) {
      problems.push({ document: path, pointer: `/clusters/${name}/kubernetes`, reason: 'inCluster uses the pod service account; it cannot be combined with kubeconfig or context' });
      continue;
    }
    const kubernetes: KubernetesAccess = k.inCluster
      ? { kind: 'in-cluster' }
      : {
          kind: 'kubeconfig',
          // Relative paths are relative to the configuration file, not to the working directory.
          ...(k.kubeconfig !== undefined ? { kubeconfig: isAbsolute(k.kubeconfig) ? k.kubeconfig : resolve(base, k.kubeconfig) } : {}),
          ...(k.context !== undefined ? { context: k.context } : {}),
        };
    let probe: ProbeAccess | undefined;
    if (c.probe !== undefined) {
      const read = probeAccess(c.probe, env, path, `/clusters/${name}/probe`);
      if ('reason' in read) {
        problems.push(read);
        continue;
      }
      probe = read;
    }
    if (c.cloud === undefined && probe === undefined) {
      problems.push({ document: path, pointer: `/clusters/${name}`, reason: 'a cluster needs a cloud to audit, a probe section to probe, or both; it has neither' });
      continue;
    }
    let watch: WatchSchedule | undefined;
    if (c.watch !== undefined) {
      const read = parseWatch(c.watch, probe !== undefined, path, `/clusters/${name}/watch`);
      if (Array.isArray(read)) {
        problems.push(...read);
        continue;
      }
      watch = read;
    }
    clusters.push({
      name,
      kubernetes,
      ...(c.cloud !== undefined ? { cloud: c.cloud } : {}),
      ...(probe ? { probe } : {}),
      limits: callLimits(c, raw.defaults ?? {}),
      ...(watch ? { watch } : {}),
      ...(c.cni !== undefined ? { cni: c.cni } : {}),
      ...(c.controlPlane !== undefined ? { controlPlane: c.controlPlane } : {}),
    });
  }
  const webhooks = parseWebhooks(raw.webhooks ?? [], env, path, new Set(Object.keys(raw.clusters ?? {})));
  problems.push(...webhooks.problems);
  if (problems.length > 0) throw new InputError(problems);
  clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const retention: RetentionConfig = {
    ...(raw.retention?.days !== undefined ? { maxAgeDays: raw.retention.days } : {}),
    ...(raw.retention?.count !== undefined ? { maxCount: raw.retention.count } : {}),
  };
  return { tokens, clusters, retention, webhooks: webhooks.targets };
}
