import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSecret, RequestVerifier, SecretError, sign, signedHeaders, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './auth.js';

const secret = Buffer.from('0123456789abcdef0123456789abcdef');
const T0 = 1_800_000_000_000;

function verifier(now = T0) {
  let clock = now;
  const v = new RequestVerifier(secret, { now: () => clock });
  return { v, advance: (ms: number) => (clock += ms) };
}

function headersAt(ts: number, body = '{"a":1}', path = '/v1/probe/send') {
  const h = signedHeaders(secret, 'POST', path, body, ts);
  return { timestamp: h[TIMESTAMP_HEADER], signature: h[SIGNATURE_HEADER] };
}

describe('RequestVerifier', () => {
  it('accepts a fresh signed request once and rejects its replay', () => {
    const { v } = verifier();
    const h = headersAt(T0);
    expect(v.verify(h, 'POST', '/v1/probe/send', '{"a":1}')).toEqual({ ok: true });
    expect(v.verify(h, 'POST', '/v1/probe/send', '{"a":1}')).toEqual({ ok: false, reason: 'replayed request (signature already used)' });
  });

  it('rejects a replay until the request is too old, then rejects it for its age', () => {
    const { v, advance } = verifier();
    const h = headersAt(T0);
    expect(v.verify(h, 'POST', '/v1/probe/send', '{"a":1}').ok).toBe(true);
    advance(29_000);
    expect(v.verify(h, 'POST', '/v1/probe/send', '{"a":1}')).toMatchObject({ ok: false, reason: /replayed/ });
    advance(2_000);
    expect(v.verify(h, 'POST', '/v1/probe/send', '{"a":1}')).toMatchObject({ ok: false, reason: /31 s away/ });
  });

  it.each([
    { skewMs: -30_000, ok: true },
    { skewMs: 30_000, ok: true },
    { skewMs: -30_001, ok: false },
    { skewMs: 30_001, ok: false },
  ])('timestamp skew $skewMs ms -> ok=$ok', ({ skewMs, ok }) => {
    const { v } = verifier();
    expect(v.verify(headersAt(T0 + skewMs), 'POST', '/v1/probe/send', '{"a":1}').ok).toBe(ok);
  });

  it.each<[string, { body?: string; path?: string; method?: string }]>([
    ['a changed body', { body: '{"a":2}' }],
    ['a changed path', { path: '/v1/probe/received' }],
    ['a changed method', { method: 'PUT' }],
  ])('rejects %s under the original signature', (_label, change) => {
    const { v } = verifier();
    const h = headersAt(T0);
    const res = v.verify(h, change.method ?? 'POST', change.path ?? '/v1/probe/send', change.body ?? '{"a":1}');
    expect(res).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('rejects a signature made with another secret', () => {
    const { v } = verifier();
    const other = sign(Buffer.from('another-secret-another-secret!!'), String(T0), 'POST', '/x', '');
    expect(v.verify({ timestamp: String(T0), signature: other }, 'POST', '/x', '')).toEqual({ ok: false, reason: 'bad signature' });
  });

  it.each([
    [{ timestamp: undefined, signature: 'ab' }, /missing/],
    [{ timestamp: String(T0), signature: undefined }, /missing/],
    [{ timestamp: 'yesterday', signature: 'ab' }, /epoch milliseconds/],
    [{ timestamp: String(T0), signature: 'zz'.repeat(32) }, /64 hex/],
    [{ timestamp: String(T0), signature: 'ab' }, /64 hex/],
  ])('rejects malformed headers %o', (h, reason) => {
    const { v } = verifier();
    expect(v.verify(h, 'POST', '/x', '')).toMatchObject({ ok: false, reason });
  });

  it('fails closed when the replay memory is full, and recovers once entries expire', () => {
    let clock = T0;
    const v = new RequestVerifier(secret, { now: () => clock, maxRemembered: 2 });
    expect(v.verify(headersAt(T0, '1'), 'POST', '/v1/probe/send', '1').ok).toBe(true);
    expect(v.verify(headersAt(T0, '2'), 'POST', '/v1/probe/send', '2').ok).toBe(true);
    expect(v.verify(headersAt(T0, '3'), 'POST', '/v1/probe/send', '3')).toMatchObject({ ok: false, reason: /too many/ });
    clock += 60_001;
    expect(v.verify(headersAt(clock, '3'), 'POST', '/v1/probe/send', '3').ok).toBe(true);
  });
});

describe('loadSecret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sgaudit-secret-'));

  it('prefers --secret-file and drops one trailing newline', async () => {
    const f = join(dir, 's');
    writeFileSync(f, 'file-secret-0123456789\n');
    expect((await loadSecret({ secretFile: f, env: { SGAUDIT_PROBE_SECRET: 'env-secret-0123456789' } })).toString()).toBe('file-secret-0123456789');
  });

  it('reads SGAUDIT_PROBE_SECRET', async () => {
    expect((await loadSecret({ env: { SGAUDIT_PROBE_SECRET: 'env-secret-0123456789' } })).toString()).toBe('env-secret-0123456789');
  });

  it.each([
    [{ env: {} }, /no probe secret: set SGAUDIT_PROBE_SECRET or pass --secret-file/],
    [{ env: { SGAUDIT_PROBE_SECRET: '   ' } }, /no probe secret/],
    [{ env: { SGAUDIT_PROBE_SECRET: 'short' } }, /5 bytes; use at least 16/],
    [{ secretFile: '/nonexistent/secret', env: {} }, /cannot read --secret-file/],
  ])('refuses %o', async (opts, message) => {
    await expect(loadSecret(opts)).rejects.toThrow(SecretError);
    await expect(loadSecret(opts)).rejects.toThrow(message);
  });
});
