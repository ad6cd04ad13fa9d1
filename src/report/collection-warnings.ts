import type { Evaluation } from '../evaluate/types.js';
import type { CloudObjectKind, Unavailable } from '../model/cloud.js';
import type { Evidence } from '../model/evidence.js';
import type { Warning } from '../model/source.js';

/** The warning code of a failed or partial collection call. */
export const COLLECTION_INCOMPLETE = 'collection-incomplete';
/** Warnings of this code in one report; more failure kinds are summed up in the last one. */
export const MAX_COLLECTION_WARNINGS = 20;
/** Object ids a warning names; it always gives the full count. */
export const IDS_SHOWN = 5;

/** Stands for the object's own id in a reason, so that one failure of many objects is one group. */
const OWN_ID = '\u0000';

const KIND_LABEL: Record<CloudObjectKind, [one: string, many: string]> = {
  'network-interface': ['network interface look-up', 'network interface look-ups'],
  'security-group': ['security group', 'security groups'],
  'network-acl': ['network ACL', 'network ACLs'],
  subnet: ['subnet', 'subnets'],
  'prefix-list': ['prefix list', 'prefix lists'],
  'address-group': ['address group', 'address groups'],
};

/**
 * What the missing data can change. Written per kind because the evaluator reads each kind
 * differently; the counts of unknown pairs in the message are measured, not inferred.
 */
const EFFECT: Record<CloudObjectKind, string> = {
  'network-interface': 'the nodes with these addresses or instances cannot be tied to an interface, so every pair with them is unknown',
  'security-group':
    'a flow that the rules read for these groups allow stays allowed (security groups only allow), and every other flow they filter is unknown instead of blocked',
  'network-acl': 'cross-subnet flows through the network ACLs of these subnets are unknown',
  subnet:
    'no verdict reads subnet details (each interface names its own subnet, and network ACLs are found by their own association), ' +
    'but remediations name host addresses (/32, /128) instead of these subnets\' CIDRs',
  'prefix-list': 'rules that reference these lists decide nothing, so a flow only they could allow is unknown',
  'address-group': 'rules that reference these groups decide nothing, so a flow only they could allow is unknown',
};

const KIND_ORDER: CloudObjectKind[] = ['network-interface', 'security-group', 'network-acl', 'subnet', 'prefix-list', 'address-group'];

interface FailureGroup {
  kind: CloudObjectKind;
  /** The reason with the object's own id replaced by OWN_ID. */
  key: string;
  /** The first entry's reason as it was given: concrete, so the message names a real call and error. */
  example: string;
  /** Object ids, addresses, instances or subnets, in first-seen order, without repeats. */
  objects: string[];
  seen: Set<string>;
  /** Pieces every evidence reason citing one of these failures contains. */
  probes: string[];
}

/**
 * One warning per failed call and reason (not per object), so that no failure is invisible and
 * thousands of failed objects still make a short list: each names the call and its error (the
 * reason the collector recorded), how many objects it left unread and the first few, what the
 * missing data can change, and how many node pairs ended `unknown` because of it.
 */
export function collectionWarnings(unavailable: readonly Unavailable[], evaluation: Evaluation): Warning[] {
  if (unavailable.length === 0) return [];
  const groups = groupFailures(unavailable);
  const shown = groups.length > MAX_COLLECTION_WARNINGS ? groups.slice(0, MAX_COLLECTION_WARNINGS - 1) : groups;
  const pairs = unknownPairsPerGroup(shown, evaluation);
  const warnings = shown.map((g, i): Warning => ({ code: COLLECTION_INCOMPLETE, message: groupMessage(g, pairs[i]!) }));
  if (shown.length < groups.length) {
    const rest = groups.slice(shown.length);
    const objects = rest.reduce((n, g) => n + g.objects.length, 0);
    warnings.push({
      code: COLLECTION_INCOMPLETE,
      message: `${rest.length} more failed collection calls (other errors) left ${objects} more objects unread; every verdict that needs one of them is unknown, and its reason names the call`,
    });
  }
  return warnings;
}

