import type { PairChange } from './diff.js';
import type { WhatifReport } from './report.js';
import { xmlEscape } from '../report/xml-text.js';

export { xmlEscape };

interface Case {
  name: string;
  classname: string;
  failure?: { type: string; message: string; body: string };
}

function pairName(p: PairChange): string {
  return `${p.sourceNode} -> ${p.destinationNode}`;
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
}

function suiteXml(name: string, cases: Case[]): Suite {
  const failures = cases.filter((c) => c.failure).length;
  const lines = [`  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`];
  for (const c of cases) {
    const head = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}"`;
    if (!c.failure) lines.push(`${head}/>`);
    else {
      lines.push(`${head}>`);
      lines.push(`      <failure type="${xmlEscape(c.failure.type)}" message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.body)}</failure>`);
      lines.push('    </testcase>');
    }
  }
  lines.push('  </testsuite>');
  return { xml: lines.join('\n'), tests: cases.length, failures };
}

/**
 * JUnit XML for CI gates: one suite per requirement (a failing case per listed newly blocked
 * or newly unknown pair) and one `proposal` suite for values known only after apply and
 * unsupported resources. Pass/fail matches the exit code.
 */
export function renderWhatifJunit(report: WhatifReport): string {
  const suites: Suite[] = [];
  for (const r of report.requirements) {
    const cls = `sgaudit.whatif.${r.id}`;
    const cases: Case[] = [];
    for (const p of report.newlyBlocked.filter((x) => x.requirement === r.id)) {
      cases.push({ name: `${pairName(p)} newly blocked`, classname: cls, failure: { type: 'newly-blocked', message: `${pairName(p)}: ${p.reason}`, body: `was ${p.before}, now blocked: ${p.reason}` } });
    }
    for (const p of report.newlyUnknownPairs.filter((x) => x.requirement === r.id)) {
      cases.push({ name: `${pairName(p)} newly unknown`, classname: cls, failure: { type: 'newly-unknown', message: `${pairName(p)}: ${p.reason}`, body: `was ${p.before}, now unknown: ${p.reason}` } });
    }
    for (const p of report.newlyAllowed.filter((x) => x.requirement === r.id)) cases.push({ name: `${pairName(p)} newly allowed`, classname: cls });
    if (cases.length === 0) cases.push({ name: 'no directed node pair changes verdict', classname: cls });
    suites.push(suiteXml(r.id, cases));
  }
  const proposal: Case[] = [];
  for (const u of report.unknownUntilApply) {
    proposal.push({ name: `${u.address} ${u.attribute}`, classname: 'sgaudit.whatif.proposal', failure: { type: 'unknown-until-apply', message: `${u.attribute} is known only after apply`, body: u.reason } });
  }
  for (const u of report.unsupported) {
    proposal.push({ name: `${u.address} unsupported`, classname: 'sgaudit.whatif.proposal', failure: { type: 'unsupported', message: `${u.resourceType} ${u.action} is not modeled`, body: u.reason } });
  }
  for (const c of report.changes) proposal.push({ name: `${c.address} ${c.kind}`, classname: 'sgaudit.whatif.proposal' });
  if (proposal.length === 0) proposal.push({ name: 'no resource changes node filtering', classname: 'sgaudit.whatif.proposal' });
  suites.push(suiteXml('proposal', proposal));
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const body = suites.map((s) => s.xml).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sgaudit whatif (${xmlEscape(report.verdict)})" tests="${tests}" failures="${failures}">\n${body}\n</testsuites>\n`;
}
