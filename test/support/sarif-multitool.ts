/**
 * Microsoft's SARIF validator (`Sarif.Multitool validate`, npm @microsoft/sarif-multitool-linux,
 * a self-contained .NET binary) run on a file; its findings are read from the SARIF log it writes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MULTITOOL = join(import.meta.dirname, '..', '..', 'node_modules', '@microsoft', 'sarif-multitool-linux', 'Sarif.Multitool');

/** Why the validator cannot run here, or undefined when it can. */
export function multitoolMissing(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the validator binary is for linux-x64, this is ${process.platform}-${process.arch}`;
  if (!existsSync(MULTITOOL)) return `${MULTITOOL} is missing (npm ci installs @microsoft/sarif-multitool)`;
  const r = spawnSync(MULTITOOL, ['--version'], { encoding: 'utf8', timeout: 60_000 });
  return r.status === 0 ? undefined : `${MULTITOOL} --version failed: ${r.error?.message ?? r.stderr}`;
}

export interface ValidatorFinding {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: string;
}

/** Every error, warning and note the validator reports for one SARIF file. */
export function validateSarif(file: string): ValidatorFinding[] {
  const log = join(mkdtempSync(join(tmpdir(), 'sarif-validate-')), 'validation.sarif');
  execFileSync(MULTITOOL, ['validate', file, '--output', log, '--log', 'ForceOverwrite', '--level', 'Error', 'Warning', 'Note'], { encoding: 'utf8', timeout: 120_000 });
  const parsed = JSON.parse(readFileSync(log, 'utf8').replace(/^\uFEFF/, '')) as {
    runs: { results?: { ruleId: string; level?: string; message: { text?: string; id?: string; arguments?: string[] } }[] }[];
  };
  return (parsed.runs[0]?.results ?? []).map((r) => ({
    ruleId: r.ruleId,
    level: (r.level ?? 'warning') as ValidatorFinding['level'],
    message: r.message.text ?? `${r.message.id}: ${(r.message.arguments ?? []).join(' | ')}`,
  }));
}
