import type { Requirement } from '../model/requirement.js';
import type { Snapshot } from '../model/snapshot.js';
import { bindNodesWithIndex } from './bind-nodes.js';
import { CellEvaluator, prepareRequirement } from './cell.js';
import { buildClasses, signNodes } from './classes.js';
import { prepareNodes } from './prepared-node.js';
import { SnapshotIndex } from './snapshot-index.js';
import type { CellResult, Evaluation } from './types.js';

/**
 * The audit engine: every requirement for every directed node pair, computed once per
 * (source class, destination class) on representatives. Pure and deterministic: classes
 * are ordered by their first member's name, cells by source class, destination class,
 * then requirement order. Cells a requirement's pairScope or roles exclude are omitted, as are
 * self-pairs of one-member classes.
 *
 * Evidence objects, and the evidence arrays of cells with the same checks, may be shared
 * between cells; treat the result as read-only.
 */
export interface EvaluateOptions {
  /**
   * false: every node is its own class, so every ordered pair is computed directly.
   * For tests that check the class shortcut against the direct answer, and for debugging.
   */
  groupNodes?: boolean;
}

export function evaluate(snapshot: Snapshot, requirements: Requirement[], options: EvaluateOptions = {}): Evaluation {
  const index = new SnapshotIndex(snapshot);
  const nodes = bindNodesWithIndex(index);
  const plans = requirements.map(prepareRequirement);
  const flows = plans.flatMap((p) => (p.flow ? [p.flow.traffic] : []));
  const prepared = signNodes(index, prepareNodes(nodes), flows);
  const classes = buildClasses(prepared, options.groupNodes ?? true, plans.some((p) => p.roles !== undefined));

  const evaluator = new CellEvaluator(index, prepared);

  const cells: CellResult[] = [];
  for (const source of classes) {
    for (const destination of classes) {
      const self = source === destination;
      const sourceSize = source.prepared.length;
      if (self && sourceSize < 2) continue;
      const a = source.prepared[0]!;
      const b = self ? source.prepared[1]! : destination.prepared[0]!;
      const pairCount = self ? sourceSize * (sourceSize - 1) : sourceSize * destination.prepared.length;
      for (const plan of plans) {
        const outcome = evaluator.evaluate(a, b, plan);
        if (!outcome) continue;
        const { verdict, layer, evidence, direction } = outcome;
        const requirementId = plan.requirement.id;
        // One literal per shape, direction last, as readers and golden files see it.
        cells.push(
          direction
            ? { sourceClass: source.id, destinationClass: destination.id, requirementId, verdict, layer, evidence, pairCount, direction }
            : { sourceClass: source.id, destinationClass: destination.id, requirementId, verdict, layer, evidence, pairCount },
        );
      }
    }
  }
  return {
    requirements,
    nodes,
    classes: classes.map(({ id, members, signature }) => ({ id, members, signature })),
    cells,
  };
}
