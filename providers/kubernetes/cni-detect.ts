import type { ClusterNode } from '../../src/model/cluster.js';
import type { CniChoice, CniEvidence, CniName } from '../../src/model/cni.js';
import { isPlainObject } from '../../src/model/issues.js';
import { pointerJoin } from '../../src/model/source.js';
import { containerEnv, describeObject, type CniObject } from './cni-documents.js';
import { FLANNEL_ANNOTATION } from './flannel-annotations.js';

/** The data planes sgaudit tells apart; canal, k3s and RKE2 (with canal) carry pods with flannel. */
export type CniFamily = 'flannel' | 'calico' | 'cilium';

/**
 * One fact with its weight. rank 3: the CNI's own configuration document; 2: its workloads and
 * custom resources; 1: node annotations and labels (they outlive an uninstalled CNI).
 * `policyOnly`: a Calico fact that Canal clusters show as well (Calico CRDs, calico-node with
 * no networking backend), so it does not contradict flannel.
 */
export interface Clue {
  evidence: CniEvidence;
  family?: CniFamily;
  distribution?: 'k3s' | 'rke2';
  rank: 1 | 2 | 3;
  policyOnly?: boolean;
}

/** Ties between families of equal rank go to the first here (docs/cni.md, "Precedence"). */
const FAMILY_ORDER: readonly CniFamily[] = ['cilium', 'calico', 'flannel'];

export function familyOf(name: CniName): CniFamily {
  return name === 'calico' || name === 'cilium' ? name : 'flannel';
}

export function cluesFrom(objects: CniObject[], nodes: ClusterNode[]): Clue[] {
  const clues: Clue[] = [];
  const add = (o: CniObject, cni: CniName, fact: string, rank: Clue['rank'], extra: Partial<Clue> = {}): void => {
    clues.push({ evidence: { cni, fact: `${describeObject(o)} ${fact}`, source: o.source }, family: familyOf(cni), rank, ...extra });
  };
  for (const o of objects) {
    const data = isPlainObject(o.body.data) ? o.body.data : {};
    switch (o.kind) {
      case 'net-conf':
        add(o, 'flannel', 'is a flannel net-conf.json', 3);
        break;
      case 'ConfigMap':
        if (o.name === 'cilium-config') add(o, 'cilium', 'is Cilium\'s configuration', 3);
        else if (o.name === 'calico-config') {
          if (data.calico_backend === 'none') add(o, 'canal', 'has calico_backend: none (Calico for policy only, as in Canal)', 2, { policyOnly: true });
          else add(o, 'calico', `is Calico's configuration${typeof data.calico_backend === 'string' ? ` (calico_backend: ${data.calico_backend})` : ''}`, 3);
        } else if (typeof data['net-conf.json'] === 'string') {
          const cni: CniName = o.name === 'canal-config' ? 'canal' : o.name === 'rke2-canal-config' ? 'rke2' : 'flannel';
          add(o, cni, 'holds flannel\'s net-conf.json', 3);
        }
        break;
      case 'Secret':
        if (o.name === 'rke2-canal-config') add(o, 'rke2', 'is RKE2\'s canal configuration', 3);
        break;
      case 'Installation':
        add(o, 'calico', 'is the Tigera operator\'s Calico installation', 3);
        break;
      case 'IPPool':
      case 'FelixConfiguration':
      case 'BGPConfiguration':
        add(o, 'calico', 'is a Calico resource', 2, { policyOnly: true });
        break;
      case 'DaemonSet':
        if (o.name === 'calico-node') {
          const backend = containerEnv(o).get('CALICO_NETWORKING_BACKEND');
          if (backend?.value === 'none') add(o, 'canal', 'runs calico-node with CALICO_NETWORKING_BACKEND=none', 2, { policyOnly: true });
          else add(o, 'calico', 'runs calico-node', 2);
        } else if (o.name === 'canal' || o.name === 'rke2-canal') add(o, o.name === 'canal' ? 'canal' : 'rke2', 'runs Canal (flannel with Calico policy)', 2);
        else if (o.name === 'cilium') add(o, 'cilium', 'runs the Cilium agent', 2);
        else if (o.name?.startsWith('kube-flannel-ds')) add(o, 'flannel', 'runs flannel', 2);
        break;
      case 'Deployment':
        if (o.name === 'calico-typha' || o.name === 'calico-kube-controllers') add(o, 'calico', 'is part of Calico', 2, { policyOnly: true });
        else if (o.name === 'tigera-operator') add(o, 'calico', 'installs Calico', 2);
        else if (o.name === 'cilium-operator') add(o, 'cilium', 'is part of Cilium', 2);
        break;
      case 'Pod':
        break;
    }
  }
  clues.push(...nodeClues(nodes));
  return clues;
}

