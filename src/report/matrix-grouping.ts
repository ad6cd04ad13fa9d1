import type { BoundNode, Evaluation } from '../evaluate/types.js';
import { compareText } from '../findings/order.js';
import { ListInterner } from '../evaluate/prepared-node.js';
import { MATRIX_MEMBER_NAMES, type MatrixGroup, type MatrixGrouping } from '../model/matrix.js';

/**
 * Up to this many nodes the matrix has one row per node: 40 nodes make 1,560 cells, 640 px
 * square at 16 px a cell with every name legible, and the same size bound as MATRIX_GROUP_CAP.
 * Larger clusters read better by class or group, with counts in each cell.
 */
export const MATRIX_NODE_LIMIT = 40;

/**
 * No matrix has more rows than this. 40 × 40 group cells are 1,760 px wide (already past a
 * screen) and 1,600 cells, which keeps even a worst-case SVG (every cell failing with a long
 * reason) under 1 MB; at 64 rows that SVG would be over 2 MB.
 */
export const MATRIX_GROUP_CAP = 40;

/** The key a row of a grouped matrix shares, for keys coarser than the class. */
type CoarseGrouping = Exclude<MatrixGrouping, 'node' | 'class'>;

export interface GroupPlan {
  grouping: MatrixGrouping;
  reason: string;
  groups: MatrixGroup[];
  /** Row of a node of the evaluation. */
  groupOf(node: BoundNode): number;
}

/** The value a node is grouped by, for each coarse grouping; also what the probe overlay recomputes from report nodes. */
export function coarseKey(grouping: CoarseGrouping, node: BoundNode): string {
  switch (grouping) {
    case 'pool':
      return node.node.pool ?? NO_POOL;
    case 'subnet':
      return node.binding.kind === 'bound' ? (node.binding.subnetId ?? NO_SUBNET) : UNBOUND;
    case 'security-groups':
      return node.binding.kind === 'bound' ? securityGroupKey(node.binding.iface.securityGroupIds) : UNBOUND;
  }
}

export const NO_POOL = '(no pool)';
export const NO_SUBNET = '(no subnet)';
export const UNBOUND = '(unbound)';
export const NO_GROUPS = '(no groups)';

export function securityGroupKey(ids: readonly string[]): string {
  return ids.length === 0 ? NO_GROUPS : [...ids].sort(compareText).join(',');
}

/**
 * securityGroupKey, sorting each distinct id list once: the nodes of a pool share one list, and
 * sorting every node's own copy took 5.5 of the matrix's 10.5 ms on the 5,000-node bench (11
 * groups per node); joining each list to look it up still took 3.7. ListInterner (the
 * evaluator's) numbers equal lists alike without making each one a key.
 */
export function securityGroupKeyMemo(): (ids: readonly string[]) => string {
  const lists = new ListInterner();
  const keys: string[] = [];
  return (ids) => (keys[lists.intern(ids)] ??= securityGroupKey(ids));
}

const COARSE: readonly CoarseGrouping[] = ['pool', 'subnet', 'security-groups'];
const KEY_NAME: Record<CoarseGrouping, string> = { pool: 'node pool', subnet: 'subnet', 'security-groups': 'security-group set' };

/**
 * One row per node for small clusters, else one per class when the classes are few (cells are
 * then uniform), else the coarser key (node pool, subnet, security-group set) that gives the most
 * rows within the cap. When no key fits, the one with the fewest values keeps its largest groups
 * and folds the rest into one "other" row, so a 5,000-node audit stays at most 64 × 64.
 */
