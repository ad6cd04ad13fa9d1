import { existsSync } from 'node:fs';
import { ownEntry } from '../../src/model/collections.js';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { DomainRef, EndpointInterface, KeystoneAuth, OpenstackCloud, ProjectRef, TlsSettings, UserRef } from './cloud-config.js';
import { configError, readCloudSettings, type ConfigEnvironment, type Setting, type Settings } from './config-files.js';

export interface ResolveCloudOptions {
  /** `--os-cloud`; falls back to OS_CLOUD, then to the OS_* variables. */
  cloud?: string;
  /** `--os-region-name` / `--os-interface`: override the cloud's own setting. */
  regionName?: string;
  interface?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  home?: string;
}

const ENV_DOCUMENT = 'environment';

/** OS_* variable -> the clouds.yaml key it stands for. */
const ENV_KEYS: Readonly<Record<string, string>> = {
  OS_AUTH_TYPE: 'auth_type',
  OS_AUTH_URL: 'auth.auth_url',
  OS_USERNAME: 'auth.username',
  OS_USER_ID: 'auth.user_id',
  OS_PASSWORD: 'auth.password',
  OS_PROJECT_NAME: 'auth.project_name',
  OS_PROJECT_ID: 'auth.project_id',
  OS_TENANT_NAME: 'auth.tenant_name',
  OS_TENANT_ID: 'auth.tenant_id',
  OS_USER_DOMAIN_NAME: 'auth.user_domain_name',
  OS_USER_DOMAIN_ID: 'auth.user_domain_id',
  OS_PROJECT_DOMAIN_NAME: 'auth.project_domain_name',
  OS_PROJECT_DOMAIN_ID: 'auth.project_domain_id',
  OS_DOMAIN_NAME: 'auth.domain_name',
  OS_DOMAIN_ID: 'auth.domain_id',
  OS_APPLICATION_CREDENTIAL_ID: 'auth.application_credential_id',
  OS_APPLICATION_CREDENTIAL_NAME: 'auth.application_credential_name',
  OS_APPLICATION_CREDENTIAL_SECRET: 'auth.application_credential_secret',
  OS_TOKEN: 'auth.token',
  OS_REGION_NAME: 'region_name',
  OS_INTERFACE: 'interface',
  OS_CACERT: 'cacert',
  OS_CERT: 'cert',
  OS_KEY: 'key',
  OS_INSECURE: 'insecure',
};

/**
 * Resolves which cloud to talk to and how to log in: `options.cloud` or OS_CLOUD selects a
 * clouds.yaml entry (secure.yaml merged); without either, the OS_* variables are used, like the
 * `openstack` CLI. Throws InputError naming the file (or variable) and key for anything unusable.
 */
export function resolveOpenstackCloud(options: ResolveCloudOptions = {}): OpenstackCloud {
  const e: ConfigEnvironment = {
    env: options.env ?? process.env,
    cwd: options.cwd ?? process.cwd(),
    home: options.home ?? homedir(),
  };
  const cloudName = options.cloud ?? (e.env.OS_CLOUD || undefined);
  let settings: Settings;
  let origin: string;
  let name: string;
  let entry: { document: string; pointer: string } | undefined;
  if (cloudName !== undefined) {
    ({ settings, origin, entry } = readCloudSettings(cloudName, e));
    name = cloudName;
  } else if (e.env.OS_AUTH_URL) {
    settings = envSettings(e.env);
    origin = 'OS_* environment variables';
    name = 'OS_* environment';
  } else {
    throw configError(
      'command line',
      '',
      'no OpenStack cloud selected: pass --os-cloud NAME (a clouds.yaml entry), set OS_CLOUD, or set OS_AUTH_URL and the other OS_* variables',
    );
  }
  const read = new SettingReader(settings, entry);
  const cloud: OpenstackCloud = {
    name,
    origin,
    authUrl: keystoneV3Url(read),
    auth: resolveAuth(read),
    interface: endpointInterface(read, options.interface),
    tls: tlsSettings(read, e),
  };
  const region = options.regionName ?? read.string('region_name');
  if (region) cloud.regionName = region;
  return cloud;
}

