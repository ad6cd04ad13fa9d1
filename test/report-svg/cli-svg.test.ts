/** `sgaudit audit --format svg`: the real main() in-process, output parsed as XML. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DOMParser } from '@xmldom/xmldom';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const INCIDENT = resolve(import.meta.dirname, '..', '..', 'examples', 'incident');
const dir = mkdtempSync(join(tmpdir(), 'sgaudit-svg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stdout.write);
  const saved = process.exitCode;
  try {
    return { code: await main(['node', 'sgaudit', ...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = saved;
  }
}

const incident = ['--nodes', join(INCIDENT, 'nodes.json'), '--flannel', join(INCIDENT, 'kube-flannel-cfg.json'), '--openstack', ...['ports.json', 'security-groups.json', 'subnets.json'].map((f) => join(INCIDENT, f))];

function blockedCells(svg: string): number {
  const doc = new DOMParser({ onError: (level, message) => { throw new Error(`${level}: ${message}`); } }).parseFromString(svg, 'image/svg+xml');
  return Array.from(doc.getElementsByTagName('g')).filter((g) => g.getAttribute('class') === 'cell blocked').length;
}

describe('sgaudit audit --format svg', () => {
  it('writes the matrix to stdout: 12 blocked cells for the 4-node incident, exit 1', async () => {
    const r = await run('audit', ...incident, '--format', 'svg');
    expect(r.code).toBe(1);
    expect(r.stdout.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(blockedCells(r.stdout)).toBe(12);
  });

  it('writes it to --out', async () => {
    const file = join(dir, 'm.svg');
    const r = await run('audit', ...incident, '--format', 'svg', '--out', file);
    expect(r.stdout).toBe('');
    expect(blockedCells(readFileSync(file, 'utf8'))).toBe(12);
  });
});
