/**
 * The validator tier for JUnit: what `whatif` and `audit` write validates against the JUnit XML
 * schema that Jenkins' JUnit plugin and GitLab read (junit.xsd here, written from their
 * documentation; the sources are in its header), with xmllint.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_SCENARIOS, WHATIF_SCENARIOS } from '../support/ci-scenarios.js';
import { runCli } from '../support/run-cli.js';
import { requireTier } from '../support/tier.js';
import { validateXml, xmllintMissing } from '../support/xmllint.js';
import { parseXml, type XmlElement } from '../support/xml-read.js';

const SCHEMA = join(import.meta.dirname, 'junit.xsd');
const missing = xmllintMissing();
const available = requireTier('junit-schema', missing === undefined, missing ?? '');

function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

describe.runIf(available)('JUnit XML validates against the CI servers\' schema', () => {
  it('the schema rejects what those servers cannot read (so a pass means something)', () => {
    expect(validateXml('<testsuites><testsuite tests="1"><testcase name="a"/></testsuite></testsuites>', SCHEMA).status).not.toBe(0);
    expect(validateXml('<testsuites><testsuite name="s" tests="1"><testcase name="a"><failure/><error/></testcase></testsuite></testsuites>', SCHEMA).status).not.toBe(0);
    expect(validateXml('<testsuites><testsuite name="s" tests="-1"/></testsuites>', SCHEMA).status).not.toBe(0);
    expect(validateXml('<testsuites><testsuite name="s" tests="1"><testcase name="a"><failure message="m" type="t">x</failure></testcase></testsuite></testsuites>', SCHEMA)).toEqual({ status: 0, errors: [] });
  });

  it.each(WHATIF_SCENARIOS)('whatif $name: 0 schema errors', async (s) => {
    const r = await runCli([...s.args, '--format', 'junit'], 'whatif.xml');
    expect(validateXml(r.out, SCHEMA)).toEqual({ status: 0, errors: [] });
  });

  it.each(AUDIT_SCENARIOS)('audit $name: 0 schema errors, and the job fails exactly when the exit code is 1', async (s) => {
    const r = await runCli([...s.args, '--format', 'junit'], 'audit.xml');
    expect(validateXml(r.out, SCHEMA)).toEqual({ status: 0, errors: [] });
    const root = parseXml(r.out);
    const notPassed = all(root, 'failure').length + all(root, 'error').length;
    expect(notPassed > 0).toBe(r.code === 1);
    expect(Number(root.attributes['tests'])).toBe(all(root, 'testcase').length);
  });
});
