import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/http/config-file.js';
import { InputError, type InputProblem } from '../../src/model/source.js';

const SECRET = 'webhook-secret-0123456789abcdef';
const ENV = { HOOK_SECRET: SECRET, SHORT_SECRET: 'too-short' };
const CLUSTERS = { prod: { kubernetes: {}, cloud: { provider: 'aws', region: 'eu-west-1' } }, staging: { kubernetes: {}, cloud: { provider: 'aws' } } };

function problems(body: unknown, env: NodeJS.ProcessEnv = ENV): InputProblem[] {
  try {
    parseConfig(body, 'sgaudit.yaml', env);
  } catch (e) {
    if (e instanceof InputError) return e.problems;
    throw e;
  }
  throw new Error('expected an InputError');
}

const hook = (extra: Record<string, unknown> = {}) => ({ name: 'ops', url: 'https://hooks.example.com/sgaudit', secretEnv: 'HOOK_SECRET', ...extra });

describe('webhooks in the configuration file', () => {
  it('reads targets with their secrets from the environment, format json by default', () => {
    const config = parseConfig(
      { clusters: CLUSTERS, webhooks: [hook(), hook({ name: 'chat', url: 'http://127.0.0.1:9000/x', format: 'slack', clusters: ['prod'], events: ['blocked', 'resolved'] })] },
      'sgaudit.yaml',
      ENV,
    );
    expect(config.webhooks.map(({ secret: _s, ...t }) => t)).toEqual([
      { name: 'ops', url: 'https://hooks.example.com/sgaudit', secretEnv: 'HOOK_SECRET', format: 'json' },
      { name: 'chat', url: 'http://127.0.0.1:9000/x', secretEnv: 'HOOK_SECRET', format: 'slack', clusters: ['prod'], events: ['blocked', 'resolved'] },
    ]);
    expect(config.webhooks[0]?.secret.bytes().toString()).toBe(SECRET);
    // However the target is printed, the secret is not.
    expect(JSON.stringify(config.webhooks)).not.toContain(SECRET);
    expect(inspect(config.webhooks, { depth: 5 })).not.toContain(SECRET);
    expect(String(config.webhooks[0]?.secret)).toBe('[webhook secret]');
  });

  it('has no targets without the key', () => {
    expect(parseConfig({ clusters: CLUSTERS }, 'sgaudit.yaml', ENV).webhooks).toEqual([]);
  });

  it('drops the trailing newline of a secret mounted from a file', () => {
    const config = parseConfig({ webhooks: [hook()] }, 'sgaudit.yaml', { HOOK_SECRET: `${SECRET}\n` });
    expect(config.webhooks[0]?.secret.bytes().toString()).toBe(SECRET);
  });

  it.each([
    ['an ftp URL', hook({ url: 'ftp://files.example.com/x' }), { pointer: '/webhooks/0/url', value: 'ftp:', reason: 'must be an http:// or https:// URL' }],
    ['a relative URL', hook({ url: '/hooks/x' }), { pointer: '/webhooks/0/url', reason: 'is not an absolute URL such as https://hooks.example.com/sgaudit (the value is not shown: webhook URLs often carry a token)' }],
    [
      'credentials in the URL',
      hook({ url: 'https://user:pw@hooks.example.com/services/T0/B0/xyz' }),
      { pointer: '/webhooks/0/url', value: 'https://hooks.example.com/…', reason: 'must not contain a user name or password; the receiver checks the X-Sgaudit-Signature header instead' },
    ],
    ['a fragment', hook({ url: 'https://hooks.example.com/x#y' }), { pointer: '/webhooks/0/url', value: 'https://hooks.example.com/…', reason: 'must not contain a #fragment; it is never sent to the receiver' }],
    ['an unset secret variable', hook({ secretEnv: 'NOT_SET' }), { pointer: '/webhooks/0/secretEnv', value: 'NOT_SET', reason: 'the environment variable is not set (it must hold the webhook signing secret)' }],
    ['a short secret', hook({ secretEnv: 'SHORT_SECRET' }), { pointer: '/webhooks/0/secretEnv', value: 'SHORT_SECRET', reason: 'the secret in it is 9 bytes; use at least 16 (e.g. openssl rand -hex 32)' }],
    ['an unknown cluster', hook({ clusters: ['prod', 'prdo'] }), { pointer: '/webhooks/0/clusters/1', value: 'prdo', reason: 'no cluster of this name is configured under clusters' }],
    ['an unknown event', hook({ events: ['blocked', 'fixed'] }), { pointer: '/webhooks/0/events/1', value: 'fixed', reason: 'must be one of "blocked", "resolved", "changed"' }],
    ['an unknown format', hook({ format: 'teams' }), { pointer: '/webhooks/0/format', value: 'teams', reason: 'must be one of "json", "slack"' }],
    ['no URL', { name: 'ops', secretEnv: 'HOOK_SECRET' }, { pointer: '/webhooks/0/url', reason: 'is required' }],
  ])('refuses %s with the file, pointer and reason', (_what, entry, expected) => {
    expect(problems({ clusters: CLUSTERS, webhooks: [entry] })).toEqual([{ document: 'sgaudit.yaml', ...expected }]);
  });

  it('refuses two targets of one name', () => {
    expect(problems({ webhooks: [hook(), hook({ url: 'https://other.example.com/' })] })).toEqual([{ document: 'sgaudit.yaml', pointer: '/webhooks/1/name', value: 'ops', reason: 'another webhook has this name' }]);
  });

  it('never echoes a URL or an inline secret in a schema error', () => {
    const found = problems({ webhooks: [{ ...hook({ url: 42 }), secret: SECRET }] });
    expect(found.map((p) => p.pointer).sort()).toEqual(['/webhooks/0/secret', '/webhooks/0/url']);
    expect(found.every((p) => p.value === undefined)).toBe(true);
    expect(JSON.stringify(found)).not.toContain(SECRET);
  });

  it('reports every problem at once', () => {
    const found = problems({ webhooks: [hook({ url: 'gopher://x' }), hook({ name: 'b', secretEnv: 'NOT_SET' })] });
    expect(found.map((p) => p.pointer)).toEqual(['/webhooks/0/url', '/webhooks/1/secretEnv']);
  });
});
