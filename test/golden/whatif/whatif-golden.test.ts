import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditInputs, RawDocument } from '../../../src/model/documents.js';
import { whatifFromInputs } from '../../../src/pipeline/whatif.js';
import { whatifExitCode, type WhatifReport } from '../../../src/whatif/report.js';
import { renderWhatifJunit } from '../../../src/whatif/render-junit.js';
import { renderWhatifMarkdown } from '../../../src/whatif/render-markdown.js';
import { renderWhatifSarif, SARIF_SCHEMA } from '../../../src/whatif/render-sarif.js';
import { parseXml, type XmlElement } from '../../support/xml-read.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const HERE = import.meta.dirname;
const INCIDENT = join(ROOT, 'examples', 'incident');
const UPDATE = process.env.SGAUDIT_UPDATE_GOLDEN === '1';

/** Names are repository-relative so the golden files do not depend on the checkout path. */
function doc(path: string): RawDocument {
  return { name: relative(ROOT, path), body: JSON.parse(readFileSync(path, 'utf8')) };
}

function openstackInputs(groups: 'incident' | 'healthy'): AuditInputs {
  const groupsFile = groups === 'incident' ? join(INCIDENT, 'security-groups.json') : join(HERE, 'openstack-healthy', 'security-groups.json');
  return {
    nodes: [doc(join(INCIDENT, 'nodes.json'))],
    flannel: [doc(join(INCIDENT, 'kube-flannel-cfg.json'))],
    aws: [],
    openstack: [doc(join(INCIDENT, 'ports.json')), doc(groupsFile), doc(join(INCIDENT, 'subnets.json'))],
    unavailable: [],
  };
}

function awsInputs(): AuditInputs {
  const dir = join(HERE, 'aws-cluster');
  return {
    nodes: [doc(join(dir, 'nodes.json'))],
    flannel: [doc(join(dir, 'kube-flannel-cfg.json'))],
    aws: ['describe-network-interfaces', 'describe-security-groups', 'describe-subnets', 'describe-network-acls'].map((f) => doc(join(dir, `${f}.json`))),
    openstack: [],
    unavailable: [],
  };
}

interface Scenario {
  name: string;
  inputs: () => AuditInputs;
  verdict: WhatifReport['verdict'];
  exitCode: 0 | 1;
}

const SCENARIOS: Scenario[] = [
  { name: 'delete-vxlan-rule', inputs: () => openstackInputs('healthy'), verdict: 'breaks', exitCode: 1 },
  { name: 'incident-add-rule', inputs: () => openstackInputs('incident'), verdict: 'fixes', exitCode: 0 },
  { name: 'unrelated-change', inputs: () => openstackInputs('healthy'), verdict: 'safe', exitCode: 0 },
  { name: 'incident-replace-rule', inputs: () => openstackInputs('incident'), verdict: 'fixes', exitCode: 0 },
  { name: 'unknown-values', inputs: () => openstackInputs('healthy'), verdict: 'unknown', exitCode: 1 },
  { name: 'aws-mixed', inputs: awsInputs, verdict: 'mixed', exitCode: 1 },
];

function report(s: Scenario, maxPairs = 1000): WhatifReport {
  return whatifFromInputs(s.inputs(), { terraformPlan: doc(join(HERE, s.name, 'plan.json')) }, { maxPairs });
}

describe('what-if golden reports', () => {
  it.each(SCENARIOS)('$name matches its golden report', (s) => {
    const r = report(s);
    const text = `${JSON.stringify(r, null, 2)}\n`;
    const file = join(HERE, s.name, 'expected.json');
    if (UPDATE) writeFileSync(file, text);
    expect(existsSync(file), `${file} missing; run with SGAUDIT_UPDATE_GOLDEN=1 to create it, then review the diff`).toBe(true);
    expect(text).toBe(readFileSync(file, 'utf8'));
  });

  it.each(SCENARIOS)('$name: verdict $verdict, exit code $exitCode', (s) => {
    const r = report(s);
    expect(r.verdict).toBe(s.verdict);
    expect(whatifExitCode(r)).toBe(s.exitCode);
  });
});