function envSettings(env: NodeJS.ProcessEnv): Settings {
  const settings: Settings = new Map();
  for (const [variable, key] of Object.entries(ENV_KEYS)) {
    const value = env[variable];
    if (value !== undefined && value !== '') settings.set(key, { value, document: ENV_DOCUMENT, pointer: `/${variable}` });
  }
  return settings;
}

/** Typed access with errors that point at the exact file/variable and key. */
class SettingReader {
  constructor(
    private readonly settings: Settings,
    /** The clouds.yaml entry; undefined when reading OS_* variables. */
    private readonly entry: { document: string; pointer: string } | undefined,
  ) {}

  setting(key: string): Setting | undefined {
    return this.settings.get(key);
  }

  string(key: string): string | undefined {
    const s = this.settings.get(key);
    if (s === undefined || s.value === null || s.value === '') return undefined;
    // YAML turns `project_id: 1234` into a number; ids are strings to Keystone
    if (typeof s.value === 'number') return String(s.value);
    if (typeof s.value !== 'string') throw configError(s.document, s.pointer, `must be a string`, secretSafe(key, s.value));
    return s.value;
  }

  boolean(key: string): boolean | undefined {
    const s = this.settings.get(key);
    if (s === undefined || s.value === null || s.value === '') return undefined;
    if (typeof s.value === 'boolean') return s.value;
    if (typeof s.value === 'string') {
      const v = s.value.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return true;
      if (['false', '0', 'no', 'off'].includes(v)) return false;
    }
    throw configError(s.document, s.pointer, 'must be true or false', s.value);
  }

  /** Error for a key that is missing: names the place it should be added. */
  missing(key: string, reason: string): never {
    if (this.entry === undefined) {
      const variable = Object.entries(ENV_KEYS).find(([, k]) => k === key)?.[0] ?? key;
      throw configError(ENV_DOCUMENT, `/${variable}`, `${variable} is not set: ${reason}`);
    }
    throw configError(this.entry.document, `${this.entry.pointer}/${key.replace('.', '/')}`, `missing: ${reason}`);
  }

  where(key: string): { document: string; pointer: string } {
    const s = this.settings.get(key);
    if (s) return s;
    return this.entry ?? { document: ENV_DOCUMENT, pointer: '' };
  }
}

function secretSafe(key: string, value: unknown): unknown {
  return /password|secret|token/.test(key) ? '(hidden)' : value;
}

function keystoneV3Url(read: SettingReader): string {
  const raw = read.string('auth.auth_url') ?? read.missing('auth.auth_url', 'the Keystone URL, e.g. https://keystone.example.com:5000/v3');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    const at = read.where('auth.auth_url');
    throw configError(at.document, at.pointer, 'not a valid URL', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    const at = read.where('auth.auth_url');
    throw configError(at.document, at.pointer, 'must be an http:// or https:// URL', raw);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/v2\.0$/.test(path)) {
    const at = read.where('auth.auth_url');
    throw configError(at.document, at.pointer, 'Keystone v2.0 is not supported; use the v3 URL (usually the same with /v3)', raw);
  }
  // openstacksdk accepts the unversioned root too; v3 is the only API sgaudit speaks
  url.pathname = /\/v3$/.test(path) ? path : `${path}/v3`;
  return url.toString().replace(/\/+$/, '');
}

const AUTH_TYPES: Readonly<Record<string, KeystoneAuth['method']>> = {
  password: 'password',
  v3password: 'password',
  token: 'token',
  v3token: 'token',
  v3applicationcredential: 'application_credential',
  applicationcredential: 'application_credential',
};

function resolveAuth(read: SettingReader): KeystoneAuth {
  const method = authMethod(read);
  switch (method) {
    case 'password': {
      const password = read.string('auth.password') ?? read.missing('auth.password', 'password authentication needs a password');
      return { method, user: userRef(read, 'password authentication'), password, project: projectRef(read, true)! };
    }
    case 'application_credential': {
      const secret =
        read.string('auth.application_credential_secret') ??
        read.missing('auth.application_credential_secret', 'an application credential needs its secret');
      const id = read.string('auth.application_credential_id');
      if (id) return { method, credential: { id }, secret };
      const name =
        read.string('auth.application_credential_name') ??
        read.missing('auth.application_credential_id', 'give application_credential_id, or application_credential_name plus the user');
      return { method, credential: { name, user: userRef(read, 'an application credential given by name') }, secret };
    }
    case 'token': {
      const token = read.string('auth.token') ?? read.missing('auth.token', 'token authentication needs the token');
      const project = projectRef(read, false);
      return project ? { method, token, project } : { method, token };
    }
  }
}

