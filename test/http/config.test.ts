import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256 } from '../../src/http/auth.js';
import { loadConfigFile, parseConfig } from '../../src/http/config-file.js';
import { resolveSettings, SETTINGS } from '../../src/http/settings.js';
import { DEFAULT_CALL_LIMITS } from '../../src/model/deadline.js';
import { InputError } from '../../src/model/source.js';

function problems(fn: () => unknown): { document: string; pointer: string; reason: string; value?: unknown }[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('serve settings', () => {
  it('uses the defaults when nothing is given', () => {
    expect(resolveSettings({}, {})).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      config: undefined,
      dataDir: './.data',
      databaseUrl: undefined,
      apiToken: undefined,
      bodyLimit: 20 * 1024 * 1024,
      logLevel: 'info',
      shutdownGrace: 25,
      retentionDays: undefined,
      retentionCount: undefined,
    });
  });

  it('reads the shutdown grace and retention bounds from flags or the environment', () => {
    const env = { SGAUDIT_SHUTDOWN_GRACE: '10', SGAUDIT_RETENTION_DAYS: '30', SGAUDIT_RETENTION_COUNT: '5000' };
    expect(resolveSettings({}, env)).toMatchObject({ shutdownGrace: 10, retentionDays: 30, retentionCount: 5000 });
    expect(resolveSettings({ shutdownGrace: '0', retentionDays: '7' } as never, env)).toMatchObject({ shutdownGrace: 0, retentionDays: 7, retentionCount: 5000 });
    expect(resolveSettings({ shutdownGrace: '1.5' } as never, {}).shutdownGrace).toBe(1.5);
  });

  it.each([
    ['--shutdown-grace', { shutdownGrace: '-1' }, 'must be a number of seconds from 0 to 3600'],
    ['--shutdown-grace', { shutdownGrace: '7200' }, 'must be a number of seconds from 0 to 3600'],
    ['--shutdown-grace', { shutdownGrace: '25s' }, 'must be a number of seconds from 0 to 3600'],
    ['--retention-days', { retentionDays: '0' }, 'must be a whole number, at least 1'],
    ['--retention-days', { retentionDays: '1.5' }, 'must be a whole number, at least 1'],
    ['--retention-count', { retentionCount: 'all' }, 'must be a whole number, at least 1'],
    ['--report-limit', { reportLimit: '129mb' }, 'must be at most 134217728 bytes (128mb), the largest report the store keeps'],
  ])('rejects %s %o', (document, flags, reason) => {
    const value = Object.values(flags)[0];
    expect(problems(() => resolveSettings(flags as never, {}))).toEqual([{ document, pointer: '', value, reason }]);
  });

  it('prefers a flag over the environment over the default', () => {
    const env = { SGAUDIT_PORT: '9000', SGAUDIT_HOST: '0.0.0.0', SGAUDIT_BODY_LIMIT: '512kb' };
    expect(resolveSettings({}, env)).toMatchObject({ port: 9000, host: '0.0.0.0', bodyLimit: 512 * 1024 });
    expect(resolveSettings({ port: '9100', bodyLimit: '1mb' }, env)).toMatchObject({ port: 9100, host: '0.0.0.0', bodyLimit: 1024 * 1024 });
  });

  it('reads secrets only from the environment', () => {
    const s = resolveSettings({ apiToken: 'flag-token-0123456789', databaseUrl: 'postgres://flag/x' } as never, { SGAUDIT_API_TOKEN: 'env-token-0123456789', DATABASE_URL: 'postgres://u:p@db:5432/x' });
    expect(s.apiToken).toBe('env-token-0123456789');
    expect(s.databaseUrl).toBe('postgres://u:p@db:5432/x');
    expect(SETTINGS.apiToken.flag).toBeNull();
    expect(SETTINGS.databaseUrl.flag).toBeNull();
  });

  it('reports every bad value at once, naming where it came from, without echoing secrets', () => {
    const p = problems(() => resolveSettings({ port: '70000', logLevel: 'loud' }, { SGAUDIT_BODY_LIMIT: '20 parsecs', SGAUDIT_API_TOKEN: 'short', DATABASE_URL: 'mysql://x' }));
    expect(p.map((x) => x.document).sort()).toEqual(['--log-level', '--port', 'DATABASE_URL', 'SGAUDIT_API_TOKEN', 'SGAUDIT_BODY_LIMIT']);
    expect(p.find((x) => x.document === '--port')).toMatchObject({ value: '70000', reason: 'must be a port number 0-65535' });
    expect(p.find((x) => x.document === 'SGAUDIT_API_TOKEN')).not.toHaveProperty('value');
    expect(p.find((x) => x.document === 'DATABASE_URL')).not.toHaveProperty('value');
  });

  it.each([
    ['1048576', 1048576],
    ['20mb', 20 * 1024 * 1024],
    ['1.5KB', 1536],
    ['1gb', 1024 ** 3],
  ])('body limit %s = %d bytes', (raw, bytes) => {
    expect(resolveSettings({ bodyLimit: raw }, {}).bodyLimit).toBe(bytes);
  });

  it('declares help, env and a default or an explicit undefined for every setting', () => {
    for (const [key, d] of Object.entries(SETTINGS)) {
      expect(d.help.length, key).toBeGreaterThan(10);
      expect(d.env, key).toMatch(/^[A-Z_]+$/);
      expect('default' in d, key).toBe(true);
    }
  });
});

