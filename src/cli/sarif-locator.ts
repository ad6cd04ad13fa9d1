import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import { encodePath, looksLikeFile, type SarifLocator, type SarifPhysicalLocation, type SarifPlace, type SarifRegion } from '../report/sarif-log.js';

/**
 * GitHub code scanning and the SARIF spec's own examples use this id for "the root of the
 * checkout"; CI runs sgaudit from that root, so the working directory stands for it.
 */
export const SRCROOT = '%SRCROOT%';

/** A value's span in a document's text, as UTF-16 offsets (SARIF's default column unit). */
interface Span {
  offset: number;
  length: number;
}

/** One document's text, and how to find spans in it. */
interface SourceText {
  text: string;
  lineStarts: number[];
  find(place: SarifPlace): Span | undefined;
}

/**
 * Builds the locator for SARIF output: file documents become references relative to the working
 * directory under %SRCROOT% (files outside it become absolute `file:` URIs), and pointers and
 * Terraform resource addresses become line/column regions found in the file's own text.
 * Files are read again here rather than kept from the audit: positions matter only for SARIF,
 * and the audit path should not carry every input's text.
 */
export async function fileSarifLocator(documents: string[], cwd = process.cwd()): Promise<SarifLocator> {
  const texts = new Map<string, SourceText | undefined>();
  for (const document of new Set(documents)) {
    if (looksLikeFile(document)) texts.set(document, await readSource(resolve(cwd, fileOf(document)), yamlIndex(document)?.index));
  }
  const root = pathToFileURL(cwd.endsWith(sep) ? cwd : `${cwd}${sep}`).href;
  return {
    baseIds: { [SRCROOT]: root },
    locate(document, place) {
      if (!texts.has(document)) return undefined;
      const source = texts.get(document);
      const file = fileOf(document);
      const abs = resolve(cwd, file);
      const rel = relative(cwd, abs);
      const inside = rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
      const at: SarifPhysicalLocation = {
        artifactLocation: inside ? { uri: encodePath(rel.split(sep).join('/')), uriBaseId: SRCROOT } : { uri: pathToFileURL(abs).href },
      };
      const span = source && place ? source.find(place) : undefined;
      if (source && span) at.region = region(source, span);
      return at;
    },
  };
}

/** `file.yaml[2]` names the third document of a multi-document YAML file (see inputs/read-files.ts). */
function yamlIndex(document: string): { file: string; index: number } | undefined {
  const m = /^(.*)\[(\d+)\]$/.exec(document);
  return m ? { file: m[1]!, index: Number(m[2]) } : undefined;
}

function fileOf(document: string): string {
  return yamlIndex(document)?.file ?? document;
}

async function readSource(path: string, yamlDocument: number | undefined): Promise<SourceText | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // Unreadable now (deleted, or a name that only looked like a path): the location keeps its URI, without a region.
    return undefined;
  }
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const trimmed = text.trimStart().replace(/^\uFEFF/, '');
  if (yamlDocument === undefined && (trimmed.startsWith('{') || trimmed.startsWith('['))) {
    const tree = parseTree(text);
    return { text, lineStarts, find: (place) => (tree ? jsonSpan(tree, place) : undefined) };
  }
  const { parseAllDocuments, isCollection, isScalar } = await import('yaml');
  const docs = parseAllDocuments(text);
  const doc = Array.isArray(docs) ? docs[yamlDocument ?? 0] : undefined;
  return {
    text,
    lineStarts,
    find(place) {
      if (!doc || place.kind !== 'pointer') return undefined;
      const node = doc.getIn(pointerSegments(place.pointer), true);
      if (!(isCollection(node) || isScalar(node)) || !node.range) return undefined;
      return { offset: node.range[0], length: node.range[1] - node.range[0] };
    },
  };
}

/** RFC 6901: `~1` is `/`, `~0` is `~`, in that order. */
function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function child(node: JsonNode, segment: string): JsonNode | undefined {
  if (node.type === 'array') return /^(0|[1-9]\d*)$/.test(segment) ? node.children?.[Number(segment)] : undefined;
  if (node.type !== 'object') return undefined;
  const property = node.children?.find((p) => p.children?.[0]?.value === segment);
  return property?.children?.[1];
}

function jsonSpan(root: JsonNode, place: SarifPlace): Span | undefined {
  let node: JsonNode | undefined = root;
  if (place.kind === 'pointer') {
    for (const segment of pointerSegments(place.pointer)) node = node && child(node, segment);
  } else {
    // A plan lists each resource once in resource_changes; that entry is what the change is.
    const changes = child(root, 'resource_changes');
    node = changes?.children?.find((entry) => {
      const address = child(entry, 'address');
      return address?.type === 'string' && address.value === place.address;
    });
  }
  return node ? { offset: node.offset, length: node.length } : undefined;
}

function position(source: SourceText, offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = source.lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (source.lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - source.lineStarts[lo]! + 1 };
}

function region(source: SourceText, span: Span): SarifRegion {
  const start = position(source, span.offset);
  // SARIF's endColumn is one past the last character, like the exclusive end offset.
  const end = position(source, span.offset + span.length);
  return { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column, charOffset: span.offset, charLength: span.length };
}