function groupFailures(unavailable: readonly Unavailable[]): FailureGroup[] {
  const byKey = new Map<string, FailureGroup>();
  for (const u of unavailable) {
    const object = u.id ?? u.ip ?? u.instanceId ?? u.subnetId;
    const key = object !== undefined && object !== '' ? u.reason.split(object).join(OWN_ID) : u.reason;
    const mapKey = `${u.kind}\u0001${key}`;
    let g = byKey.get(mapKey);
    if (!g) {
      g = { kind: u.kind, key, example: u.reason, objects: [], seen: new Set(), probes: key.split(OWN_ID).filter((p) => p.trim() !== '') };
      byKey.set(mapKey, g);
    }
    const label = objectLabel(u);
    if (!g.seen.has(label)) {
      g.seen.add(label);
      g.objects.push(label);
    }
  }
  // Failures that leave the most objects unread first; then a fixed order, for golden files.
  return [...byKey.values()].sort(
    (a, b) => b.objects.length - a.objects.length || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

function objectLabel(u: Unavailable): string {
  if (u.id !== undefined) return u.id;
  if (u.ip !== undefined) return `address ${u.ip}`;
  if (u.instanceId !== undefined) return `instance ${u.instanceId}`;
  if (u.subnetId !== undefined) return `of ${u.subnetId}`;
  return 'all';
}

function groupMessage(g: FailureGroup, unknownPairs: number): string {
  const [one, many] = KIND_LABEL[g.kind];
  const whole = g.objects.length === 1 && g.objects[0] === 'all';
  const what = whole
    ? `every ${one} (the whole call failed)`
    : `${g.objects.length} ${g.objects.length === 1 ? one : many} (${g.objects.slice(0, IDS_SHOWN).join(', ')}${g.objects.length > IDS_SHOWN ? `, and ${g.objects.length - IDS_SHOWN} more` : ''})`;
  const pairs = `${unknownPairs} node pair${unknownPairs === 1 ? ' has' : 's have'} a check that is unknown because of it`;
  return `collection incomplete: ${g.example}; not read: ${what}; ${EFFECT[g.kind]}; ${pairs}`;
}

/**
 * Node pairs with an unknown cell whose evidence cites the failure. The evaluator writes the
 * collector's reason into every evidence it causes, so a cited reason is the link; counting
 * evidence instead of guessing from ids also covers failures that changed nothing (0 pairs).
 */
function unknownPairsPerGroup(groups: readonly FailureGroup[], evaluation: Evaluation): number[] {
  const counts = groups.map(() => 0);
  if (groups.length === 0) return counts;
  // Evidence objects are shared between cells: match each once.
  const matches = new Map<Evidence, number[]>();
  const matchesOf = (e: Evidence): number[] => {
    let m = matches.get(e);
    if (!m) {
      m = [];
      if (e.decision === 'unknown') groups.forEach((g, i) => g.probes.length > 0 && g.probes.every((p) => e.reason.includes(p)) && m!.push(i));
      matches.set(e, m);
    }
    return m;
  };
  // A class pair's pairs are counted once per failure, whatever number of requirements it fails.
  const counted = groups.map(() => new Set<string>());
  for (const cell of evaluation.cells) {
    if (cell.verdict !== 'unknown') continue;
    const pairKey = `${cell.sourceClass}/${cell.destinationClass}`;
    for (const e of cell.evidence) {
      for (const i of matchesOf(e)) {
        if (counted[i]!.has(pairKey)) continue;
        counted[i]!.add(pairKey);
        counts[i]! += cell.pairCount;
      }
    }
  }
  return counts;
}

/** Whether a collection call failed for this report: the verdicts may stand, but the read was not complete. */
export function collectionIncomplete(report: { warnings: readonly Warning[] }): boolean {
  return report.warnings.some((w) => w.code === COLLECTION_INCOMPLETE);
}