describe('what-if behaviour on the scenarios', () => {
  it('deleting the rule every node relies on newly blocks every directed pair and proposes the rule back', () => {
    const r = report(SCENARIOS[0]!);
    expect(r.newlyBlockedCount).toBe(12);
    expect(r.newlyAllowedCount).toBe(0);
    expect(r.newlyBlocked.every((p) => p.before === 'allowed' && p.after === 'blocked' && p.protocol === 'udp' && p.port === 8472)).toBe(true);
    expect(r.remediations.map((x) => [x.target.id, x.protocol, x.fromPort, x.cidr])).toEqual([['6a7d2c1e-9b3f-4e8a-b5c4-2f1e0d9c8b7a', 'udp', 8472, '172.16.10.0/24']]);
    expect(r.changes.map((c) => [c.address, c.kind, c.outcome])).toEqual([['openstack_networking_secgroup_rule_v2.flannel_vxlan', 'delete-sg-rule', 'applied']]);
  });

  it('lists at most maxPairs pairs while counts stay exact', () => {
    const r = report(SCENARIOS[0]!, 5);
    expect(r.newlyBlocked).toHaveLength(5);
    expect(r.newlyBlockedCount).toBe(12);
    expect(r.pairsTruncated).toBe(true);
    const names = r.newlyBlocked.map((p) => `${p.sourceNode}>${p.destinationNode}`);
    expect(names).toEqual([...names].sort());
  });

  it('an unrelated change applies but moves no verdict, and non-network resources are ignored', () => {
    const r = report(SCENARIOS[2]!);
    expect(r.changes.filter((c) => c.outcome === 'applied')).toHaveLength(2);
    expect(r.newlyBlockedCount + r.newlyAllowedCount + r.newlyUnknown).toBe(0);
    expect(r.ignored.map((i) => i.address)).toEqual(['aws_s3_bucket.logs', 'random_id.suffix', 'openstack_compute_instance_v2.worker[0]']);
    expect(r.proposal).toMatchObject({ kind: 'terraform-plan', unchangedResources: 1 });
  });

  it('values known only after apply are listed with their attribute and never guessed', () => {
    const r = report(SCENARIOS[4]!);
    expect(r.unknownUntilApply.map((u) => [u.address, u.attribute])).toEqual([
      ['openstack_networking_secgroup_rule_v2.overlay_vxlan', 'security_group_id'],
      ['openstack_networking_secgroup_rule_v2.vxlan_from_new_subnet', 'remote_ip_prefix'],
      ['openstack_networking_port_v2.worker_0', 'security_group_ids'],
    ]);
    expect(r.changes.map((c) => c.kind)).toEqual(['upsert-security-group']);
  });

  it('attributes each direction of the AWS change to the layer that moved it', () => {
    const r = report(SCENARIOS[5]!);
    expect(r.newlyBlocked.map((p) => [p.sourceNode, p.destinationNode, p.layer])).toEqual([
      ['ip-10-0-2-21', 'ip-10-0-1-11', 'security-group'],
      ['ip-10-0-2-21', 'ip-10-0-1-12', 'security-group'],
    ]);
    expect(r.newlyAllowed.map((p) => [p.sourceNode, p.destinationNode])).toEqual([
      ['ip-10-0-1-11', 'ip-10-0-2-21'],
      ['ip-10-0-1-12', 'ip-10-0-2-21'],
    ]);
    expect(r.ignored.map((i) => i.address)).toEqual(['aws_instance.worker[2]']);
  });
});

