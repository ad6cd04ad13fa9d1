import { readFile } from 'node:fs/promises';
import type { CloudObjectKind, Unavailable } from '../model/cloud.js';
import { InputError, pointerJoin, type InputProblem } from '../model/source.js';
import { parseJsonText } from '../model/json-text.js';

const KINDS: readonly CloudObjectKind[] = [
  'network-interface',
  'security-group',
  'network-acl',
  'subnet',
  'prefix-list',
  'address-group',
];

const OPTIONAL_STRINGS = ['id', 'ip', 'subnetId', 'instanceId'] as const;

/**
 * Reads the `unavailable.json` that `sgaudit collect` writes (a JSON array of Unavailable),
 * so an offline audit of a collection keeps its failures as `unknown` instead of losing them.
 */
export async function readUnavailableFile(path: string): Promise<Unavailable[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new InputError([{ document: path, pointer: '', reason: `cannot read: ${(e as Error).message}` }]);
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new InputError([{ document: path, pointer: '', reason: parsed.reason }]);
  return parseUnavailable(parsed.value, path);
}

export function parseUnavailable(value: unknown, document: string): Unavailable[] {
  if (!Array.isArray(value)) {
    throw new InputError([{ document, pointer: '', reason: 'expected a JSON array of unavailable entries', value }]);
  }
  const problems: InputProblem[] = [];
  const out: Unavailable[] = [];
  value.forEach((entry: unknown, i) => {
    const at = pointerJoin('', i);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push({ document, pointer: at, reason: 'expected an object', value: entry });
      return;
    }
    const e = entry as Record<string, unknown>;
    const before = problems.length;
    if (!KINDS.includes(e.kind as CloudObjectKind)) {
      problems.push({ document, pointer: pointerJoin(at, 'kind'), reason: `expected one of ${KINDS.join(', ')}`, value: e.kind });
    }
    if (typeof e.reason !== 'string' || e.reason === '') {
      problems.push({ document, pointer: pointerJoin(at, 'reason'), reason: 'expected a non-empty string', value: e.reason });
    }
    for (const key of OPTIONAL_STRINGS) {
      if (e[key] !== undefined && typeof e[key] !== 'string') {
        problems.push({ document, pointer: pointerJoin(at, key), reason: 'expected a string', value: e[key] });
      }
    }
    if (problems.length > before) return;
    const item: Unavailable = { kind: e.kind as CloudObjectKind, reason: e.reason as string };
    for (const key of OPTIONAL_STRINGS) if (typeof e[key] === 'string') item[key] = e[key];
    out.push(item);
  });
  if (problems.length > 0) throw new InputError(problems);
  return out;
}
