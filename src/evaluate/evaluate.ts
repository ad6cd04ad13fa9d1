import type { Requirement } from '../model/requirement.js';
import type { Snapshot } from '../model/snapshot.js';
import { bindNodesWithIndex } from './bind-nodes.js';
import { CellEvaluator, prepareRequirement, type EvaluatorSizes } from './cell.js';
import { buildClasses } from './classes.js';
import { prepareNodes } from './prepared-node.js';
import { SnapshotIndex } from './snapshot-index.js';
import type { CellResult, Evaluation } from './types.js';

/**
 * The audit engine: every requirement for every directed node pair, computed once per
 * (source class, destination class) on representatives. Pure and deterministic: classes
 * are ordered by their first member's name, cells by source class, destination class,
 * then requirement order. Cells a requirement's pairScope excludes are omitted, as are
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
  const prepared = prepareNodes(index, nodes);
  const plans = requirements.map(prepareRequirement);
  const flows = plans.flatMap((p) => (p.flow ? [p.flow.traffic] : []));
  const classes = buildClasses(index, prepared, flows, options.groupNodes ?? true);

  const sizes: EvaluatorSizes = { nodes: Math.max(1, prepared.length), profiles: 1, signatures: 1, subnets: 1, subnetSignatures: 1 };
  for (let i = 0; i < prepared.length; i++) {
    const n = prepared[i]!;
    sizes.profiles = Math.max(sizes.profiles, n.profile + 1);
    sizes.signatures = Math.max(sizes.signatures, n.addressSignature + 1);
    sizes.subnets = Math.max(sizes.subnets, n.subnetNumber + 1);
    sizes.subnetSignatures = Math.max(sizes.subnetSignatures, n.subnetSignature + 1);
  }
  const evaluator = new CellEvaluator(index, sizes);

  const cells: CellResult[] = [];
  // NOTE: indexed loops: until the optimizing compiler takes over, for-of allocates an
  // iterator result per step, and an audit runs this loop once over every cell.
  for (let s = 0; s < classes.length; s++) {
    const source = classes[s]!;
    for (let d = 0; d < classes.length; d++) {
      const destination = classes[d]!;
      const self = source === destination;
      const sourceSize = source.prepared.length;
      if (self && sourceSize < 2) continue;
      const a = source.prepared[0]!;
      const b = self ? source.prepared[1]! : destination.prepared[0]!;
      const pairCount = self ? sourceSize * (sourceSize - 1) : sourceSize * destination.prepared.length;
      for (let r = 0; r < plans.length; r++) {
        const plan = plans[r]!;
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