function nodeClues(nodes: ClusterNode[]): Clue[] {
  const clues: Clue[] = [];
  // One indexed pass over the nodes, and the marks looked for only on nodes that have some: a
  // flatMap/filter/map chain over every node for each CNI cost 6 ms of a one-shot 5,000-node
  // audit, and two filters still 3.5 (flannel nodes carry no marks).
  let flannelCount = 0;
  let first: ClusterNode | undefined;
  const markedNodes: ClusterNode[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]!;
    if (n.backendTypeAnnotation !== undefined) {
      flannelCount += 1;
      first ??= n;
    }
    if (n.cniMarks !== undefined) markedNodes.push(n);
  }
  if (first) {
    const source = { document: first.source.document, pointer: pointerJoin(first.source.pointer, 'metadata', 'annotations', FLANNEL_ANNOTATION.backendType) };
    clues.push({ evidence: { cni: 'flannel', fact: `${flannelCount} of ${nodes.length} nodes carry ${FLANNEL_ANNOTATION.backendType} (${first.name}: ${first.backendTypeAnnotation})`, source }, family: 'flannel', rank: 1 });
  }
  // Each node's first matching mark.
  const marked = (test: (key: string, value: string) => boolean): { node: ClusterNode; key: string; where: string; value: string }[] => {
    const hits: { node: ClusterNode; key: string; where: string; value: string }[] = [];
    for (const node of markedNodes) {
      const mark = node.cniMarks?.find((m) => test(m.key, m.value));
      if (mark) hits.push({ node, ...mark });
    }
    return hits;
  };
  const groups: { hits: ReturnType<typeof marked>; cni: CniName; family?: CniFamily; distribution?: 'k3s' | 'rke2'; policyOnly?: boolean }[] = [
    { hits: marked((k) => k.startsWith('projectcalico.org/')), cni: 'calico', family: 'calico', policyOnly: true },
    { hits: marked((k) => k.startsWith('io.cilium.') || k.startsWith('network.cilium.io/') || k.startsWith('cilium.io/')), cni: 'cilium', family: 'cilium' },
    { hits: marked((k, v) => k.startsWith('k3s.io/') || (k === 'node.kubernetes.io/instance-type' && v === 'k3s')), cni: 'k3s', distribution: 'k3s' },
    { hits: marked((k, v) => k.startsWith('rke2.io/') || (k === 'node.kubernetes.io/instance-type' && v === 'rke2')), cni: 'rke2', distribution: 'rke2' },
  ];
  for (const g of groups) {
    if (g.hits.length === 0) continue;
    const h = g.hits[0]!;
    const clue: Clue = {
      evidence: {
        cni: g.cni,
        fact: `${g.hits.length} of ${nodes.length} nodes carry ${g.cni === 'k3s' || g.cni === 'rke2' ? `${g.cni} marks` : `${g.cni} annotations`} (${h.node.name}: ${h.key})`,
        source: { document: h.node.source.document, pointer: pointerJoin(h.node.source.pointer, 'metadata', h.where, h.key) },
      },
      rank: 1,
    };
    if (g.family) clue.family = g.family;
    if (g.distribution) clue.distribution = g.distribution;
    if (g.policyOnly) clue.policyOnly = true;
    clues.push(clue);
  }
  return clues;
}

export interface Decision {
  name: CniName;
  family: CniFamily;
  /** RKE2's bundled Calico. */
  distribution?: 'rke2';
  evidence: CniEvidence[];
  conflicts: string[];
}

/**
 * Picks the CNI (or checks the given one) from the clues. Undefined when `auto` finds nothing:
 * the caller reports what was looked for instead of assuming flannel.
 */
export function decide(clues: Clue[], choice: CniChoice): Decision | undefined {
  const distributions = new Set(clues.flatMap((c) => (c.distribution ? [c.distribution] : [])));
  const conflicts: string[] = [];
  if (distributions.size > 1) conflicts.push('nodes carry both k3s and RKE2 marks');

  let family: CniFamily;
  if (choice !== 'auto') family = familyOf(choice);
  else {
    const hasFlannel = clues.some((c) => c.family === 'flannel');
    const competing = clues.filter((c) => c.family && !(c.policyOnly && hasFlannel));
    const best = Math.max(0, ...competing.map((c) => c.rank));
    const top = FAMILY_ORDER.find((f) => competing.some((c) => c.family === f && c.rank === best));
    if (top) family = top;
    else if (distributions.size > 0) family = 'flannel';
    else return undefined;
  }

  let name: CniName;
  if (choice !== 'auto') name = choice;
  else if (family !== 'flannel') name = family;
  else if (distributions.has('rke2') || clues.some((c) => c.evidence.cni === 'rke2' && c.family === 'flannel')) name = 'rke2';
  else if (distributions.has('k3s')) name = 'k3s';
  else if (clues.some((c) => c.evidence.cni === 'canal' || (c.family === 'calico' && c.policyOnly))) name = 'canal';
  else name = 'flannel';

  const fits = (c: Clue): boolean => {
    // k3s and RKE2 run any CNI; their marks contradict only the other distribution.
    if (c.distribution) return !((name === 'k3s' || name === 'rke2') && name !== c.distribution);
    if (c.family === family) return true;
    return family === 'flannel' && c.policyOnly === true && name !== 'flannel' && name !== 'k3s';
  };
  const evidence: CniEvidence[] = [];
  // Strongest first, then by CNI and fact, so the report reads the same whatever order the
  // documents came in (live reads, or the saved cni*.json files as a shell glob lists them).
  const ordered = [...clues].sort(
    (a, b) => b.rank - a.rank || compareText(a.evidence.cni, b.evidence.cni) || compareText(a.evidence.fact, b.evidence.fact),
  );
  for (const c of ordered) {
    if (fits(c)) evidence.push(c.evidence);
    else conflicts.push(`${c.evidence.fact}, which points at ${c.evidence.cni}, not ${name}${c.evidence.source ? ` (${c.evidence.source.document}#${c.evidence.source.pointer})` : ''}`);
  }
  const decision: Decision = { name, family, evidence, conflicts };
  if (family === 'calico' && distributions.has('rke2')) decision.distribution = 'rke2';
  return decision;
}

/** Code-unit order, not the locale's, so every machine sorts alike. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
