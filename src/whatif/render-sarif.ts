import { blamedAddresses } from './blame.js';
import type { PairChange } from './diff.js';
import type { WhatifReport } from './report.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

type Level = 'error' | 'warning' | 'note';

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: Level };
}

const RULES: SarifRule[] = [
  rule('SGA-WHATIF-BLOCKED', 'NewlyBlocked', 'The change blocks overlay traffic between nodes', 'After the change, a directed node pair no longer passes a flow the CNI needs (for flannel vxlan: UDP 8472 node to node).', 'error'),
  rule('SGA-WHATIF-UNKNOWN', 'NewlyUnknown', 'The change makes overlay traffic between nodes unknown', 'After the change, the verdict of a directed node pair can no longer be decided from the inputs.', 'warning'),
  rule('SGA-WHATIF-UNKNOWN-UNTIL-APPLY', 'UnknownUntilApply', 'A value that decides overlay traffic is known only after apply', 'The plan leaves an attribute that decides node filtering unknown until apply; its effect was not evaluated.', 'warning'),
  rule('SGA-WHATIF-UNSUPPORTED', 'UnsupportedResource', 'A resource that can change node filtering is not modeled', 'The plan changes a resource that can affect node-to-node traffic, and sgaudit does not model it.', 'warning'),
  rule('SGA-WHATIF-ALLOWED', 'NewlyAllowed', 'The change allows overlay traffic that was blocked', 'After the change, a directed node pair passes a flow the CNI needs that it did not pass before.', 'note'),
];

function rule(id: string, name: string, short: string, full: string, level: Level): SarifRule {
  return { id, name, shortDescription: { text: short }, fullDescription: { text: full }, defaultConfiguration: { level } };
}

function location(address: string, artifact: string): unknown {
  return {
    physicalLocation: { artifactLocation: { uri: artifact } },
    logicalLocations: [{ fullyQualifiedName: address, kind: 'resource' }],
  };
}

function result(ruleId: string, level: Level, text: string, address: string, artifact: string, properties: Record<string, unknown>): unknown {
  return { ruleId, ruleIndex: RULES.findIndex((r) => r.id === ruleId), level, message: { text }, locations: [location(address, artifact)], properties };
}

function pairText(p: PairChange): string {
  const traffic = p.protocol ? `${p.protocol}${p.port !== undefined ? ` ${p.port}` : ''}` : p.requirement;
  return `${p.sourceNode} (${p.sourceIp ?? '?'}) -> ${p.destinationNode} (${p.destinationIp ?? '?'}) ${traffic}: ${p.reason}`;
}

/** Groups listed pairs by (blamed resource, requirement), one result each. */
function pairResults(pairs: PairChange[], total: number, ruleId: string, level: Level, verb: string, report: WhatifReport, artifact: string): unknown[] {
  const groups = new Map<string, { address: string; requirement: string; pairs: PairChange[] }>();
  for (const p of pairs) {
    const addresses = blamedAddresses(p, report.changes);
    for (const address of addresses.length > 0 ? addresses : [artifact]) {
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
      artifact,
      { requirement: g.requirement, pairs: g.pairs.map((p) => ({ source: p.sourceNode, destination: p.destinationNode, before: p.before, after: p.after })) },
    ),
  );
}

/** SARIF 2.1.0 for code-scanning UIs: results point at the Terraform resource address. */
export function renderWhatifSarif(report: WhatifReport, version: string): string {
  const artifact = report.proposal.kind === 'terraform-plan' ? report.proposal.document : (report.proposal.documents[0] ?? 'proposed');
  const results = [
    ...pairResults(report.newlyBlocked, report.newlyBlockedCount, 'SGA-WHATIF-BLOCKED', 'error', 'newly blocks', report, artifact),
    ...pairResults(report.newlyUnknownPairs, report.newlyUnknown, 'SGA-WHATIF-UNKNOWN', 'warning', 'makes unknown', report, artifact),
    ...report.unknownUntilApply.map((u) =>
      result('SGA-WHATIF-UNKNOWN-UNTIL-APPLY', 'warning', `${u.address}: ${u.attribute} is known only after apply; ${u.reason}`, u.address, artifact, { attribute: u.attribute, action: u.action }),
    ),
    ...report.unsupported.map((u) => result('SGA-WHATIF-UNSUPPORTED', 'warning', `${u.address} (${u.resourceType}, ${u.action}): ${u.reason}`, u.address, artifact, { action: u.action })),
    ...pairResults(report.newlyAllowed, report.newlyAllowedCount, 'SGA-WHATIF-ALLOWED', 'note', 'newly allows', report, artifact),
  ];
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'sgaudit', version, rules: RULES } },
        artifacts: [{ location: { uri: artifact } }],
        results,
        properties: { verdict: report.verdict, newlyBlockedCount: report.newlyBlockedCount, newlyAllowedCount: report.newlyAllowedCount, newlyUnknown: report.newlyUnknown },
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
