import type { Evaluation, Verdict } from '../evaluate/types.js';
import type { ReportSummary } from './contract.js';
import { classPairCount } from './pair-count.js';

const RANK: Record<Verdict, number> = { allowed: 0, unknown: 1, blocked: 2 };

/**
 * Pair counts by class arithmetic. A class pair takes the worst verdict over all its
 * requirement cells; one with no cell at all (every requirement out of scope) is allowed.
 * Nodes the evaluation left out of every class cannot be vouched for, so their pairs count as unknown.
 */
export function summarize(evaluation: Evaluation): ReportSummary {
  const n = evaluation.nodes.length;
  const directedPairs = n * (n - 1);
  const classes = new Map(evaluation.classes.map((c) => [c.id, c]));
  const worst = new Map<string, { verdict: Verdict; count: number }>();
  for (const cell of evaluation.cells) {
    const source = classes.get(cell.sourceClass);
    const destination = classes.get(cell.destinationClass);
    if (!source || !destination) throw new Error(`evaluation cell refers to unknown class ${cell.sourceClass} or ${cell.destinationClass}`);
    const key = `${cell.sourceClass}:${cell.destinationClass}`;
    const current = worst.get(key);
    if (!current) worst.set(key, { verdict: cell.verdict, count: classPairCount(source, destination) });
    else if (RANK[cell.verdict] > RANK[current.verdict]) current.verdict = cell.verdict;
  }
  let blocked = 0;
  let unknown = 0;
  for (const { verdict, count } of worst.values()) {
    if (verdict === 'blocked') blocked += count;
    else if (verdict === 'unknown') unknown += count;
  }
  const classified = evaluation.classes.reduce((sum, c) => sum + c.members.length, 0);
  unknown += Math.max(0, directedPairs - classified * (classified - 1));
  return { nodes: n, directedPairs, allowed: directedPairs - blocked - unknown, blocked, unknown, classes: evaluation.classes.length };
}
