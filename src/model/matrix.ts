/**
 * The node × node verdict matrix of an audit: rows are sources, columns destinations.
 * Small clusters get one row per node; large ones are grouped (by equivalence class, subnet,
 * node pool or security-group set) so that the matrix stays readable and bounded, and each
 * cell then carries counts. Part of the stable report contract: fields are only ever added.
 */
import type { Layer } from './evidence.js';

/** How rows and columns were formed. */
export type MatrixGrouping = 'node' | 'class' | 'subnet' | 'pool' | 'security-groups';

/** The worst verdict in a cell: blocked beats unknown beats allowed. */
export type MatrixVerdict = 'allowed' | 'blocked' | 'unknown';

export interface MatrixGroup {
  /** Row and column index. */
  id: number;
  /** A node name, or a short group label ("subnet-0a1b (12 nodes)"). */
  label: string;
  nodes: number;
  /** Member node names, at most MATRIX_MEMBER_NAMES of them. */
  members: string[];
  /** What the members share, in words (class signature, subnet id, pool, group ids). */
  detail?: string;
  /**
   * The value the members share, by grouping: node name, class id, pool, subnet id, or the
   * sorted group ids joined by ",". Absent on the "other" row that folds groups past the cap.
   */
  key?: string;
}

export interface MatrixCell {
  source: number;
  destination: number;
  /** Directed pairs in the cell (self pairs excluded). */
  pairs: number;
  allowed: number;
  blocked: number;
  unknown: number;
  verdict: MatrixVerdict;
  /** For a blocked or unknown cell: the layer, the requirement and the object or rule that decide it. */
  layer?: Layer;
  requirement?: string;
  /** e.g. "sg-0abc ingress: no rule allows udp 8472 from 10.0.1.5". */
  reason?: string;
  /** Findings that hold pairs of this cell. */
  findingIds: string[];
}

export interface MatrixSection {
  grouping: MatrixGrouping;
  /** Why this grouping was chosen (e.g. "5000 nodes in 14 classes; grouped by class"). */
  groupingReason: string;
  groups: MatrixGroup[];
  /** Cells with at least one pair, sorted by source then destination. */
  cells: MatrixCell[];
}

/** How many member names a group lists. */
export const MATRIX_MEMBER_NAMES = 50;
