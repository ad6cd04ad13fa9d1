import { InputError, pointerJoin } from '../../src/model/source.js';
import type { RawDocument } from '../../src/model/documents.js';
import { IssueCollector, isPlainObject } from '../../src/model/issues.js';

export type JsonObject = Record<string, unknown>;

/** The Terraform action list of one resource change, reduced to what it does. */
export type PlanAction = 'no-op' | 'read' | 'create' | 'update' | 'delete' | 'replace' | 'forget';

/** One `resource_changes[]` entry whose shape has been checked. */
export interface PlanResourceChange {
  address: string;
  type: string;
  mode: 'managed' | 'data';
  providerName?: string;
  /** Set for the change of a deposed object (a create_before_destroy leftover). */
  deposed?: string;
  action: PlanAction;
  before: JsonObject | null;
  after: JsonObject | null;
  /** `after_unknown`: mirrors `after`, `true` where the value is known only after apply. */
  afterUnknown: unknown;
  /** Pointer of this entry inside the plan document. */
  pointer: string;
}

export interface ParsedPlan {
  document: string;
  formatVersion: string;
  terraformVersion?: string;
  changes: PlanResourceChange[];
  /** `configuration` section, used to tell "not configured" from "unknown" for computed attributes. */
  configuration?: JsonObject;
}

const ACTIONS: ReadonlyArray<[string, PlanAction]> = [
  ['no-op', 'no-op'],
  ['read', 'read'],
  ['create', 'create'],
  ['update', 'update'],
  ['delete', 'delete'],
  ['delete,create', 'replace'],
  ['create,delete', 'replace'],
  ['forget', 'forget'],
];

/**
 * Reads the output of `terraform show -json PLANFILE` (format_version 0.x or 1.x) and checks
 * the parts sgaudit relies on. Every malformed entry is reported in one InputError with its
 * JSON pointer; nothing is skipped silently.
 */
export function parsePlanDocument(doc: RawDocument): ParsedPlan {
  const issues = new IssueCollector();
  const problem: ProblemSink = (pointer, reason, value) => issues.problem(doc.name, pointer, reason, value);
  const body = doc.body;
  if (!isPlainObject(body)) {
    problem('', 'a Terraform plan must be a JSON object (the output of `terraform show -json PLANFILE`)', body);
    throw new InputError(issues.problems);
  }
  const formatVersion = body['format_version'];
  if (typeof formatVersion !== 'string' || !/^\d+\.\d+$/.test(formatVersion)) {
    problem('/format_version', 'missing or malformed "format_version"; expected the output of `terraform show -json PLANFILE`', formatVersion);
    throw new InputError(issues.problems);
  }
  const major = Number(formatVersion.split('.')[0]);
  if (major > 1) {
    problem('/format_version', `plan JSON format ${formatVersion} is not supported (sgaudit reads format 0.x and 1.x)`, formatVersion);
    throw new InputError(issues.problems);
  }
  const rawChanges = body['resource_changes'];
  if (rawChanges === undefined) {
    // Terraform omits resource_changes for a plan with no changes; a state file has no planned_values.
    if (!isPlainObject(body['planned_values'])) {
      problem(
        '',
        'no "resource_changes" and no "planned_values": this is not a plan; run `terraform plan -out tf.plan && terraform show -json tf.plan` (a state file is not a plan)',
      );
      throw new InputError(issues.problems);
    }
  } else if (!Array.isArray(rawChanges)) {
    problem('/resource_changes', '"resource_changes" must be a list', rawChanges);
    throw new InputError(issues.problems);
  }
  const changes: PlanResourceChange[] = [];
  (Array.isArray(rawChanges) ? rawChanges : []).forEach((entry, i) => {
    const parsed = readResourceChange(entry, pointerJoin('/resource_changes', i), problem);
    if (parsed) changes.push(parsed);
  });
  issues.throwIfProblems();
  const plan: ParsedPlan = { document: doc.name, formatVersion, changes };
  if (typeof body['terraform_version'] === 'string') plan.terraformVersion = body['terraform_version'];
  if (isPlainObject(body['configuration'])) plan.configuration = body['configuration'];
  return plan;
}