export function chooseGrouping(evaluation: Evaluation, forced?: MatrixGrouping): GroupPlan {
  const nodes = [...evaluation.nodes].sort((a, b) => compareText(a.node.name, b.node.name));
  const natural = naturalGrouping(evaluation, nodes);
  if (!forced || forced === natural.grouping) return natural;
  const n = nodes.length;
  const classes = evaluation.classes.length;
  const allClassified = evaluation.classes.reduce((sum, c) => sum + c.members.length, 0) === n;
  if (forced === 'node' && n <= MATRIX_NODE_LIMIT) return byNode(nodes, `kept the per-node rows of the matrix compared with (${n} nodes)`);
  if (forced === 'class' && classes <= MATRIX_GROUP_CAP && allClassified) return byClass(evaluation, `kept the per-class rows of the matrix compared with (${classes} classes)`);
  if (forced !== 'node' && forced !== 'class') {
    const values = distinctKeys(nodes, forced);
    if (values.size <= MATRIX_GROUP_CAP) return byKey(nodes, forced, values, `kept the ${KEY_NAME[forced]} rows of the matrix compared with (${values.size} groups)`);
  }
  return natural;
}

function naturalGrouping(evaluation: Evaluation, nodes: BoundNode[]): GroupPlan {
  const n = nodes.length;
  const classes = evaluation.classes.length;
  const allClassified = evaluation.classes.reduce((sum, c) => sum + c.members.length, 0) === n;
  if (n <= MATRIX_NODE_LIMIT) return byNode(nodes, `${n} nodes (at most ${MATRIX_NODE_LIMIT}): one row per node`);
  if (classes <= MATRIX_GROUP_CAP && allClassified) {
    return byClass(evaluation, `${n} nodes in ${classes} equivalence classes (at most ${MATRIX_GROUP_CAP}): one row per class`);
  }
  const counted = COARSE.map((g) => ({ grouping: g, values: distinctKeys(nodes, g) }));
  const summary = counted.map((c) => `${KEY_NAME[c.grouping]} ${c.values.size}`).join(', ');
  const intro = `${n} nodes in ${classes} equivalence classes (over ${MATRIX_GROUP_CAP} rows)`;
  const fitting = counted.filter((c) => c.values.size >= 2 && c.values.size <= MATRIX_GROUP_CAP);
  if (fitting.length > 0) {
    // Most rows wins (the clearest picture within the cap); ties keep the COARSE order.
    const best = fitting.reduce((a, b) => (b.values.size > a.values.size ? b : a));
    return byKey(nodes, best.grouping, best.values, `${intro}; grouped by ${KEY_NAME[best.grouping]} (groups per key: ${summary}), the most rows within ${MATRIX_GROUP_CAP}`);
  }
  const over = counted.filter((c) => c.values.size > MATRIX_GROUP_CAP);
  if (over.length === 0) {
    // Every coarse key has one value: only the classes tell nodes apart.
    return foldedClasses(evaluation, nodes, `${intro}; every node shares one ${COARSE.map((g) => KEY_NAME[g]).join(', one ')}, so the ${MATRIX_GROUP_CAP - 1} largest classes keep a row and the rest share "other"`);
  }
  const fewest = over.reduce((a, b) => (b.values.size < a.values.size ? b : a));
  return byKey(
    nodes,
    fewest.grouping,
    fewest.values,
    `${intro}; no key gives 2 to ${MATRIX_GROUP_CAP} groups (${summary}), so by ${KEY_NAME[fewest.grouping]}, the ${MATRIX_GROUP_CAP - 1} largest keeping a row and the rest sharing "other"`,
  );
}

function byNode(nodes: BoundNode[], reason: string): GroupPlan {
  const row = new Map(nodes.map((node, i) => [node, i]));
  const groups = nodes.map((node, id) => ({ id, label: node.node.name, nodes: 1, members: [node.node.name], key: node.node.name }));
  return { grouping: 'node', reason, groups, groupOf: (node) => row.get(node)! };
}

function byClass(evaluation: Evaluation, reason: string): GroupPlan {
  const row = new Map<BoundNode, number>();
  const groups = [...evaluation.classes]
    .sort((a, b) => a.id - b.id)
    .map((c, id) => {
      for (const m of c.members) row.set(m, id);
      const names = c.members.map((m) => m.node.name).sort(compareText);
      return { id, label: `class ${c.id} (${nodesText(names.length)})`, nodes: names.length, members: names.slice(0, MATRIX_MEMBER_NAMES), detail: c.signature, key: String(c.id) };
    });
  return { grouping: 'class', reason, groups, groupOf: (node) => row.get(node)! };
}

