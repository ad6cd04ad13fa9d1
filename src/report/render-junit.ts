import { COLLECTION_INCOMPLETE } from './collection-warnings.js';
import type { AuditReport, Finding, ReportRequirement } from '../model/report.js';
import { confirmationText, flowText, pairText, plural, remediationsFor, targetText } from './report-text.js';
import { xmlEscape } from './xml-text.js';

/**
 * How a case ended. JUnit readers (Jenkins' JUnit plugin, GitLab's unit test reports) tell a
 * `failure` (the check ran and found the flow blocked) from an `error` (the check could not run
 * to an answer). An unknown verdict is the second kind: sgaudit could not decide, so it is an
 * `error`, which both servers count as not passed, like exit code 1.
 */
type Outcome = { kind: 'passed' } | { kind: 'failure' | 'error'; type: string; message: string; body: string };

interface Case {
  name: string;
  classname: string;
  outcome: Outcome;
}

function suiteXml(name: string, cases: Case[]): { xml: string; tests: number; failures: number; errors: number } {
  const failures = cases.filter((c) => c.outcome.kind === 'failure').length;
  const errors = cases.filter((c) => c.outcome.kind === 'error').length;
  const lines = [`  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="0">`];
  for (const c of cases) {
    const head = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}"`;
    const o = c.outcome;
    if (o.kind === 'passed') {
      lines.push(`${head}/>`);
      continue;
    }
    lines.push(`${head}>`);
    lines.push(`      <${o.kind} type="${xmlEscape(o.type)}" message="${xmlEscape(o.message)}">${xmlEscape(o.body)}</${o.kind}>`);
    lines.push('    </testcase>');
  }
  lines.push('  </testsuite>');
  return { xml: lines.join('\n'), tests: cases.length, failures, errors };
}

function findingBody(report: AuditReport, f: Finding): string {
  const lines = [f.reason, `${plural(f.pairCount, 'directed pair')}${f.pairsTruncated ? ` (${f.pairs.length} listed)` : ''}:`];
  for (const p of f.pairs) lines.push(`  ${pairText(p)}`);
  for (const e of f.evidence) {
    if (e.decidingRule) lines.push(`deciding rule: ${e.decidingRule.text} (${e.decidingRule.source.document}#${e.decidingRule.source.pointer})`);
    for (const n of e.nearest ?? []) lines.push(`nearest rule: ${n.rule.text}: ${n.mismatch} (${n.rule.source.document}#${n.rule.source.pointer})`);
  }
  const probe = confirmationText(f);
  if (probe) lines.push(probe);
  for (const r of remediationsFor(report, f.id)) lines.push(`fix ${r.id}: ${r.commands.cli}`);
  return lines.join('\n');
}

function findingCase(report: AuditReport, f: Finding, classname: string): Case {
  const where = [f.layer, f.direction, targetText(f.target)].filter((x) => x).join(' ');
  const name = `${f.id} ${f.verdict}: ${flowText(f) || f.requirement} at ${where}, ${plural(f.pairCount, 'pair')}`;
  const type = f.contradiction ? `probe-${f.contradiction}` : f.verdict;
  return { name, classname, outcome: { kind: f.verdict === 'blocked' ? 'failure' : 'error', type, message: f.reason, body: findingBody(report, f) } };
}

function requirementCases(report: AuditReport, r: ReportRequirement): Case[] {
  const classname = `sgaudit.audit.${r.id}`;
  const findings = report.findings.filter((f) => f.requirement === r.id);
  if (findings.length > 0) return findings.map((f) => findingCase(report, f, classname));
  return [{ name: `every directed pair passes ${r.title}`, classname, outcome: { kind: 'passed' } }];
}

/**
 * JUnit XML for CI gates on the current state: one suite per requirement, one case per finding
 * (blocked: `failure`; unknown: `error`), a passing case for a requirement with no finding, and
 * a `collection` suite whose cases error for every collection call that failed. The job fails
 * exactly when the exit code is 1.
 */
export function renderAuditJunit(report: AuditReport): string {
  const suites = report.requirements.map((r) => suiteXml(r.id, requirementCases(report, r)));
  // Contradiction findings (audit --probe) can name a requirement outside the list above.
  const known = new Set(report.requirements.map((r) => r.id));
  const stray = report.findings.filter((f) => !known.has(f.requirement));
  if (stray.length > 0) suites.push(suiteXml('other', stray.map((f) => findingCase(report, f, `sgaudit.audit.${f.requirement}`))));
  const incomplete = report.warnings.filter((w) => w.code === COLLECTION_INCOMPLETE);
  const collection: Case[] = incomplete.map((w, i) => ({
    name: `collection ${i + 1}${w.source ? ` (${w.source.document})` : ''}`,
    classname: 'sgaudit.audit.collection',
    outcome: { kind: 'error', type: COLLECTION_INCOMPLETE, message: w.message, body: w.message },
  }));
  if (collection.length === 0) collection.push({ name: 'every collection call answered', classname: 'sgaudit.audit.collection', outcome: { kind: 'passed' } });
  suites.push(suiteXml('collection', collection));
  const tests = suites.reduce((n, s) => n + s.tests, 0);
  const failures = suites.reduce((n, s) => n + s.failures, 0);
  const errors = suites.reduce((n, s) => n + s.errors, 0);
  const s = report.summary;
  const name = `sgaudit audit (${s.allowed} allowed, ${s.blocked} blocked, ${s.unknown} unknown of ${s.directedPairs} directed pairs)`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xmlEscape(name)}" tests="${tests}" failures="${failures}" errors="${errors}">\n${suites.map((x) => x.xml).join('\n')}\n</testsuites>\n`;
}
