import { readFile } from 'node:fs/promises';
import type { RawDocument } from '../model/documents.js';
import { IssueCollector } from '../model/issues.js';
import { findTooDeep, MAX_JSON_DEPTH, parseJsonText } from '../model/json-text.js';

const STDIN = '-';

/**
 * Reads the files given to one flag (`--nodes a.json b.yaml`, `-` for stdin) into raw documents.
 * JSON and YAML are both accepted because `kubectl -o yaml` is as common as `-o json`;
 * a multi-document YAML file yields one document per `---` section.
 * Every unreadable file is reported in one InputError.
 */
export async function readDocuments(paths: string[], flagName: string, stdin: () => Promise<string> = readStdin): Promise<RawDocument[]> {
  const issues = new IssueCollector();
  const out: RawDocument[] = [];
  if (paths.filter((p) => p === STDIN).length > 1) {
    issues.problem(flagName, '', 'stdin (-) can be given only once');
    issues.throwIfProblems();
  }
  for (const path of paths) {
    const name = path === STDIN ? 'stdin' : path;
    const text = await readText(path, name, flagName, stdin, issues);
    if (text === undefined) continue;
    out.push(...(await parseDocuments(text, name, flagName, issues)));
  }
  issues.throwIfProblems();
  return out;
}

async function readText(path: string, name: string, flagName: string, stdin: () => Promise<string>, issues: IssueCollector): Promise<string | undefined> {
  try {
    return path === STDIN ? await stdin() : await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'is a directory, not a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    issues.problem(name, '', `${flagName}: cannot read ${name}: ${why}`);
    return undefined;
  }
}

async function parseDocuments(text: string, name: string, flagName: string, issues: IssueCollector): Promise<RawDocument[]> {
  const clean = text.replace(/^\uFEFF/, '');
  const trimmed = clean.trim();
  if (trimmed === '') {
    issues.problem(name, '', `${flagName}: ${name} is empty`);
    return [];
  }
  const looksJson = trimmed.startsWith('{') || trimmed.startsWith('[') || name.endsWith('.json');
  if (looksJson) {
    const parsed = parseJsonText(clean);
    if (!parsed.ok) {
      issues.problem(name, '', `${flagName}: ${parsed.reason}`);
      return [];
    }
    return withinDepth([{ name, body: parsed.value }], flagName, issues);
  }
  // The YAML parser loads only for YAML input: most exports are JSON, and it costs a CLI run ~25 ms to load.
  const { parseAllDocuments } = await import('yaml');
  let docs: RawDocument[];
  try {
    docs = parseYaml(parseAllDocuments, clean, name, flagName, issues);
  } catch (e) {
    // The YAML parser recurses once per level: a deep enough flow collection overflows its stack.
    if (!(e instanceof RangeError)) throw e;
    issues.problem(name, '', `${flagName}: the YAML nests too deeply to read (more than ${MAX_JSON_DEPTH} levels of lists and maps are not read)`);
    return [];
  }
  return withinDepth(docs, flagName, issues);
}

/**
 * Documents nesting deeper than MAX_JSON_DEPTH are refused here, at the edge, with the place
 * where they do: every reader after this one (translators, the report, error messages) may
 * recurse once per level.
 */
function withinDepth(docs: RawDocument[], flagName: string, issues: IssueCollector): RawDocument[] {
  return docs.filter((doc) => {
    const deep = findTooDeep(doc.body, MAX_JSON_DEPTH);
    if (deep) issues.problem(doc.name, deep.pointer, `${flagName}: nests deeper than ${deep.maxDepth} levels of arrays and objects, the most sgaudit reads`);
    return deep === undefined;
  });
}

function parseYaml(parseAllDocuments: typeof import('yaml').parseAllDocuments, text: string, name: string, flagName: string, issues: IssueCollector): RawDocument[] {
  const docs = parseAllDocuments(text);
  const list = Array.isArray(docs) ? docs : [];
  const out: RawDocument[] = [];
  const bodies: unknown[] = [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      // The parser recurses once per level and reports its own stack overflow as a syntax error.
      if (error.message.includes('Maximum call stack size exceeded')) throw new RangeError(error.message);
      const where = error.linePos ? ` at line ${error.linePos[0].line} column ${error.linePos[0].col}` : '';
      issues.problem(name, '', `${flagName}: malformed YAML${where}: ${error.message.split('\n')[0]}`);
      return [];
    }
    const body = doc.toJS({ maxAliasCount: 100 });
    // `---` at the end of a file leaves an empty document; it holds nothing to lose.
    if (body !== null && body !== undefined) bodies.push(body);
  }
  if (bodies.length === 0) {
    issues.problem(name, '', `${flagName}: ${name} holds no YAML document`);
    return [];
  }
  bodies.forEach((body, i) => out.push({ name: bodies.length === 1 ? name : `${name}[${i}]`, body }));
  return out;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
