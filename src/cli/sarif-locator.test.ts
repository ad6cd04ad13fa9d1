import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSarifLocator, SRCROOT } from './sarif-locator.js';
import type { SarifRegion } from '../report/sarif-log.js';

const ROOT = join(import.meta.dirname, '..', '..');
const PLAN = 'test/golden/whatif/aws-mixed/plan.json';
const GROUPS = 'examples/incident/security-groups.json';

function slice(file: string, r: SarifRegion | undefined): string {
  expect(r).toBeDefined();
  return readFileSync(join(ROOT, file), 'utf8').slice(r!.charOffset, r!.charOffset + r!.charLength);
}

describe('fileSarifLocator', () => {
  it('points a resource address at its resource_changes entry, with consistent line/column and offsets', async () => {
    const locator = await fileSarifLocator([PLAN], ROOT);
    expect(locator.baseIds).toEqual({ [SRCROOT]: `file://${ROOT}/` });
    const plan = JSON.parse(readFileSync(join(ROOT, PLAN), 'utf8')) as { resource_changes: { address: string }[] };
    for (const change of plan.resource_changes) {
      const at = locator.locate(PLAN, { kind: 'resource-address', address: change.address });
      expect(at?.artifactLocation).toEqual({ uri: PLAN, uriBaseId: SRCROOT });
      expect(JSON.parse(slice(PLAN, at?.region))).toEqual(change);
      const lines = readFileSync(join(ROOT, PLAN), 'utf8').split('\n');
      expect(lines[at!.region!.startLine - 1]!.slice(at!.region!.startColumn - 1).startsWith('{')).toBe(true);
    }
    expect(locator.locate(PLAN, { kind: 'resource-address', address: 'aws_nothing.here' })?.region).toBeUndefined();
  });

  it('points a JSON pointer at the value, decoding ~1 and ~0', async () => {
    const locator = await fileSarifLocator([GROUPS], ROOT);
    const at = locator.locate(GROUPS, { kind: 'pointer', pointer: '/security_groups/0/security_group_rules/5' });
    expect(JSON.parse(slice(GROUPS, at?.region))).toMatchObject({ id: 'a1b2c3d4-0006-4e5f-8a9b-0c1d2e3f4a06' });
    const dir = mkdtempSync(join(tmpdir(), 'locator-'));
    writeFileSync(join(dir, 'odd.json'), '{"a/b": {"c~d": [1, {"x": true}]}}');
    const odd = await fileSarifLocator(['odd.json'], dir);
    const r = odd.locate('odd.json', { kind: 'pointer', pointer: '/a~1b/c~0d/1' })!.region!;
    expect(r).toMatchObject({ startLine: 1, startColumn: 21, endColumn: 32, charOffset: 20, charLength: 11 });
    expect(odd.locate('odd.json', { kind: 'pointer', pointer: '/a~1b/c~0d/9' })?.region).toBeUndefined();
  });

  it('finds pointers in YAML, also in one document of a multi-document file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locator-'));
    writeFileSync(join(dir, 'nodes.yaml'), 'kind: List\n---\nkind: Node\nmetadata:\n  name: worker-1\n');
    const locator = await fileSarifLocator(['nodes.yaml[1]'], dir);
    const at = locator.locate('nodes.yaml[1]', { kind: 'pointer', pointer: '/metadata/name' });
    expect(at?.artifactLocation).toEqual({ uri: 'nodes.yaml', uriBaseId: SRCROOT });
    expect(at?.region).toMatchObject({ startLine: 5, startColumn: 9, endLine: 5, endColumn: 17 });
  });

  it('gives no location for documents that are no file, and a file: URI outside the working directory', async () => {
    const locator = await fileSarifLocator(['stdin', 'live:aws', '/etc/hostname'], ROOT);
    expect(locator.locate('stdin')).toBeUndefined();
    expect(locator.locate('live:aws', { kind: 'pointer', pointer: '' })).toBeUndefined();
    expect(locator.locate('/etc/hostname')).toEqual({ artifactLocation: { uri: 'file:///etc/hostname' } });
  });
});