/** Explicit auth_type wins; otherwise the credentials present decide, as keystoneauth's loaders do. */
function authMethod(read: SettingReader): KeystoneAuth['method'] {
  const type = read.string('auth_type');
  if (type !== undefined) {
    const method = ownEntry(AUTH_TYPES, type.toLowerCase());
    if (!method) {
      const at = read.where('auth_type');
      throw configError(at.document, at.pointer, `unsupported auth_type; sgaudit supports ${Object.keys(AUTH_TYPES).join(', ')}`, type);
    }
    return method;
  }
  if (read.string('auth.application_credential_id') || read.string('auth.application_credential_name')) return 'application_credential';
  if (read.string('auth.token') && !read.string('auth.password')) return 'token';
  return 'password';
}

function userRef(read: SettingReader, purpose: string): UserRef {
  const id = read.string('auth.user_id');
  if (id) return { id };
  const name = read.string('auth.username') ?? read.missing('auth.username', `${purpose} needs username (or user_id)`);
  return { name, domain: domainRef(read, 'user') };
}

function projectRef(read: SettingReader, required: boolean): ProjectRef | undefined {
  const id = read.string('auth.project_id') ?? read.string('auth.tenant_id');
  if (id) return { id };
  const name = read.string('auth.project_name') ?? read.string('auth.tenant_name');
  if (name) return { name, domain: domainRef(read, 'project') };
  if (!required) return undefined;
  return read.missing('auth.project_name', 'Neutron needs a project-scoped token: set project_name (with its domain) or project_id');
}

/** `domain_id`/`domain_name` are openstacksdk's shared default for the user and project domains. */
function domainRef(read: SettingReader, of: 'user' | 'project'): DomainRef {
  const id = read.string(`auth.${of}_domain_id`) ?? read.string('auth.domain_id');
  if (id) return { id };
  const name = read.string(`auth.${of}_domain_name`) ?? read.string('auth.domain_name');
  if (name) return { name };
  return read.missing(
    `auth.${of}_domain_name`,
    `a ${of} given by name needs its domain (${of}_domain_name or ${of}_domain_id, e.g. "Default"/"default"), because Keystone v3 names are unique per domain only`,
  );
}

const INTERFACES: Readonly<Record<string, EndpointInterface>> = {
  public: 'public',
  publicurl: 'public',
  internal: 'internal',
  internalurl: 'internal',
  admin: 'admin',
  adminurl: 'admin',
};

function endpointInterface(read: SettingReader, override: string | undefined): EndpointInterface {
  const raw = override ?? read.string('interface') ?? read.string('endpoint_type');
  if (raw === undefined) return 'public';
  const value = ownEntry(INTERFACES, raw.toLowerCase());
  if (value) return value;
  const at = override !== undefined ? { document: 'command line', pointer: '/--os-interface' } : read.where('interface');
  throw configError(at.document, at.pointer, 'interface must be public, internal or admin', raw);
}

function tlsSettings(read: SettingReader, e: ConfigEnvironment): TlsSettings {
  // clouds.yaml says `verify: false`; the variables say OS_INSECURE=true. Only an explicit value disables checks.
  const verify = read.boolean('verify');
  const insecure = read.boolean('insecure');
  const tls: TlsSettings = { verify: verify ?? (insecure === undefined ? true : !insecure) };
  const caFile = existingFile(read, 'cacert', e);
  if (caFile) tls.caFile = caFile;
  const certFile = existingFile(read, 'cert', e);
  if (certFile) tls.certFile = certFile;
  const keyFile = existingFile(read, 'key', e);
  if (keyFile) tls.keyFile = keyFile;
  return tls;
}

function existingFile(read: SettingReader, key: string, e: ConfigEnvironment): string | undefined {
  const raw = read.string(key);
  if (raw === undefined) return undefined;
  const path = resolve(e.cwd, raw.replace(/^~(?=\/|$)/, e.home));
  if (!existsSync(path)) {
    const at = read.where(key);
    throw configError(at.document, at.pointer, `file does not exist: ${path}`, raw);
  }
  return path;
}
