/**
 * `clusters.<name>.cni` and `clusters.<name>.controlPlane` in the server configuration: read
 * into the target, and a bad value refused when `sgaudit serve` starts, naming the field.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import { loadConfigFile } from '../../src/http/config-file.js';
import { main } from '../../src/cli/main.js';
import { InputError } from '../../src/model/source.js';

const cluster = (extra: Record<string, unknown>) => ({ kubernetes: { kubeconfig: 'kubeconfig.yaml', context: 'fake' }, cloud: { provider: 'aws', region: 'us-east-1' }, ...extra });

function configFile(clusters: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sgaudit-cni-config-')), 'sgaudit.yaml');
  writeFileSync(file, stringify({ clusters }));
  return file;
}

async function serve(config: string): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stderr.write);
  const saved = process.exitCode;
  try {
    return { code: await main(['node', 'sgaudit', 'serve', '--config', config, '--port', '0', '--data-dir', ':memory:', '--log-level', 'silent']), stderr };
  } finally {
    err.mockRestore();
    process.exitCode = saved;
  }
}

describe('cni and controlPlane of a configured cluster', () => {
  it('are read into the target; absent means auto and off', () => {
    const config = loadConfigFile(configFile({ prod: cluster({ cni: 'calico', controlPlane: true }), lab: cluster({}) }), {});
    const byName = Object.fromEntries(config.clusters.map((c) => [c.name, c]));
    expect(byName.prod).toMatchObject({ cni: 'calico', controlPlane: true });
    expect(byName.lab!.cni).toBeUndefined();
    expect(byName.lab!.controlPlane).toBeUndefined();
  });

  it('a bad cni is an input error with the field path, the value and the accepted names', () => {
    const file = configFile({ prod: cluster({ cni: 'weave', controlPlane: 'yes' }) });
    let problems: InputError['problems'] = [];
    try {
      loadConfigFile(file, {});
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      problems = e.problems;
    }
    expect(problems).toContainEqual(expect.objectContaining({
      document: file, pointer: '/clusters/prod/cni', value: 'weave', reason: 'must be one of "auto", "flannel", "canal", "k3s", "rke2", "calico", "cilium"',
    }));
    expect(problems).toContainEqual(expect.objectContaining({ document: file, pointer: '/clusters/prod/controlPlane', reason: 'must be boolean' }));
  });

  it('sgaudit serve refuses to start on it: exit 2, the file, the field path and the value on stderr', async () => {
    const file = configFile({ prod: cluster({ cni: 'weave' }) });
    const run = await serve(file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('/clusters/prod/cni');
    expect(run.stderr).toContain('weave');
    expect(run.stderr).toContain('"auto", "flannel", "canal", "k3s", "rke2", "calico", "cilium"');
  });
});
