import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';

/** Runs one sgaudit command in-process with --out, and returns its exit code and output file. */
export async function runCli(args: string[], outName = 'out'): Promise<{ code: number; file: string; out: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'sgaudit-cli-')), outName);
  writeFileSync(file, '');
  try {
    const code = await main(['node', 'sgaudit', ...args, '--out', file]);
    return { code, file, out: readFileSync(file, 'utf8') };
  } finally {
    // The command sets process.exitCode like a real run; it must not fail the test process.
    process.exitCode = undefined;
  }
}
