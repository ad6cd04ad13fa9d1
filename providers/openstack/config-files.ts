import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { InputError, pointerJoin } from '../../src/model/source.js';
import { isPlainObject } from '../../src/model/issues.js';

/** One configuration value and exactly where it was read, for error messages. */
export interface Setting {
  value: unknown;
  document: string;
  pointer: string;
}

/** Flat view of one cloud: `auth_type`, `region_name`, `auth.username`, … */
export type Settings = Map<string, Setting>;

export interface ConfigEnvironment {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

/**
 * The places openstacksdk looks, in its order; the first existing file wins and is the
 * only one read (like openstacksdk, a cloud missing from it is an error, not a reason
 * to look further). `.yml` is accepted beside `.yaml`.
 */
export function cloudsFileCandidates(e: ConfigEnvironment): string[] {
  const explicit = e.env.OS_CLIENT_CONFIG_FILE;
  return [...(explicit ? [resolve(e.cwd, explicit)] : []), ...standardDirs(e).flatMap((d) => yamlNames(d, 'clouds'))];
}

/**
 * secure.yaml (secrets kept apart from clouds.yaml): OS_CLIENT_SECURE_FILE, then the directory
 * of OS_CLIENT_CONFIG_FILE, then the standard directories; the first existing file is merged.
 */
export function secureFileCandidates(e: ConfigEnvironment): string[] {
  const explicit = e.env.OS_CLIENT_SECURE_FILE;
  const beside = e.env.OS_CLIENT_CONFIG_FILE ? [dirname(resolve(e.cwd, e.env.OS_CLIENT_CONFIG_FILE))] : [];
  return [
    ...(explicit ? [resolve(e.cwd, explicit)] : []),
    ...[...beside, ...standardDirs(e)].flatMap((d) => yamlNames(d, 'secure')),
  ];
}

function standardDirs(e: ConfigEnvironment): string[] {
  const xdg = e.env.XDG_CONFIG_HOME || join(e.home, '.config');
  return [e.cwd, join(xdg, 'openstack'), '/etc/openstack'];
}

function yamlNames(dir: string, base: string): string[] {
  return [join(dir, `${base}.yaml`), join(dir, `${base}.yml`)];
}

/**
 * Reads cloud `name` from the first clouds file found, deep-merging the same cloud from
 * the first secure file found. Throws InputError naming the file and key on any problem.
 */
export function readCloudSettings(
  name: string,
  e: ConfigEnvironment,
): { settings: Settings; origin: string; entry: { document: string; pointer: string } } {
  const candidates = cloudsFileCandidates(e);
  const explicit = e.env.OS_CLIENT_CONFIG_FILE ? candidates[0] : undefined;
  if (explicit && !existsSync(explicit)) {
    throw configError(explicit, '', `OS_CLIENT_CONFIG_FILE names a file that does not exist (cloud ${JSON.stringify(name)} was requested)`);
  }
  const cloudsFile = candidates.find((f) => existsSync(f));
  if (!cloudsFile) {
    throw configError(
      'clouds.yaml',
      '',
      `OpenStack cloud ${JSON.stringify(name)} was requested but no clouds.yaml exists; looked in: ${candidates.join(', ')}`,
    );
  }
  const clouds = readCloudsMap(cloudsFile);
  const entry = clouds[name];
  const pointer = pointerJoin('/clouds', name);
  if (entry === undefined) {
    const known = Object.keys(clouds);
    throw configError(
      cloudsFile,
      pointer,
      `no cloud named ${JSON.stringify(name)}; clouds in this file: ${known.length ? known.join(', ') : 'none'}`,
    );
  }
  if (!isPlainObject(entry)) throw configError(cloudsFile, pointer, 'a cloud entry must be a mapping', entry);
  const settings: Settings = new Map();
  flatten(entry, cloudsFile, pointer, settings);

  let origin = `${cloudsFile}${pointer}`;
  const secureFile = secureFileCandidates(e).find((f) => existsSync(f));
  if (secureFile) {
    const secret = readCloudsMap(secureFile)[name];
    if (secret !== undefined) {
      if (!isPlainObject(secret)) throw configError(secureFile, pointer, 'a cloud entry must be a mapping', secret);
      flatten(secret, secureFile, pointer, settings);
      origin += ` + ${secureFile}`;
    }
  }
  return { settings, origin, entry: { document: cloudsFile, pointer } };
}

function readCloudsMap(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(file, '', `cannot read: ${(e as Error).message}`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw configError(file, '', `not valid YAML: ${doc.errors[0]!.message}`);
  const body: unknown = doc.toJS();
  if (body === null || body === undefined) return {};
  if (!isPlainObject(body)) throw configError(file, '', 'expected a mapping with a "clouds" key', body);
  const clouds = body.clouds;
  if (clouds === undefined) return {};
  if (!isPlainObject(clouds)) throw configError(file, '/clouds', '"clouds" must be a mapping of cloud names', clouds);
  return clouds;
}

/** Later calls override earlier ones key by key, which is the secure.yaml merge. */
function flatten(obj: Record<string, unknown>, document: string, pointer: string, out: Settings, prefix = ''): void {
  for (const [key, value] of Object.entries(obj)) {
    const at = pointerJoin(pointer, key);
    // `auth` is the only nested section sgaudit reads; other sections are for other services
    if (prefix === '' && key === 'auth' && isPlainObject(value)) flatten(value, document, at, out, 'auth.');
    else out.set(`${prefix}${key}`, { value, document, pointer: at });
  }
}

export function configError(document: string, pointer: string, reason: string, value?: unknown): InputError {
  return new InputError([value === undefined ? { document, pointer, reason } : { document, pointer, reason, value }]);
}
