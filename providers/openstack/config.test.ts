import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/source.js';
import { resolveOpenstackCloud } from './config.js';

const CLOUD = (user: string) => `clouds:
  prod:
    auth:
      auth_url: https://keystone.example.com:5000
      username: ${user}
      user_domain_name: Default
      project_name: k8s
      project_domain_id: default
    region_name: RegionOne
`;

function sandbox(): { root: string; cwd: string; home: string; etc: string } {
  const root = mkdtempSync(join(tmpdir(), 'sgaudit-os-config-'));
  const dirs = { root, cwd: join(root, 'cwd'), home: join(root, 'home'), etc: join(root, 'etc') };
  for (const d of [dirs.cwd, join(dirs.home, '.config', 'openstack'), dirs.etc]) mkdirSync(d, { recursive: true });
  return dirs;
}

function problemOf(fn: () => unknown): { document: string; pointer: string; reason: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems[0]!;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('clouds.yaml resolution', () => {
  it('merges secure.yaml found beside OS_CLIENT_CONFIG_FILE and normalizes the auth URL to /v3', () => {
    const s = sandbox();
    writeFileSync(join(s.etc, 'clouds.yaml'), CLOUD('alice'));
    writeFileSync(join(s.etc, 'secure.yaml'), 'clouds:\n  prod:\n    auth:\n      password: s3cret\n');
    const cloud = resolveOpenstackCloud({ cloud: 'prod', env: { OS_CLIENT_CONFIG_FILE: join(s.etc, 'clouds.yaml') }, cwd: s.cwd, home: s.home });
    expect(cloud.authUrl).toBe('https://keystone.example.com:5000/v3');
    expect(cloud.auth).toEqual({
      method: 'password',
      user: { name: 'alice', domain: { name: 'Default' } },
      password: 's3cret',
      project: { name: 'k8s', domain: { id: 'default' } },
    });
    expect(cloud.regionName).toBe('RegionOne');
    expect(cloud.interface).toBe('public');
    expect(cloud.tls).toEqual({ verify: true });
    expect(cloud.origin).toContain('secure.yaml');
  });

  it.each([
    { present: ['cwd', 'home', 'etc'], winner: 'cwd' },
    { present: ['home', 'etc'], winner: 'home' },
  ])('search order: with files in $present the one in $winner is used', ({ present, winner }) => {
    const s = sandbox();
    const dirOf = { cwd: s.cwd, home: join(s.home, '.config', 'openstack'), etc: s.etc } as Record<string, string>;
    for (const where of present) writeFileSync(join(dirOf[where]!, 'clouds.yaml'), CLOUD(where));
    for (const where of present) writeFileSync(join(dirOf[where]!, 'secure.yaml'), 'clouds:\n  prod:\n    auth:\n      password: x\n');
    const cloud = resolveOpenstackCloud({ cloud: 'prod', env: {}, cwd: s.cwd, home: s.home });
    expect(cloud.auth.method === 'password' && 'name' in cloud.auth.user && cloud.auth.user.name).toBe(winner);
  });

  it('OS_CLOUD selects the cloud; an unknown name lists the clouds the file has', () => {
    const s = sandbox();
    writeFileSync(join(s.cwd, 'clouds.yaml'), CLOUD('alice'));
    const p = problemOf(() => resolveOpenstackCloud({ env: { OS_CLOUD: 'staging' }, cwd: s.cwd, home: s.home }));
    expect(p).toMatchObject({ document: join(s.cwd, 'clouds.yaml'), pointer: '/clouds/staging' });
    expect(p.reason).toContain('clouds in this file: prod');
  });

  it('names the file and key that is missing', () => {
    const s = sandbox();
    writeFileSync(join(s.cwd, 'clouds.yaml'), CLOUD('alice').replace('      user_domain_name: Default\n', '') + '    auth_type: password\n');
    writeFileSync(join(s.cwd, 'secure.yaml'), 'clouds:\n  prod:\n    auth:\n      password: x\n');
    const p = problemOf(() => resolveOpenstackCloud({ cloud: 'prod', env: {}, cwd: s.cwd, home: s.home }));
    expect(p).toMatchObject({ document: join(s.cwd, 'clouds.yaml'), pointer: '/clouds/prod/auth/user_domain_name' });
  });

  it('never shows a secret in an error', () => {
    const s = sandbox();
    writeFileSync(join(s.cwd, 'clouds.yaml'), CLOUD('alice') + '    auth_type: password\n');
    writeFileSync(join(s.cwd, 'secure.yaml'), 'clouds:\n  prod:\n    auth:\n      password: [hunter2]\n');
    const error = (() => {
      try {
        resolveOpenstackCloud({ cloud: 'prod', env: {}, cwd: s.cwd, home: s.home });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('secure.yaml#/clouds/prod/auth/password: must be a string');
    expect(error?.message).not.toContain('hunter2');
  });

  it('a missing OS_CLIENT_CONFIG_FILE is an error, not a silent fallback', () => {
    const s = sandbox();
    writeFileSync(join(s.cwd, 'clouds.yaml'), CLOUD('alice'));
    const p = problemOf(() => resolveOpenstackCloud({ cloud: 'prod', env: { OS_CLIENT_CONFIG_FILE: join(s.root, 'nope.yaml') }, cwd: s.cwd, home: s.home }));
    expect(p.reason).toContain('OS_CLIENT_CONFIG_FILE names a file that does not exist');
  });
});

describe('OS_* environment variables', () => {
  const base = { OS_AUTH_URL: 'http://127.0.0.1:5000/v3/', OS_USERNAME: 'bob', OS_PASSWORD: 'pw', OS_PROJECT_ID: 'p1', OS_USER_DOMAIN_ID: 'default' };
  const resolveEnv = (env: NodeJS.ProcessEnv) => resolveOpenstackCloud({ env, cwd: '/nonexistent', home: '/nonexistent' });

  it('password login with a project id', () => {
    const cloud = resolveEnv(base);
    expect(cloud.authUrl).toBe('http://127.0.0.1:5000/v3');
    expect(cloud.auth).toEqual({ method: 'password', user: { name: 'bob', domain: { id: 'default' } }, password: 'pw', project: { id: 'p1' } });
  });

  it.each([
    [{ OS_APPLICATION_CREDENTIAL_ID: 'ac1', OS_APPLICATION_CREDENTIAL_SECRET: 'sec' }, { method: 'application_credential', credential: { id: 'ac1' }, secret: 'sec' }],
    [
      { OS_AUTH_TYPE: 'v3applicationcredential', OS_APPLICATION_CREDENTIAL_NAME: 'ro', OS_APPLICATION_CREDENTIAL_SECRET: 'sec', OS_USER_ID: 'u1' },
      { method: 'application_credential', credential: { name: 'ro', user: { id: 'u1' } }, secret: 'sec' },
    ],
    [{ OS_TOKEN: 'gAAA', OS_AUTH_TYPE: 'token' }, { method: 'token', token: 'gAAA' }],
    [{ OS_TOKEN: 'gAAA', OS_PROJECT_ID: 'p1' }, { method: 'token', token: 'gAAA', project: { id: 'p1' } }],
  ])('auth from %j', (env, auth) => {
    expect(resolveEnv({ OS_AUTH_URL: 'https://k/v3', ...env }).auth).toEqual(auth);
  });

  it.each([
    [{}, true],
    [{ OS_INSECURE: 'true' }, false],
    [{ OS_INSECURE: 'false' }, true],
  ])('TLS verification with %j is %s', (env, verify) => {
    expect(resolveEnv({ ...base, ...env }).tls.verify).toBe(verify);
  });

  it.each([
    [{ OS_INSECURE: 'maybe' }, '/OS_INSECURE', 'must be true or false'],
    [{ OS_CACERT: '/nonexistent/ca.pem' }, '/OS_CACERT', 'file does not exist'],
    [{ OS_INTERFACE: 'private' }, '/OS_INTERFACE', 'interface must be public, internal or admin'],
    [{ OS_AUTH_URL: 'https://k:5000/v2.0' }, '/OS_AUTH_URL', 'v2.0 is not supported'],
    [{ OS_PASSWORD: '' }, '/OS_PASSWORD', 'OS_PASSWORD is not set'],
    [{ OS_AUTH_TYPE: 'v3oidcpassword' }, '/OS_AUTH_TYPE', 'unsupported auth_type'],
  ])('%j is rejected at %s', (env, pointer, reason) => {
    const p = problemOf(() => resolveEnv({ ...base, ...env }));
    expect(p).toMatchObject({ document: 'environment', pointer });
    expect(p.reason).toContain(reason);
  });

  it('internalURL is the internal interface; the region comes from OS_REGION_NAME', () => {
    const cloud = resolveEnv({ ...base, OS_INTERFACE: 'internalURL', OS_REGION_NAME: 'RegionTwo' });
    expect([cloud.interface, cloud.regionName]).toEqual(['internal', 'RegionTwo']);
  });

  it('without a cloud name or OS_AUTH_URL there is nothing to talk to', () => {
    expect(problemOf(() => resolveEnv({})).reason).toContain('no OpenStack cloud selected');
  });
});