describe('SARIF 2.1.0 output', () => {
  it.each(SCENARIOS)('$name has the required structure and points results at resource addresses', (s) => {
    const r = report(s);
    const sarif = JSON.parse(renderWhatifSarif(r, '0.1.0'));
    expect(sarif.$schema).toBe(SARIF_SCHEMA);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    const run = sarif.runs[0];
    expect(run.tool.driver.name).toBe('sgaudit');
    const ruleIds = run.tool.driver.rules.map((x: { id: string }) => x.id);
    expect(new Set(ruleIds).size).toBe(ruleIds.length);
    for (const res of run.results) {
      expect(ruleIds).toContain(res.ruleId);
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(['error', 'warning', 'note']).toContain(res.level);
      expect(typeof res.message.text).toBe('string');
      const loc = res.locations[0];
      expect(loc.logicalLocations[0].kind).toBe('resource');
      expect(loc.physicalLocation.artifactLocation.uri).toBe(relative(ROOT, join(HERE, s.name, 'plan.json')));
    }
    const errors = run.results.filter((x: { level: string }) => x.level === 'error');
    expect(errors.length > 0).toBe(r.newlyBlockedCount > 0);
    const warnings = run.results.filter((x: { ruleId: string }) => x.ruleId === 'SGA-WHATIF-UNKNOWN-UNTIL-APPLY');
    expect(warnings.map((x: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) => x.locations[0]!.logicalLocations[0]!.fullyQualifiedName)).toEqual(
      r.unknownUntilApply.map((u) => u.address),
    );
  });

  it('blames the resource whose change touched the deciding object', () => {
    const sarif = JSON.parse(renderWhatifSarif(report(SCENARIOS[5]!), '0.1.0'));
    const byRule = (id: string) => sarif.runs[0].results.filter((x: { ruleId: string }) => x.ruleId === id).map((x: { locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }) => x.locations[0]!.logicalLocations[0]!.fullyQualifiedName);
    expect(byRule('SGA-WHATIF-BLOCKED')).toEqual(['aws_security_group.nodes']);
    expect(byRule('SGA-WHATIF-ALLOWED')).toEqual(['aws_network_acl_rule.block_vxlan_from_a']);
  });
});

function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}

describe('JUnit output', () => {
  it.each(SCENARIOS)('$name parses back with consistent counts', (s) => {
    const r = report(s);
    const root = parseXml(renderWhatifJunit(r));
    expect(root.name).toBe('testsuites');
    const suites = all(root, 'testsuite');
    expect(suites.map((x) => x.attributes['name'])).toEqual([...r.requirements.map((q) => q.id), 'proposal']);
    const cases = all(root, 'testcase');
    const failures = all(root, 'failure');
    expect(Number(root.attributes['tests'])).toBe(cases.length);
    expect(Number(root.attributes['failures'])).toBe(failures.length);
    for (const suite of suites) expect(Number(suite.attributes['failures'])).toBe(all(suite, 'failure').length);
    expect(failures.length).toBe(r.newlyBlocked.length + r.newlyUnknownPairs.length + r.unknownUntilApply.length + r.unsupported.length);
    expect(failures.length > 0).toBe(whatifExitCode(r) === 1);
  });

  it('escapes markup in names and messages', () => {
    const r = report(SCENARIOS[0]!);
    const hostile = { ...r, newlyBlocked: r.newlyBlocked.map((p) => ({ ...p, sourceNode: `a<b>&"c'`, reason: 'x < y & z > w' })) };
    const root = parseXml(renderWhatifJunit(hostile));
    const failure = all(root, 'failure')[0]!;
    expect(failure.attributes['message']).toBe(`a<b>&"c' -> ${r.newlyBlocked[0]!.destinationNode}: x < y & z > w`);
    expect(all(root, 'testcase')[0]!.attributes['name']).toContain(`a<b>&"c'`);
  });
});

describe('Markdown output', () => {
  it('leads with the verdict and lists the newly blocked pairs', () => {
    const md = renderWhatifMarkdown(report(SCENARIOS[0]!, 2));
    expect(md.split('\n')[0]).toBe('## sgaudit what-if: this change BREAKS overlay traffic');
    expect(md).toContain('| k8s-master-0 (172.16.10.11) | k8s-worker-0 (172.16.10.85) | flannel-vxlan | udp 8472 | allowed |');
    expect(md).toContain('_10 more not listed');
  });

  it('escapes table cell separators', () => {
    const r = report(SCENARIOS[0]!, 1);
    const md = renderWhatifMarkdown({ ...r, newlyBlocked: r.newlyBlocked.map((p) => ({ ...p, reason: 'a | b' })) });
    expect(md).toContain('a \\| b');
  });
});
