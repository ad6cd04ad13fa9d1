import { boundedJson } from './json-text.js';

/**
 * Where a model object came from, so that every verdict can point back at the
 * exact native document entry that produced it.
 */
export interface SourceRef {
  /** File path, `live:aws`, `live:openstack`, `request:/inputs/aws/2`, `terraform:<address>` … */
  document: string;
  /** RFC 6901 JSON pointer into that document. */
  pointer: string;
}

/**
 * Odd but usable input. Translators record these and carry on
 * (Batfish style); they never throw for something they can work around.
 */
export interface Warning {
  code: string;
  message: string;
  source?: SourceRef;
}

/**
 * Input that cannot be used at all. Thrown as InputError by parsers and
 * turned into exit code 2 by the CLI and a 4xx problem+json by the HTTP layer.
 */
export interface InputProblem {
  /** The file or request field the problem is in. */
  document: string;
  /** RFC 6901 pointer to the failing field inside the document ("" for the whole document). */
  pointer: string;
  /** The offending value (truncated for display), when there is one. */
  value?: unknown;
  reason: string;
}

export class InputError extends Error {
  readonly problems: InputProblem[];
  constructor(problems: InputProblem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
    this.problems = problems;
  }
}

/** How much of an offending value a message shows. */
const SHOWN_VALUE_CHARS = 120;

/**
 * One line per problem. The value is written with a bounded walk, not JSON.stringify: the value
 * is the user's, and one nested 5,000 levels deep used to overflow the stack right here, while
 * the error about it was being reported.
 */
export function formatProblem(p: InputProblem): string {
  const where = p.pointer ? `${p.document}#${p.pointer}` : p.document;
  const value = p.value === undefined ? '' : ` (value: ${shownValue(p.value)})`;
  return `${where}: ${p.reason}${value}`;
}

function shownValue(v: unknown): string {
  const json = boundedJson(v, SHOWN_VALUE_CHARS);
  if (json.text === '') return 'undefined';
  return json.complete ? json.text : `${json.text.slice(0, SHOWN_VALUE_CHARS - 3)}...`;
}

/** Appends a JSON-pointer segment, escaping `~` and `/` as RFC 6901 requires. */
export function pointerJoin(base: string, ...segments: (string | number)[]): string {
  let pointer = base;
  for (const s of segments) {
    // Most segments are ids and indexes with nothing to escape; a pointer is built for every translated object.
    const text = typeof s === 'string' ? s : String(s);
    pointer = `${pointer}/${text.includes('~') || text.includes('/') ? text.replace(/~/g, '~0').replace(/\//g, '~1') : text}`;
  }
  return pointer;
}

/**
 * A source the given configuration cannot reach: missing credentials, a refused permission,
 * no catalog entry, no probe secret. The fix is in the configuration, not in the input files,
 * so the CLI prints the message alone and exits 2.
 */
export class AccessError extends Error {
  override name = 'AccessError';
  /**
   * Set when the source did not answer within its timeout or the collection deadline, as
   * opposed to refusing: the REST API answers 504 instead of 502, and the message carries
   * "timed out after N s".
   */
  timedOut = false;
}
