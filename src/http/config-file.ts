import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { DEFAULT_CALL_LIMITS, MAX_CALL_LIMIT_MS, type CallLimits } from '../model/deadline.js';
import { InputError, type InputProblem } from '../model/source.js';
import { SCOPES, sha256, type ConfiguredToken, type Scope } from './auth.js';
import { schemaIssues } from './schemas.js';

/** How the service reaches a cluster's Kubernetes API: a kubeconfig (and context), or the pod's service account. */
export type KubernetesAccess = { kind: 'kubeconfig'; kubeconfig?: string; context?: string } | { kind: 'in-cluster' };

/** Which cloud holds the cluster's nodes, and which credentials read it (never sent by callers). */
export type CloudAccess =
  | { provider: 'aws'; region?: string; profile?: string; vpcIds?: string[] }
  | { provider: 'openstack'; cloud: string; regionName?: string };

export interface ClusterTarget {
  name: string;
  kubernetes: KubernetesAccess;
  cloud: CloudAccess;
  /** Per-request timeout and collection deadline of a live audit: the cluster's own, else `defaults`, else 20 s / 120 s. */
  limits: CallLimits;
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
}

/** The configuration of a server started without a file. */
export const EMPTY_CONFIG: ServerConfig = { tokens: [], clusters: [], retention: {} };

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
    clusters: {
      type: 'object',
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['kubernetes', 'cloud'],
        properties: {
          ...CALL_LIMIT_PROPERTIES,
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
  clusters?: Record<string, RawLimits & { kubernetes: { kubeconfig?: string; context?: string; inCluster?: boolean }; cloud: CloudAccess }>;
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
    throw new InputError(schemaIssues(validate.errors).map((i) => ({ document: path, pointer: i.pointer, reason: i.reason, ...(i.value !== undefined && typeof i.value !== 'object' ? { value: i.value } : {}) })));
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
    clusters.push({ name, kubernetes, cloud: c.cloud, limits: callLimits(c, raw.defaults ?? {}) });
  }
  if (problems.length > 0) throw new InputError(problems);
  clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const retention: RetentionConfig = {
    ...(raw.retention?.days !== undefined ? { maxAgeDays: raw.retention.days } : {}),
    ...(raw.retention?.count !== undefined ? { maxCount: raw.retention.count } : {}),
  };
  return { tokens, clusters, retention };
}
