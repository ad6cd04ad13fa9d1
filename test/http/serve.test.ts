import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startServer } from '../../src/http/server.js';
import { resolveSettings } from '../../src/http/settings.js';

describe('startServer', () => {
  it('listens on 127.0.0.1, stores into the data directory, answers, and closes', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'sgaudit-serve-'));
    const token = 'serve-test-token-0123456789';
    const running = await startServer(resolveSettings({ port: '0', dataDir, logLevel: 'silent' }, { SGAUDIT_API_TOKEN: token }), {});
    try {
      expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(running.store.kind).toBe('sqlite');
      expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
      expect((await fetch(`${running.url}/v1/audits`)).status).toBe(401);
      expect((await fetch(`${running.url}/v1/audits`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('refuses to start without any token, saying how to add one', async () => {
    await expect(startServer(resolveSettings({ port: '0', dataDir: ':memory:', logLevel: 'silent' }, {}), {})).rejects.toThrow(/SGAUDIT_API_TOKEN/);
  });
});
