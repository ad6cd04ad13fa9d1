import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
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
}

export interface ServerConfig {
  tokens: ConfiguredToken[];
  clusters: ClusterTarget[];
}

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$';

/** The configuration file's schema; the file is checked against it at start, every problem reported at once. */
export const CONFIG_FILE_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
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

interface RawConfig {
  tokens?: { name: string; sha256?: string; tokenEnv?: string; scopes: Scope[] }[];
  clusters?: Record<string, { kubernetes: { kubeconfig?: string; context?: string; inCluster?: boolean }; cloud: CloudAccess }>;
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
    clusters.push({ name, kubernetes, cloud: c.cloud });
  }
  if (problems.length > 0) throw new InputError(problems);
  clusters.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tokens, clusters };
}
