import type { Evaluation } from '../evaluate/types.js';
import type { ReportSummary } from '../model/report.js';
import { scanCells, type CellScan } from '../findings/cell-scan.js';

/**
 * Pair counts by class arithmetic. A class pair takes the worst verdict over all its
 * requirement cells; one with no cell at all (every requirement out of scope) is allowed.
 * Nodes the evaluation left out of every class cannot be vouched for, so their pairs count as unknown.
 */
export function summarize(evaluation: Evaluation): ReportSummary {
  return summarizeScan(evaluation, scanCells(evaluation));
}

/** summarize over a scan of the same evaluation's cells. */
export function summarizeScan(evaluation: Evaluation, scan: CellScan): ReportSummary {
  if (scan.strayCell) {
    const cell = scan.strayCell;
    throw new Error(`evaluation cell refers to unknown class ${cell.sourceClass} or ${cell.destinationClass}`);
  }
  const n = evaluation.nodes.length;
  const directedPairs = n * (n - 1);
  const classes = scan.classes;
  const blocked = scan.blockedPairs;
  let unknown = scan.unknownPairs;
  const classified = classes.reduce((sum, c) => sum + c.members.length, 0);
  unknown += Math.max(0, directedPairs - classified * (classified - 1));
  return { nodes: n, directedPairs, allowed: directedPairs - blocked - unknown, blocked, unknown, classes: classes.length };
}
