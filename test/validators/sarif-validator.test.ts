/**
 * The validator tier: the SARIF that `whatif` and `audit` write passes Microsoft's SARIF
 * validator with no error and no warning. The notes it still gives are listed below with the
 * reason each stays (docs/whatif.md, "SARIF validation"); a new one fails the test.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_SCENARIOS, ROOT, WHATIF_SCENARIOS } from '../support/ci-scenarios.js';
import { runCli } from '../support/run-cli.js';
import { multitoolMissing, validateSarif, type ValidatorFinding } from '../support/sarif-multitool.js';
import { requireTier } from '../support/tier.js';

const missing = multitoolMissing();
const available = requireTier('sarif-validator', missing === undefined, missing ?? '');

/** Notes (the validator's lowest level) that remain, each for a reason given in docs/whatif.md. */
const ACCEPTED_NOTES = new Set([
  'SARIF2002', // message.text rather than message ids and arguments: each message is one specific finding
  'SARIF2003', // no versionControlProvenance: sgaudit reads exports and plans, not a checkout
  'SARIF2009', // rule ids SGA-WHATIF-BLOCKED… rather than SGA1001…: existing alerts are keyed by them
  'SARIF2010', // no region.snippet: a plan entry is often kilobytes of JSON
  'SARIF2011', // no contextRegion: the region already spans the whole resource entry
  'SARIF2012', // no helpUri: a URL into the repository's docs on some branch would be a guess
  'SARIF2013', // no embedded file contents: plans and exports can hold many megabytes
]);
/** SARIF2006 says $schema was not reachable; whether it is depends on the network, not on us. */
const NETWORK_DEPENDENT = 'SARIF2006';

function check(findings: ValidatorFinding[], alsoAccepted: string[] = []): void {
  const show = (f: ValidatorFinding): string => `${f.level} ${f.ruleId}: ${f.message}`;
  expect(findings.filter((f) => f.level === 'error').map(show)).toEqual([]);
  expect(findings.filter((f) => f.level === 'warning').map(show)).toEqual([]);
  const notes = new Set(findings.filter((f) => f.level === 'note' && f.ruleId !== NETWORK_DEPENDENT).map((f) => f.ruleId));
  expect([...notes].filter((n) => !ACCEPTED_NOTES.has(n) && !alsoAccepted.includes(n))).toEqual([]);
}

describe.runIf(available)('Sarif.Multitool validate accepts sgaudit SARIF', () => {
  it.each(WHATIF_SCENARIOS)('whatif $name: 0 errors, 0 warnings', async (s) => {
    const r = await runCli([...s.args, '--format', 'sarif'], 'whatif.sarif');
    // Every result that names a file also names where in it (the validator warns otherwise too, SARIF2017).
    for (const res of JSON.parse(r.out).runs[0].results) expect(res.locations[0].physicalLocation.region).toBeDefined();
    check(validateSarif(r.file));
  }, 60_000);

  it.each(AUDIT_SCENARIOS)('audit $name: 0 errors, 0 warnings', async (s) => {
    const r = await runCli([...s.args, '--format', 'sarif'], 'audit.sarif');
    check(validateSarif(r.file));
  }, 60_000);

  it('the plan that gave SARIF1004 before (absolute path) and a plan outside the working directory both pass', async () => {
    const s = WHATIF_SCENARIOS.find((x) => x.name === 'delete-vxlan-rule')!;
    const absolute = s.args.map((a) => (a.endsWith('plan.json') ? join(ROOT, a) : a));
    const inside = await runCli([...absolute, '--format', 'sarif'], 'abs.sarif');
    expect(JSON.parse(inside.out).runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'test/golden/whatif/delete-vxlan-rule/plan.json', uriBaseId: '%SRCROOT%' });
    check(validateSarif(inside.file));
    const outsidePlan = join(mkdtempSync(join(tmpdir(), 'plan dir ')), 'plan.json');
    copyFileSync(join(ROOT, 'test/golden/whatif/delete-vxlan-rule/plan.json'), outsidePlan);
    const outside = await runCli([...s.args.map((a) => (a.endsWith('plan.json') ? outsidePlan : a)), '--format', 'sarif'], 'out.sarif');
    const uri = JSON.parse(outside.out).runs[0].results[0].locations[0].physicalLocation.artifactLocation;
    expect(uri.uri).toMatch(/^file:\/\/\/.*plan%20dir%20.*\/plan\.json$/);
    expect(uri.uriBaseId).toBeUndefined();
    // SARIF2016 prefers a relative reference; a file outside the working directory has none to give.
    check(validateSarif(outside.file), ['SARIF2016']);
  }, 60_000);
});
