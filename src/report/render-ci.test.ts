import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditReport } from '../model/report.js';
import { parseXml, type XmlElement } from '../../test/support/xml-read.js';
import { renderAuditJunit } from './render-junit.js';
import { renderAuditSarif } from './render-sarif.js';
import type { SarifLocator, SarifPlace } from './sarif-log.js';

const GOLDEN = join(import.meta.dirname, '..', '..', 'test', 'golden');
const load = (name: string): AuditReport => JSON.parse(readFileSync(join(GOLDEN, name, 'expected.json'), 'utf8')) as AuditReport;

function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

describe('audit JUnit', () => {
  it('fails one case per blocked finding, with the fix command in the body', () => {
    const root = parseXml(renderAuditJunit(load('incident')));
    const failures = all(root, 'failure');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.attributes['type']).toBe('blocked');
    expect(failures[0]!.text).toContain('openstack security group rule create --ingress');
    expect(all(root, 'error')).toHaveLength(0);
    expect(root.attributes).toMatchObject({ tests: String(all(root, 'testcase').length), failures: '1', errors: '0' });
  });

  it('shows unknown findings and failed collection calls as errors, and a clean requirement as a pass', () => {
    const incident = load('incident');
    const unknown: AuditReport = {
      ...incident,
      findings: incident.findings.map((f) => ({ ...f, verdict: 'unknown' as const })),
      warnings: [{ code: 'collection-incomplete', message: 'DescribeNetworkAcls failed: AccessDenied' }],
    };
    const root = parseXml(renderAuditJunit(unknown));
    expect(all(root, 'failure')).toHaveLength(0);
    expect(all(root, 'error').map((e) => e.attributes['type'])).toEqual(['unknown', 'collection-incomplete']);
    const healthy = parseXml(renderAuditJunit(load('healthy')));
    expect(all(healthy, 'failure').length + all(healthy, 'error').length).toBe(0);
    expect(all(healthy, 'testsuite').map((s) => s.attributes['name'])).toEqual([...load('healthy').requirements.map((r) => r.id), 'collection']);
  });
});

describe('audit SARIF', () => {
  it('one result per finding, located through the locator at the first cited rule, the others related', () => {
    const asked: [string, SarifPlace | undefined][] = [];
    const locator: SarifLocator = {
      baseIds: { ROOT: 'file:///r/' },
      locate(document, place) {
        asked.push([document, place]);
        return { artifactLocation: { uri: document, uriBaseId: 'ROOT' } };
      },
    };
    const report = load('incident');
    const sarif = JSON.parse(renderAuditSarif(report, { version: '9.9.9', informationUri: 'https://example.test/sgaudit', locator }));
    const run = sarif.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'sgaudit', version: '9.9.9', informationUri: 'https://example.test/sgaudit' });
    expect(run.originalUriBaseIds).toEqual({ ROOT: { uri: 'file:///r/' } });
    expect(run.results).toHaveLength(report.findings.length + report.warnings.length);
    const [first] = run.results;
    expect(first).toMatchObject({ ruleId: 'SGA-AUDIT-BLOCKED', level: 'error', properties: { findingId: 'F1', pairCount: 12 } });
    expect(first.message.text).toContain('openstack security group rule create');
    const nearest = report.findings[0]!.evidence[0]!.nearest!;
    expect(asked).toEqual(nearest.map((n) => [n.rule.source.document, { kind: 'pointer', pointer: n.rule.source.pointer }]));
    expect(first.relatedLocations).toHaveLength(nearest.length - 1);
    expect(run.artifacts).toEqual([{ location: { uri: 'examples/incident/security-groups.json', uriBaseId: 'ROOT' } }]);
  });
});