type ProblemSink = (pointer: string, reason: string, value?: unknown) => void;

function readResourceChange(entry: unknown, at: string, problem: ProblemSink): PlanResourceChange | undefined {
  if (!isPlainObject(entry)) {
    problem(at, 'each "resource_changes" entry must be an object', entry);
    return undefined;
  }
  let ok = true;
  const str = (key: string): string | undefined => {
    const v = entry[key];
    if (typeof v === 'string' && v !== '') return v;
    problem(pointerJoin(at, key), `"${key}" must be a non-empty string`, v);
    ok = false;
    return undefined;
  };
  const address = str('address');
  const type = str('type');
  const modeValue = entry['mode'] ?? 'managed';
  if (modeValue !== 'managed' && modeValue !== 'data') {
    problem(pointerJoin(at, 'mode'), '"mode" must be "managed" or "data"', modeValue);
    ok = false;
  }
  const change = entry['change'];
  const changeAt = pointerJoin(at, 'change');
  if (!isPlainObject(change)) {
    problem(changeAt, '"change" must be an object with actions, before and after', change);
    return undefined;
  }
  const action = readActions(change['actions'], pointerJoin(changeAt, 'actions'), problem);
  const before = readState(change, 'before', changeAt, problem);
  const after = readState(change, 'after', changeAt, problem);
  if (!ok || action === undefined || before === undefined || after === undefined) return undefined;

  // The action decides which states must exist; a mismatch means the document was edited or truncated.
  const needsBefore = action === 'update' || action === 'delete' || action === 'replace';
  const needsAfter = action === 'update' || action === 'create' || action === 'replace';
  if (needsBefore && before === null) {
    problem(pointerJoin(changeAt, 'before'), `a "${action}" change must have a "before" object`, before);
    return undefined;
  }
  if (needsAfter && after === null) {
    problem(pointerJoin(changeAt, 'after'), `a "${action}" change must have an "after" object`, after);
    return undefined;
  }
  const afterUnknown = change['after_unknown'];
  if (afterUnknown !== undefined && afterUnknown !== null && !isPlainObject(afterUnknown) && typeof afterUnknown !== 'boolean') {
    problem(pointerJoin(changeAt, 'after_unknown'), '"after_unknown" must be an object or a boolean', afterUnknown);
    return undefined;
  }
  const parsed: PlanResourceChange = {
    address: address!,
    type: type!,
    mode: modeValue as 'managed' | 'data',
    action,
    before,
    after,
    afterUnknown: afterUnknown ?? {},
    pointer: at,
  };
  if (typeof entry['provider_name'] === 'string') parsed.providerName = entry['provider_name'];
  if (typeof entry['deposed'] === 'string') parsed.deposed = entry['deposed'];
  return parsed;
}

function readActions(value: unknown, at: string, problem: ProblemSink): PlanAction | undefined {
  if (!Array.isArray(value)) {
    problem(at, '"actions" must be a list such as ["create"] or ["delete", "create"]', value);
    return undefined;
  }
  if (!value.every((a) => typeof a === 'string')) {
    problem(at, '"actions" entries must be strings', value);
    return undefined;
  }
  const key = value.join(',');
  const found = ACTIONS.find(([k]) => k === key);
  if (!found) {
    problem(
      at,
      'unknown action combination; expected one of ["no-op"], ["read"], ["create"], ["update"], ["delete"], ["delete","create"], ["create","delete"], ["forget"]',
      value,
    );
    return undefined;
  }
  return found[1];
}

/** `before`/`after`: an object or null (absent is read as null, as Terraform writes null). */
function readState(change: JsonObject, key: 'before' | 'after', changeAt: string, problem: ProblemSink): JsonObject | null | undefined {
  const v = change[key];
  if (v === undefined || v === null) return null;
  if (isPlainObject(v)) return v;
  problem(pointerJoin(changeAt, key), `"${key}" must be an object or null`, v);
  return undefined;
}
