import type { MatrixSection } from '../model/matrix.js';
import type { AuditReport, Finding, ReportNode } from '../model/report.js';
import { NO_SUBNET, UNBOUND, securityGroupKey } from './matrix-grouping.js';

/** How live probes bear on a cell: probed pairs agree with, or contradict, the configuration. */
export type CellProbeMark = 'confirmed' | 'contradicted';

/** Probe marks keyed by `${source},${destination}` group ids. */
export type ProbeOverlay = ReadonlyMap<string, CellProbeMark>;

/**
 * Probe marks for the report's matrix cells. A finding the probes contradict, and every finding
 * `audit --probe` added for a contradiction, marks the cells of its probed (else listed) pairs
 * contradicted; a confirmed finding marks its cells confirmed. Contradicted wins within a cell,
 * since one pair the data plane disagrees on is what the operator must look at.
 */
export function probeOverlay(report: AuditReport): ProbeOverlay {
  const marks = new Map<string, CellProbeMark>();
  const matrix = report.matrix;
  if (!matrix) return marks;
  const rowOf = nodeRows(matrix, report.nodes);
  const set = (key: string, mark: CellProbeMark) => {
    if (marks.get(key) !== 'contradicted') marks.set(key, mark);
  };
  for (const f of report.findings) {
    const mark = findingMark(f);
    if (!mark) continue;
    const pairs = f.probes && f.probes.length > 0 ? f.probes : f.contradiction ? f.pairs : [];
    let placed = false;
    for (const p of pairs) {
      const s = rowOf(p.sourceNode);
      const d = rowOf(p.destinationNode);
      if (s === undefined || d === undefined) continue;
      set(`${s},${d}`, mark);
      placed = true;
    }
    // A finding whose probed pairs cannot be placed still marks the cells that hold its pairs.
    if (!placed && !f.contradiction) {
      for (const c of matrix.cells) if (c.findingIds.includes(f.id)) set(`${c.source},${c.destination}`, mark);
    }
  }
  return marks;
}

function findingMark(f: Finding): CellProbeMark | undefined {
  if (f.contradiction) return 'contradicted';
  if (f.confirmation === 'confirmed' || f.confirmation === 'contradicted') return f.confirmation;
  return undefined;
}

/** Row of a node by name: from the group's listed members, else recomputed from the report's node data. */
function nodeRows(matrix: MatrixSection, nodes: ReportNode[]): (name: string) => number | undefined {
  const byName = new Map<string, number>();
  for (const g of matrix.groups) for (const m of g.members) byName.set(m, g.id);
  const byKey = new Map<string, number>();
  for (const g of matrix.groups) if (g.key !== undefined) byKey.set(g.key, g.id);
  const other = matrix.groups.find((g) => g.key === undefined)?.id;
  const reportNodes = new Map(nodes.map((n) => [n.name, n]));
  return (name) => {
    const listed = byName.get(name);
    if (listed !== undefined) return listed;
    const node = reportNodes.get(name);
    const key = node ? reportKey(matrix, node) : undefined;
    if (key === undefined) return undefined;
    return byKey.get(key) ?? other;
  };
}

function reportKey(matrix: MatrixSection, node: ReportNode): string | undefined {
  switch (matrix.grouping) {
    case 'node':
      return node.name;
    case 'class':
      return node.class === null ? undefined : String(node.class);
    case 'subnet':
      return node.interfaceId === null ? UNBOUND : (node.subnetId ?? NO_SUBNET);
    case 'security-groups':
      return node.interfaceId === null ? UNBOUND : securityGroupKey(node.securityGroupIds);
    case 'pool':
      // Report nodes do not carry the pool: only listed members can be placed.
      return undefined;
  }
}
