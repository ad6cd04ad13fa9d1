/**
 * The parts of a SARIF 2.1.0 log that the audit and the what-if renderings share. Where a
 * document lives on disk and where a value sits in its text are questions for the edge (which
 * reads files); the renderers ask them through a SarifLocator and stay pure.
 */

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

export type SarifLevel = 'error' | 'warning' | 'note';

/** SARIF §3.30: both ends of the span, as line/column and as character offsets. */
export interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  charOffset: number;
  charLength: number;
}

/** SARIF §3.4: a relative reference resolved against `uriBaseId`, or an absolute URI. */
export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifPhysicalLocation {
  artifactLocation: SarifArtifactLocation;
  region?: SarifRegion;
}

/** What is being pointed at inside a document. */
export type SarifPlace = { kind: 'pointer'; pointer: string } | { kind: 'resource-address'; address: string };

export interface SarifLocator {
  /** `run.originalUriBaseIds`: base id -> absolute URI ending in `/`. */
  baseIds: Record<string, string>;
  /**
   * The physical location of a document (a file given on the command line), with the region
   * of `place` when it can be found; undefined when the document is no file (stdin, a live API,
   * a request body), since no URI would lead a reader to it.
   */
  locate(document: string, place?: SarifPlace): SarifPhysicalLocation | undefined;
}

/**
 * Without an edge to ask: document names are written as given, relative references when the
 * name is a relative path (SARIF1004 forbids a leading slash in a relative reference, so an
 * absolute path becomes a `file:` URI), no regions.
 */
export const NAME_ONLY_LOCATOR: SarifLocator = {
  baseIds: {},
  locate(document) {
    if (!looksLikeFile(document)) return undefined;
    return { artifactLocation: { uri: document.startsWith('/') ? `file://${encodePath(document)}` : encodePath(document) } };
  },
};

/** Names that are not files: `stdin`, `live:aws`, `request:/inputs/aws/2`, `terraform:<address>`. */
export function looksLikeFile(document: string): boolean {
  return document !== 'stdin' && !/^[a-z][a-z0-9+.-]*:/i.test(document);
}

/** Percent-encodes each path segment (RFC 3986) and keeps the slashes. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export interface SarifToolOptions {
  version: string;
  /** Where to learn about the tool (SARIF2005); package.json `homepage` at the edge. */
  informationUri?: string;
  locator?: SarifLocator;
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  defaultConfiguration: { level: SarifLevel };
  help: { text: string };
}

/**
 * No `helpUri`: a URL into the repository's docs/
 * on some branch would be a guess about where it is published; `help.text` names the page instead.
 */
export function sarifRule(id: string, name: string, short: string, full: string, level: SarifLevel, docPath: string): SarifRule {
  return { id, name, shortDescription: { text: short }, fullDescription: { text: full }, defaultConfiguration: { level }, help: { text: `${full} See ${docPath} in the sgaudit repository.` } };
}

export function sarifDriver(options: SarifToolOptions, rules: SarifRule[]): Record<string, unknown> {
  return { name: 'sgaudit', version: options.version, ...(options.informationUri ? { informationUri: options.informationUri } : {}), rules };
}

/** `originalUriBaseIds`, present only when some location uses a base id. */
export function sarifBaseIds(locator: SarifLocator): Record<string, unknown> {
  const ids = Object.entries(locator.baseIds);
  return ids.length === 0 ? {} : { originalUriBaseIds: Object.fromEntries(ids.map(([id, uri]) => [id, { uri }])) };
}

/** One `artifacts` entry per distinct artifact the results point at, in first-use order. */
export function sarifArtifacts(locations: (SarifPhysicalLocation | undefined)[]): SarifArtifactLocation[] {
  const seen = new Map<string, SarifArtifactLocation>();
  for (const l of locations) {
    if (!l) continue;
    const key = `${l.artifactLocation.uriBaseId ?? ''}\0${l.artifactLocation.uri}`;
    if (!seen.has(key)) seen.set(key, l.artifactLocation);
  }
  return [...seen.values()];
}