describe('configuration file', () => {
  const digest = sha256('config-token-0123456789').toString('hex');

  it('reads tokens (digest or environment) and clusters, resolving kubeconfig paths against the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgaudit-config-'));
    const file = join(dir, 'sgaudit.yaml');
    writeFileSync(
      file,
      `tokens:
  - name: ci
    sha256: ${digest}
    scopes: [audit, read]
  - name: grafana
    tokenEnv: GRAFANA_TOKEN
    scopes: [read]
clusters:
  prod:
    kubernetes: { kubeconfig: kube/prod.yaml, context: prod }
    cloud: { provider: openstack, cloud: prod-cloud }
  edge:
    kubernetes: { inCluster: true }
    cloud: { provider: aws, region: eu-west-1, profile: audit }
`,
    );
    const config = loadConfigFile(file, { GRAFANA_TOKEN: 'grafana-token-0123456789' });
    expect(config.tokens.map((t) => [t.name, t.sha256.toString('hex'), t.scopes])).toEqual([
      ['ci', digest, ['audit', 'read']],
      ['grafana', sha256('grafana-token-0123456789').toString('hex'), ['read']],
    ]);
    expect(config.clusters).toEqual([
      { name: 'edge', kubernetes: { kind: 'in-cluster' }, cloud: { provider: 'aws', region: 'eu-west-1', profile: 'audit' }, limits: { requestTimeoutMs: 20_000, deadlineMs: 120_000 } },
      {
        name: 'prod',
        kubernetes: { kind: 'kubeconfig', kubeconfig: join(dir, 'kube', 'prod.yaml'), context: 'prod' },
        cloud: { provider: 'openstack', cloud: 'prod-cloud' },
        limits: { requestTimeoutMs: 20_000, deadlineMs: 120_000 },
      },
    ]);
    expect(config.retention).toEqual({});
  });

  it('resolves call limits per cluster: its own, else defaults, else 20 s and 120 s', () => {
    const cloud = { provider: 'aws' };
    const config = parseConfig(
      {
        defaults: { requestTimeout: 5, deadline: 60 },
        clusters: {
          own: { kubernetes: {}, cloud, requestTimeout: 2.5, deadline: 30 },
          mixed: { kubernetes: {}, cloud, deadline: 600 },
          inherited: { kubernetes: {}, cloud },
        },
      },
      'sgaudit.yaml',
      {},
    );
    expect(Object.fromEntries(config.clusters.map((c) => [c.name, c.limits]))).toEqual({
      own: { requestTimeoutMs: 2500, deadlineMs: 30_000 },
      mixed: { requestTimeoutMs: 5000, deadlineMs: 600_000 },
      inherited: { requestTimeoutMs: 5000, deadlineMs: 60_000 },
    });
    const bare = parseConfig({ clusters: { c: { kubernetes: {}, cloud } } }, 'sgaudit.yaml', {});
    expect(bare.clusters[0]!.limits).toEqual(DEFAULT_CALL_LIMITS);
  });

  it('reads retention bounds', () => {
    expect(parseConfig({ retention: { days: 30, count: 1000 } }, 'sgaudit.yaml', {}).retention).toEqual({ maxAgeDays: 30, maxCount: 1000 });
    expect(parseConfig({ retention: { count: 10 } }, 'sgaudit.yaml', {}).retention).toEqual({ maxCount: 10 });
  });

  it('reads JSON too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sgaudit-config-'));
    const file = join(dir, 'sgaudit.json');
    writeFileSync(file, JSON.stringify({ tokens: [{ name: 'a', sha256: digest, scopes: ['admin'] }] }));
    expect(loadConfigFile(file, {}).tokens).toHaveLength(1);
  });

  it.each([
    ['an unknown top-level key', { token: [] }, '/token', 'is not a known property'],
    ['an unknown scope', { tokens: [{ name: 'a', sha256: digest, scopes: ['write'] }] }, '/tokens/0/scopes/0', 'must be one of "read", "audit", "admin", "probe"'],
    ['a digest that is not hex SHA-256', { tokens: [{ name: 'a', sha256: 'abc', scopes: ['read'] }] }, '/tokens/0/sha256', 'must match pattern "^[0-9a-fA-F]{64}$"'],
    ['a plain-text token', { tokens: [{ name: 'a', token: 'secret', scopes: ['read'] }] }, '/tokens/0/token', 'is not a known property'],
    ['a cluster with neither cloud nor probe', { clusters: { prod: { kubernetes: {} } } }, '/clusters/prod', 'a cluster needs a cloud to audit, a probe section to probe, or both; it has neither'],
    ['an endpoint in a cluster', { clusters: { prod: { kubernetes: { server: 'https://x' }, cloud: { provider: 'aws' } } } }, '/clusters/prod/kubernetes/server', 'is not a known property'],
    ['an unset token variable', { tokens: [{ name: 'a', tokenEnv: 'NOPE_NOT_SET', scopes: ['read'] }] }, '/tokens/0/tokenEnv', 'the environment variable is not set'],
    ['two tokens with one name', { tokens: [{ name: 'a', sha256: digest, scopes: ['read'] }, { name: 'a', sha256: digest.replace(/^./, '0'), scopes: ['read'] }] }, '/tokens/1/name', 'another token has this name'],
    ['a zero deadline', { defaults: { deadline: 0 } }, '/defaults/deadline', 'must be >= 0.001'],
    ['a request timeout over a day', { clusters: { p: { kubernetes: {}, cloud: { provider: 'aws' }, requestTimeout: 86_401 } } }, '/clusters/p/requestTimeout', 'must be <= 86400'],
    ['a deadline as text', { clusters: { p: { kubernetes: {}, cloud: { provider: 'aws' }, deadline: '30s' } } }, '/clusters/p/deadline', 'must be number'],
    ['an unknown key in defaults', { defaults: { timeout: 5 } }, '/defaults/timeout', 'is not a known property'],
    ['retention of zero days', { retention: { days: 0 } }, '/retention/days', 'must be >= 1'],
    ['a fractional retention count', { retention: { count: 2.5 } }, '/retention/count', 'must be integer'],
    ['inCluster with a kubeconfig', { clusters: { p: { kubernetes: { inCluster: true, kubeconfig: 'k' }, cloud: { provider: 'aws' } } } }, '/clusters/p/kubernetes', 'inCluster uses the pod service account; it cannot be combined with kubeconfig or context'],
  ])('rejects %s with its pointer', (_name, body, pointer, reason) => {
    const p = problems(() => parseConfig(body, 'sgaudit.yaml', {}));
    expect(p).toContainEqual(expect.objectContaining({ document: 'sgaudit.yaml', pointer, reason }));
  });

  it('names the file when it is missing or malformed', () => {
    expect(problems(() => loadConfigFile('/nonexistent/sgaudit.yaml', {}))[0]).toMatchObject({ document: '/nonexistent/sgaudit.yaml', reason: expect.stringContaining('cannot read') });
    const dir = mkdtempSync(join(tmpdir(), 'sgaudit-config-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'tokens: [\n');
    expect(problems(() => loadConfigFile(file, {}))[0]).toMatchObject({ document: file, reason: expect.stringContaining('malformed') });
  });
});
