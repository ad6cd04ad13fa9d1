import { NAME_ONLY_LOCATOR, SARIF_SCHEMA, sarifArtifacts, sarifBaseIds, sarifDriver, sarifRule, type SarifLevel, type SarifLocator, type SarifPhysicalLocation, type SarifToolOptions } from '../report/sarif-log.js';
import { blamedAddresses } from './blame.js';
import type { PairChange } from './diff.js';
import type { WhatifReport } from './report.js';

export { SARIF_SCHEMA };

type Level = SarifLevel;

const DOC = 'docs/whatif.md';
const RULES = [
  sarifRule('SGA-WHATIF-BLOCKED', 'NewlyBlocked', 'The change blocks overlay traffic between nodes', 'After the change, a directed node pair no longer passes a flow the CNI needs (for flannel vxlan: UDP 8472 node to node).', 'error', DOC),
  sarifRule('SGA-WHATIF-UNKNOWN', 'NewlyUnknown', 'The change makes overlay traffic between nodes unknown', 'After the change, the verdict of a directed node pair can no longer be decided from the inputs.', 'warning', DOC),
  sarifRule('SGA-WHATIF-UNKNOWN-UNTIL-APPLY', 'UnknownUntilApply', 'A value that decides overlay traffic is known only after apply', 'The plan leaves an attribute that decides node filtering unknown until apply; its effect was not evaluated.', 'warning', DOC),
  sarifRule('SGA-WHATIF-UNSUPPORTED', 'UnsupportedResource', 'A resource that can change node filtering is not modeled', 'The plan changes a resource that can affect node-to-node traffic, and sgaudit does not model it.', 'warning', DOC),
  sarifRule('SGA-WHATIF-ALLOWED', 'NewlyAllowed', 'The change allows overlay traffic that was blocked', 'After the change, a directed node pair passes a flow the CNI needs that it did not pass before.', 'note', DOC),
];

/**
 * Where a resource is written down: in the plan, the `resource_changes` entry with its
 * address; for --proposed exports the address is `file#pointer` of the replacing object.
 */
function physical(address: string, report: WhatifReport, locator: SarifLocator): SarifPhysicalLocation | undefined {
  const proposal = report.proposal;
  if (proposal.kind === 'terraform-plan') return locator.locate(proposal.document, { kind: 'resource-address', address });
  const hash = address.indexOf('#');
  if (hash > 0 && proposal.documents.includes(address.slice(0, hash))) {
    return locator.locate(address.slice(0, hash), { kind: 'pointer', pointer: address.slice(hash + 1) });
  }
  return proposal.documents[0] === undefined ? undefined : locator.locate(proposal.documents[0]);
}

interface Rendered {
  json: unknown;
  physical: SarifPhysicalLocation | undefined;
}

function result(ruleId: string, level: Level, text: string, address: string, ctx: Context, properties: Record<string, unknown>): Rendered {
  const at = physical(address, ctx.report, ctx.locator);
  const location = { ...(at ? { physicalLocation: at } : {}), logicalLocations: [{ fullyQualifiedName: address, kind: 'resource' }] };
  return { json: { ruleId, ruleIndex: RULES.findIndex((r) => r.id === ruleId), level, message: { text }, locations: [location], properties }, physical: at };
}

interface Context {
  report: WhatifReport;
  locator: SarifLocator;
  /** Blame target when no resource touched the deciding object. */
  fallback: string;
}

function pairText(p: PairChange): string {
  const traffic = p.protocol ? `${p.protocol}${p.port !== undefined ? ` ${p.port}` : ''}` : p.requirement;
  return `${p.sourceNode} (${p.sourceIp ?? '?'}) -> ${p.destinationNode} (${p.destinationIp ?? '?'}) ${traffic}: ${p.reason}`;
}

/** Groups listed pairs by (blamed resource, requirement), one result each. */
function pairResults(pairs: PairChange[], total: number, ruleId: string, level: Level, verb: string, ctx: Context): Rendered[] {
  const report = ctx.report;
  const groups = new Map<string, { address: string; requirement: string; pairs: PairChange[] }>();
  for (const p of pairs) {
    const addresses = blamedAddresses(p, report.changes);
    for (const address of addresses.length > 0 ? addresses : [ctx.fallback]) {
      const key = `${address}\0${p.requirement}`;
      const g = groups.get(key) ?? { address, requirement: p.requirement, pairs: [] };
      g.pairs.push(p);
      groups.set(key, g);
    }
  }
  const more = total > pairs.length ? ` (${total} in all; only ${pairs.length} listed)` : '';
  return [...groups.values()].map((g) =>
    result(
      ruleId,
      level,
      `${g.address} ${verb} ${g.requirement} for ${g.pairs.length} directed node pair(s)${more}; e.g. ${pairText(g.pairs[0]!)}`,
      g.address,
      ctx,
      { requirement: g.requirement, pairs: g.pairs.map((p) => ({ source: p.sourceNode, destination: p.destinationNode, before: p.before, after: p.after })) },
    ),
  );
}

/**
 * SARIF 2.1.0 for code-scanning UIs: results point at the Terraform resource address (a logical
 * location) and, through the locator, at the resource's entry in the plan file.
 */
export function renderWhatifSarif(report: WhatifReport, version: string, options: Omit<SarifToolOptions, 'version'> = {}): string {
  const locator = options.locator ?? NAME_ONLY_LOCATOR;
  const fallback = report.proposal.kind === 'terraform-plan' ? report.proposal.document : (report.proposal.documents[0] ?? 'proposed');
  const ctx: Context = { report, locator, fallback };
  const rendered = [
    ...pairResults(report.newlyBlocked, report.newlyBlockedCount, 'SGA-WHATIF-BLOCKED', 'error', 'newly blocks', ctx),
    ...pairResults(report.newlyUnknownPairs, report.newlyUnknown, 'SGA-WHATIF-UNKNOWN', 'warning', 'makes unknown', ctx),
    ...report.unknownUntilApply.map((u) =>
      result('SGA-WHATIF-UNKNOWN-UNTIL-APPLY', 'warning', `${u.address}: ${u.attribute} is known only after apply; ${u.reason}`, u.address, ctx, { attribute: u.attribute, action: u.action }),
    ),
    ...report.unsupported.map((u) => result('SGA-WHATIF-UNSUPPORTED', 'warning', `${u.address} (${u.resourceType}, ${u.action}): ${u.reason}`, u.address, ctx, { action: u.action })),
    ...pairResults(report.newlyAllowed, report.newlyAllowedCount, 'SGA-WHATIF-ALLOWED', 'note', 'newly allows', ctx),
  ];
  const proposalDocs = report.proposal.kind === 'terraform-plan' ? [report.proposal.document] : report.proposal.documents;
  const artifacts = sarifArtifacts([...rendered.map((r) => r.physical), ...proposalDocs.map((d) => locator.locate(d))]);
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: sarifDriver({ ...options, version }, RULES) },
        ...sarifBaseIds(locator),
        artifacts: artifacts.map((location) => ({ location })),
        results: rendered.map((r) => r.json),
        properties: { verdict: report.verdict, newlyBlockedCount: report.newlyBlockedCount, newlyAllowedCount: report.newlyAllowedCount, newlyUnknown: report.newlyUnknown },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
