import type { RuleCitation } from '../model/evidence.js';
import type { AuditReport, Finding } from '../model/report.js';
import type { Warning } from '../model/source.js';
import { confirmationText, flowText, pairText, plural, remediationsFor, targetText } from './report-text.js';
import {
  NAME_ONLY_LOCATOR,
  SARIF_SCHEMA,
  sarifArtifacts,
  sarifBaseIds,
  sarifDriver,
  sarifRule,
  type SarifLevel,
  type SarifLocator,
  type SarifPhysicalLocation,
  type SarifToolOptions,
} from './sarif-log.js';

const DOC = 'README.md';
const RULES = [
  sarifRule('SGA-AUDIT-BLOCKED', 'FlowBlocked', 'The cloud blocks traffic the CNI needs between nodes', 'For at least one directed node pair, a security group, network ACL or port setting drops a flow the CNI needs (for flannel vxlan: UDP 8472 node to node).', 'error', DOC),
  sarifRule('SGA-AUDIT-UNKNOWN', 'FlowUnknown', 'Whether the cloud lets traffic the CNI needs through could not be decided', 'For at least one directed node pair, the inputs do not decide a flow the CNI needs: a node is not tied to a cloud interface, or a collection call failed.', 'warning', DOC),
  sarifRule('SGA-AUDIT-INPUT', 'InputWarning', 'An input is odd but was used', 'A translator met input it could work around; the message says what was assumed or skipped.', 'note', DOC),
];

interface Rendered {
  json: unknown;
  physical: (SarifPhysicalLocation | undefined)[];
}

/** Every rule a finding cites: the deciding ones first, then the nearest misses. */
function citedRules(f: Finding): RuleCitation[] {
  const deciding = f.evidence.flatMap((e) => (e.decidingRule ? [e.decidingRule] : []));
  const nearest = f.evidence.flatMap((e) => (e.nearest ?? []).map((n) => n.rule));
  return [...deciding, ...nearest];
}

function messageText(report: AuditReport, f: Finding): string {
  const first = f.pairs[0];
  const parts = [`${f.id} ${f.verdict}: ${f.requirement}${flowText(f) ? ` ${flowText(f)}` : ''} at ${[f.layer, f.direction, targetText(f.target)].filter((x) => x).join(' ')} for ${plural(f.pairCount, 'directed pair')}. ${f.reason}`];
  if (first) parts.push(`e.g. ${pairText(first)}.`);
  const probe = confirmationText(f);
  if (probe) parts.push(`${probe}.`);
  for (const r of remediationsFor(report, f.id)) parts.push(`Fix ${r.id}: ${r.commands.cli}`);
  return parts.join(' ');
}

function findingResult(report: AuditReport, f: Finding, locator: SarifLocator): Rendered {
  // The first cited rule is where a reader starts: the rule that decided, or the closest miss.
  const places = citedRules(f).map((r) => ({ rule: r, at: locator.locate(r.source.document, { kind: 'pointer', pointer: r.source.pointer }) }));
  const primary = places.find((p) => p.at);
  const logical = f.target ? [{ fullyQualifiedName: f.target.id, name: f.target.name ?? f.target.id, kind: 'resource' }] : [];
  const location = { ...(primary?.at ? { physicalLocation: primary.at } : {}), ...(logical.length > 0 ? { logicalLocations: logical } : {}) };
  const related = places
    .filter((p) => p !== primary && p.at)
    .map((p, i) => ({ id: i + 1, physicalLocation: p.at!, message: { text: p.rule.text } }));
  const level: SarifLevel = f.verdict === 'blocked' ? 'error' : 'warning';
  const ruleId = f.verdict === 'blocked' ? 'SGA-AUDIT-BLOCKED' : 'SGA-AUDIT-UNKNOWN';
  const json = {
    ruleId,
    ruleIndex: RULES.findIndex((r) => r.id === ruleId),
    level,
    message: { text: messageText(report, f) },
    ...(Object.keys(location).length > 0 ? { locations: [location] } : {}),
    ...(related.length > 0 ? { relatedLocations: related } : {}),
    properties: {
      findingId: f.id,
      requirement: f.requirement,
      layer: f.layer,
      pairCount: f.pairCount,
      remediations: remediationsFor(report, f.id).map((r) => r.id),
      ...(f.confirmation ? { confirmation: f.confirmation } : {}),
    },
  };
  return { json, physical: places.map((p) => p.at) };
}

function warningResult(w: Warning, locator: SarifLocator): Rendered {
  const at = w.source ? locator.locate(w.source.document, { kind: 'pointer', pointer: w.source.pointer }) : undefined;
  const ruleId = 'SGA-AUDIT-INPUT';
  return {
    json: { ruleId, ruleIndex: RULES.findIndex((r) => r.id === ruleId), level: 'note', message: { text: `${w.code}: ${w.message}` }, ...(at ? { locations: [{ physicalLocation: at }] } : {}), properties: { code: w.code } },
    physical: [at],
  };
}

/**
 * SARIF 2.1.0 of an audit, for CI gates on the current state: one result per finding, located
 * at the rule the evidence cites (its file and the JSON value at its pointer), the other cited
 * rules as related locations, and one note per input warning.
 */
export function renderAuditSarif(report: AuditReport, options: SarifToolOptions): string {
  const locator = options.locator ?? NAME_ONLY_LOCATOR;
  const rendered = [...report.findings.map((f) => findingResult(report, f, locator)), ...report.warnings.map((w) => warningResult(w, locator))];
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver(options, RULES) },
        ...sarifBaseIds(locator),
        artifacts: sarifArtifacts(rendered.flatMap((r) => r.physical)).map((location) => ({ location })),
        results: rendered.map((r) => r.json),
        properties: { summary: report.summary },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