function distinctKeys(nodes: BoundNode[], grouping: CoarseGrouping): Map<string, BoundNode[]> {
  const out = new Map<string, BoundNode[]>();
  const groupKey = securityGroupKeyMemo();
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i]!;
    const key =
      grouping === 'security-groups' && node.binding.kind === 'bound' ? groupKey(node.binding.iface.securityGroupIds) : coarseKey(grouping, node);
    const list = out.get(key);
    if (list) list.push(node);
    else out.set(key, [node]);
  }
  return out;
}

function byKey(nodes: BoundNode[], grouping: CoarseGrouping, values: Map<string, BoundNode[]>, reason: string): GroupPlan {
  const kept = keptKeys([...values.entries()].map(([key, members]) => ({ key, members })));
  const row = new Map<BoundNode, number>();
  const groups: MatrixGroup[] = kept.map(({ key, members }, id) => {
    for (const m of members) row.set(m, id);
    return {
      id,
      label: `${key} (${nodesText(members.length)})`,
      nodes: members.length,
      members: members.slice(0, MATRIX_MEMBER_NAMES).map((m) => m.node.name),
      detail: `${KEY_NAME[grouping]} ${key}`,
      key,
    };
  });
  addOther(groups, nodes, row);
  return { grouping, reason, groups, groupOf: (node) => row.get(node)! };
}

function foldedClasses(evaluation: Evaluation, nodes: BoundNode[], reason: string): GroupPlan {
  const entries = evaluation.classes.map((c) => ({ key: String(c.id), members: [...c.members].sort((a, b) => compareText(a.node.name, b.node.name)), signature: c.signature }));
  const kept = keptKeys(entries);
  const row = new Map<BoundNode, number>();
  const groups: MatrixGroup[] = kept.map(({ key, members, signature }, id) => {
    for (const m of members) row.set(m, id);
    return { id, label: `class ${key} (${nodesText(members.length)})`, nodes: members.length, members: members.slice(0, MATRIX_MEMBER_NAMES).map((m) => m.node.name), detail: signature, key };
  });
  addOther(groups, nodes, row);
  return { grouping: 'class', reason, groups, groupOf: (node) => row.get(node)! };
}

/** All groups when they fit, else the cap-1 largest (ties by key); kept in key order (numeric keys numerically). */
function keptKeys<T extends { key: string; members: BoundNode[] }>(entries: T[]): T[] {
  const byKeyOrder = (a: T, b: T) => {
    const na = Number(a.key);
    const nb = Number(b.key);
    return Number.isInteger(na) && Number.isInteger(nb) ? na - nb : compareText(a.key, b.key);
  };
  if (entries.length <= MATRIX_GROUP_CAP) return entries.sort(byKeyOrder);
  return entries
    .sort((a, b) => b.members.length - a.members.length || byKeyOrder(a, b))
    .slice(0, MATRIX_GROUP_CAP - 1)
    .sort(byKeyOrder);
}

/** Nodes without a row so far (folded groups, nodes in no class) share one last row. */
function addOther(groups: MatrixGroup[], nodes: BoundNode[], row: Map<BoundNode, number>): void {
  const rest = nodes.filter((n) => !row.has(n));
  if (rest.length === 0) return;
  const id = groups.length;
  for (const n of rest) row.set(n, id);
  groups.push({ id, label: `other (${nodesText(rest.length)})`, nodes: rest.length, members: rest.slice(0, MATRIX_MEMBER_NAMES).map((m) => m.node.name), detail: 'nodes of the groups that did not get a row of their own' });
}

function nodesText(count: number): string {
  return count === 1 ? '1 node' : `${count} nodes`;
}
