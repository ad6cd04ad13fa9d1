import type { Requirement } from '../../model/requirement.js';
import type { Snapshot } from '../../model/snapshot.js';
import { evaluate } from '../evaluate.js';
import type { CellResult, Evaluation } from '../types.js';

/** The cell that covers the directed pair source -> destination for one requirement, if any. */
export function cellFor(evaluation: Evaluation, source: string, destination: string, requirementId: string): CellResult | undefined {
  const classOf = (name: string): number => {
    const c = evaluation.classes.find((k) => k.members.some((m) => m.node.name === name));
    if (!c) throw new Error(`node ${name} is in no class`);
    return c.id;
  };
  const s = classOf(source);
  const d = classOf(destination);
  return evaluation.cells.find((c) => c.sourceClass === s && c.destinationClass === d && c.requirementId === requirementId);
}

/** Evaluates and returns the n1 -> n2 cell (throws if it was omitted). */
export function pairCell(snapshot: Snapshot, requirement: Requirement, source = 'n1', destination = 'n2'): CellResult {
  const cell = cellFor(evaluate(snapshot, [requirement]), source, destination, requirement.id);
  if (!cell) throw new Error(`no cell for ${source} -> ${destination}`);
  return cell;
}
