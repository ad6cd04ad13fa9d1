/** `xmllint --schema` (Debian libxml2-utils) on one XML text. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function xmllintMissing(): string | undefined {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'xmllint is not installed (apt-get install libxml2-utils)';
}

/** The schema errors xmllint reports (empty when the document is valid), and its exit status. */
export function validateXml(xml: string, schema: string): { status: number | null; errors: string[] } {
  const file = join(mkdtempSync(join(tmpdir(), 'xmllint-')), 'doc.xml');
  writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', schema, file], { encoding: 'utf8' });
  const errors = r.stderr.split('\n').filter((l) => l.trim() !== '' && !l.endsWith(' validates'));
  return { status: r.status, errors };
}
