import { afterEach, describe, expect, it, vi } from 'vitest';
import { runAgentCommand } from './agent.js';

describe('sgaudit agent', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses to start without a secret, exit 2, saying how to provide one', async () => {
    vi.stubEnv('SGAUDIT_PROBE_SECRET', undefined);
    let stderr = '';
    const code = await runAgentCommand(
      { nodeName: 'n1', port: 9472, bind: '127.0.0.1', rate: 100, overlayDevice: 'flannel.1', refresh: 60, nodes: ['/nonexistent.json'] },
      { stderr: (s) => (stderr += s) },
    );
    expect(code).toBe(2);
    expect(stderr).toBe(
      'sgaudit agent: refusing to start: no probe secret: set SGAUDIT_PROBE_SECRET or pass --secret-file (the same secret for every agent and the orchestrator)\n',
    );
  });

  it('refuses to start when its inventory file cannot be read', async () => {
    vi.stubEnv('SGAUDIT_PROBE_SECRET', 'a-long-enough-secret-value');
    let stderr = '';
    const code = await runAgentCommand(
      { nodeName: 'n1', port: 9472, bind: '127.0.0.1', rate: 100, overlayDevice: 'flannel.1', refresh: 60, nodes: ['/nonexistent.json'] },
      { stderr: (s) => (stderr += s) },
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/refusing to start: .*nonexistent\.json.*file not found/);
  });
});
