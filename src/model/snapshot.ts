import type { Cluster } from './cluster.js';
import type { Cloud } from './cloud.js';
import type { Warning } from './source.js';

/** Everything the evaluator sees: one cluster, the cloud objects around it, and translation warnings. */
export interface Snapshot {
  cluster: Cluster;
  cloud: Cloud;
  warnings: Warning[];
}
