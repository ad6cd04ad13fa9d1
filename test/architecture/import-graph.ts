/**
 * The import graph of sgaudit's production code and the checks that keep its layers honest.
 *
 * Everything except `buildImportGraphFromDisk` and `listProductionFiles` is a pure function over
 * in-memory data, so `layers.test.ts` can test the checker itself on small planted graphs.
 *
 * Graph: repo-relative file path ('/' separators) → the imports written in that file. An import of
 * one of our files has `target` = the resolved repo-relative path; an import of a package has
 * `target` = the specifier as written and `package` = the package name (`@aws-sdk/client-ec2`,
 * `ajv` for `ajv/dist/2020.js`, `node:fs` for `node:fs/promises` or `fs`).
 */
import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * `static`: a runtime import (`import x from`, `import 'x'`, `export … from`, `import { type A }`,
 * which `verbatimModuleSyntax` keeps). `type`: erased at runtime (`import type`, `export type … from`,
 * `typeof import('x')`). `dynamic`: `import('x')` in an expression.
 */
export type ImportKind = 'static' | 'type' | 'dynamic';

export interface ImportEdge {
  readonly target: string;
  readonly kind: ImportKind;
  /** Set when the import names a package rather than one of our files. */
  readonly package?: string;
  /** Set when a relative import resolves to no file; `target` is then the path it would have. */
  readonly unresolved?: boolean;
}

export type ImportGraph = Readonly<Record<string, readonly ImportEdge[]>>;

// ---------------------------------------------------------------------------------------------
// The layer table
// ---------------------------------------------------------------------------------------------

/**
 * One row of the layer table.
 *
 * - `paths`: a file belongs to the FIRST row one of whose patterns matches its repo-relative path.
 *   A pattern ending in `/` is a folder prefix; any other pattern must match the whole path. `*`
 *   matches one path segment (`providers/*\/` → `providers/aws/…`; `src/*.ts` → files directly
 *   under `src/`).
 * - `mayImport`: layer names whose files this layer may import. A name matches every folder of
 *   that layer (`providers` = any provider, `providers:terraform` included); `providers:aws`
 *   names one folder. `self` = the same folder of this layer only (for
 *   `providers/*\/`: its own provider folder).
 * - `packages`: packages it may import. `*` = any npm package, `node:*` = any Node builtin, else an
 *   exact package name. `[]` = none.
 */
export interface LayerRule {
  readonly layer: string;
  readonly paths: readonly string[];
  readonly mayImport: readonly string[];
  readonly packages: readonly string[];
  readonly why: string;
}

const CORE_EVALUATE = 'core:evaluate';
const CORE_FINDINGS = 'core:findings';
const CORE_REMEDIATE = 'core:remediate';
const CORE_REPORT = 'core:report';
const CORE_WHATIF = 'core:whatif';
const CORE = [CORE_EVALUATE, CORE_FINDINGS, CORE_REMEDIATE, CORE_REPORT, CORE_WHATIF];
/** Core is pure: no file, no network, no SDK. */
const PURE_PACKAGES = ['ipaddr.js'];
const ANY_PACKAGE = ['*', 'node:*'];
const ALL_LAYERS = ['model', 'rules', 'providers', ...CORE, 'inputs', 'pipeline', 'probe', 'store', 'http', 'cli', 'edge-misc'];

/** The layers, in matching order. Quote this table in docs rather than restating it. */
export const LAYERS: readonly LayerRule[] = [
  { layer: 'model', paths: ['src/model/'], mayImport: ['model'], packages: PURE_PACKAGES, why: 'the shared data model: pure, depends on nothing of ours' },
  { layer: 'rules', paths: ['rules/'], mayImport: ['model', 'rules'], packages: PURE_PACKAGES, why: 'the CNI requirement catalogue: pure data over the model' },
  {
    layer: 'providers:terraform',
    paths: ['providers/terraform/'],
    mayImport: ['model', 'self', 'providers:aws', 'providers:openstack'],
    packages: ANY_PACKAGE,
    why: "Terraform's aws_* and openstack_* resources hold EC2 and Neutron fields: their values go through those providers' field translators, so one field means one thing on every path",
  },
  { layer: 'providers', paths: ['providers/*/'], mayImport: ['model', 'self'], packages: ANY_PACKAGE, why: 'one folder per cloud/source; providers never depend on each other' },
  { layer: CORE_EVALUATE, paths: ['src/evaluate/'], mayImport: ['model', 'rules', CORE_EVALUATE], packages: PURE_PACKAGES, why: 'core: snapshot + requirements -> verdict cells over node classes' },
  { layer: CORE_FINDINGS, paths: ['src/findings/'], mayImport: ['model', 'rules', CORE_EVALUATE, CORE_FINDINGS], packages: PURE_PACKAGES, why: 'core: verdict cells -> findings with reasons and sample pairs' },
  { layer: CORE_REMEDIATE, paths: ['src/remediate/'], mayImport: ['model', 'rules', CORE_EVALUATE, CORE_FINDINGS, CORE_REMEDIATE], packages: PURE_PACKAGES, why: 'core: blocked findings -> the missing rules, as CLI, API and Terraform' },
  { layer: CORE_REPORT, paths: ['src/report/'], mayImport: ['model', 'rules', CORE_EVALUATE, CORE_FINDINGS, CORE_REMEDIATE, CORE_REPORT], packages: PURE_PACKAGES, why: 'core: the report contract and its renderings (table, markdown, ticket)' },
  { layer: CORE_WHATIF, paths: ['src/whatif/'], mayImport: ['model', 'rules', ...CORE], packages: PURE_PACKAGES, why: 'core: two snapshots and a change list -> which pairs a change blocks or allows' },
  { layer: 'inputs', paths: ['src/inputs/'], mayImport: ['model', 'rules', 'providers', 'inputs'], packages: ANY_PACKAGE, why: 'assembly: files and live sources -> raw documents -> one snapshot (through the providers), plans -> model changes' },
  { layer: 'pipeline', paths: ['src/pipeline/'], mayImport: ['model', 'rules', 'providers', 'inputs', ...CORE, 'pipeline'], packages: ANY_PACKAGE, why: 'the audit and what-if pipelines, each readable in one file' },
  { layer: 'probe', paths: ['src/probe/'], mayImport: ['model', 'rules', ...CORE, 'inputs', 'pipeline', 'providers', 'probe'], packages: ANY_PACKAGE, why: 'edge: data-plane probes' },
  { layer: 'store', paths: ['src/store/'], mayImport: ['model', 'store'], packages: ANY_PACKAGE, why: 'edge: persistence' },
  { layer: 'http', paths: ['src/http/'], mayImport: ALL_LAYERS.filter((l) => l !== 'cli'), packages: ANY_PACKAGE, why: 'edge: REST server' },
  { layer: 'cli', paths: ['src/cli/'], mayImport: ALL_LAYERS, packages: ANY_PACKAGE, why: 'edge: command line' },
  { layer: 'edge-misc', paths: ['src/*.ts'], mayImport: ['model', 'edge-misc'], packages: ANY_PACKAGE, why: 'edge: loose files directly under src/' },
];

/** Packages the CLI must load lazily (only inside the command that needs them). */
export const HEAVY_PACKAGES: readonly string[] = [
  '@aws-sdk/client-ec2',
  '@kubernetes/client-node',
  'got',
  'express',
  'pg',
  'better-sqlite3',
  'prom-client',
  'pino',
  'ajv',
  'ajv-formats',
];

/** The folders holding production code. */
export const PRODUCTION_DIRS: readonly string[] = ['src', 'providers', 'rules'];

/** The layer table as Markdown, for docs. */
export function formatLayerTable(table: readonly LayerRule[] = LAYERS): string {
  const rows = table.map(
    (r) =>
      `| \`${r.layer}\` | ${r.paths.map((p) => `\`${p}\``).join(', ')} | ${r.mayImport.join(', ')} | ${
        r.packages.length === 0 ? 'none' : r.packages.join(', ')
      } | ${r.why} |`,
  );
  return ['| Layer | Paths | May import | Packages | What |', '|---|---|---|---|---|', ...rows].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Classifying files
// ---------------------------------------------------------------------------------------------

export interface LayerMatch {
  readonly rule: LayerRule;
  /** The layer name with the `*` capture, e.g. `providers:aws`; equals `rule.layer` without one. */
  readonly instance: string;
}

function patternRegExp(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('([^/]+)');
  return new RegExp(pattern.endsWith('/') ? `^${body}` : `^${body}$`);
}

export function layerOf(file: string, table: readonly LayerRule[] = LAYERS): LayerMatch | undefined {
  for (const rule of table) {
    for (const pattern of rule.paths) {
      const m = patternRegExp(pattern).exec(file);
      if (!m) continue;
      // Only folder wildcards name an instance (`providers/*/`); `src/*.ts` is one layer.
      const captures = pattern.includes('*/') ? m.slice(1) : [];
      return { rule, instance: captures.length > 0 ? `${rule.layer}:${captures.join('/')}` : rule.layer };
    }
  }
  return undefined;
}

/** Production code: .ts files that are not tests, declarations, or test fixtures/helpers. */
export function isProductionFile(file: string): boolean {
  if (!file.endsWith('.ts') || file.endsWith('.d.ts') || file.endsWith('.test.ts')) return false;
  const segments = file.split('/');
  return !segments.slice(0, -1).some((s) => s === 'testdata' || s === 'testing');
}

// ---------------------------------------------------------------------------------------------
// Parsing and resolving imports
// ---------------------------------------------------------------------------------------------

export interface RawImport {
  readonly specifier: string;
  readonly kind: ImportKind;
}

/** Every module specifier in a file, with how it is imported. */
export function parseImports(fileName: string, text: string): RawImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const found: RawImport[] = [];
  const literal = (node: ts.Node | undefined): string | undefined =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;

  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const specifier = literal(node.moduleSpecifier);
      if (specifier !== undefined) found.push({ specifier, kind: node.importClause?.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isExportDeclaration(node)) {
      const specifier = literal(node.moduleSpecifier);
      if (specifier !== undefined) found.push({ specifier, kind: node.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const specifier = literal(node.moduleReference.expression);
      if (specifier !== undefined) found.push({ specifier, kind: node.isTypeOnly ? 'type' : 'static' });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const specifier = literal(node.arguments[0]);
      if (specifier !== undefined) found.push({ specifier, kind: 'dynamic' });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const specifier = literal(node.argument.literal);
      if (specifier !== undefined) found.push({ specifier, kind: 'type' });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The package a non-relative specifier names: `@scope/name`, `name`, or `node:builtin`. */
export function packageName(specifier: string): string {
  const bare = specifier.startsWith('node:') ? specifier.slice('node:'.length) : specifier;
  const first = bare.split('/')[0] ?? bare;
  if (specifier.startsWith('node:') || isBuiltin(first) || isBuiltin(bare)) return `node:${first}`;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isRelative(specifier: string): boolean {
  return specifier === '.' || specifier === '..' || specifier.startsWith('./') || specifier.startsWith('../');
}

/**
 * The repo-relative file a relative specifier names, the way NodeNext resolution maps emitted
 * `.js` back to `.ts`: './x.js' → './x.ts', './x' → './x.ts', './dir' → './dir/index.ts'.
 */
export function resolveRelative(fromFile: string, specifier: string, exists: (file: string) => boolean): { file: string; resolved: boolean } {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), specifier));
  const base = joined.replace(/\/+$/, '');
  const swapped: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts', '.jsx': '.tsx' };
  const ext = path.posix.extname(base);
  const candidates: string[] = [];
  if (swapped[ext] !== undefined) candidates.push(base.slice(0, -ext.length) + swapped[ext]);
  candidates.push(base, `${base}.ts`, `${base}/index.ts`);
  if (swapped[ext] !== undefined) candidates.push(`${base.slice(0, -ext.length)}/index.ts`);
  const hit = candidates.find((c) => exists(c));
  return hit !== undefined ? { file: hit, resolved: true } : { file: candidates[0] ?? base, resolved: false };
}

/**
 * The graph of the given sources (repo-relative path → text). Relative imports resolve against
 * the sources first, then `exists` (files outside the graph, e.g. test helpers).
 */
export function buildGraph(sources: ReadonlyMap<string, string>, exists: (file: string) => boolean = () => false): ImportGraph {
  const graph: Record<string, ImportEdge[]> = {};
  const known = (file: string): boolean => sources.has(file) || exists(file);
  for (const file of [...sources.keys()].sort()) {
    const text = sources.get(file) ?? '';
    graph[file] = parseImports(file, text).map(({ specifier, kind }): ImportEdge => {
      if (!isRelative(specifier)) return { target: specifier, kind, package: packageName(specifier) };
      const { file: target, resolved } = resolveRelative(file, specifier, known);
      return resolved ? { target, kind } : { target, kind, unresolved: true };
    });
  }
  return graph;
}

/** Every production .ts file under the production folders, repo-relative. */
export function listProductionFiles(root: string, dirs: readonly string[] = PRODUCTION_DIRS): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(root, rel), { withFileTypes: true });
    } catch {
      return; // a folder removed mid-walk (the tree may be under concurrent edit)
    }
    for (const entry of entries) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(child);
      } else if (isProductionFile(child)) {
        out.push(child);
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return out.sort();
}

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The import graph of the production code on disk. */
export function buildImportGraphFromDisk(root: string = REPO_ROOT, dirs: readonly string[] = PRODUCTION_DIRS): ImportGraph {
  const sources = new Map<string, string>();
  for (const file of listProductionFiles(root, dirs)) {
    try {
      sources.set(file, readFileSync(path.join(root, file), 'utf8'));
    } catch {
      // deleted between listing and reading
    }
  }
  const exists = (file: string): boolean => {
    const abs = path.join(root, file);
    try {
      return existsSync(abs) && statSync(abs).isFile();
    } catch {
      return false;
    }
  };
  return buildGraph(sources, exists);
}

// ---------------------------------------------------------------------------------------------
// Check 1: forbidden imports
// ---------------------------------------------------------------------------------------------

function kindNote(kind: ImportKind): string {
  return kind === 'static' ? '' : kind === 'type' ? ' (type-only)' : ' (dynamic)';
}

function packageAllowed(pkg: string, allowed: readonly string[]): boolean {
  const builtin = pkg.startsWith('node:');
  return allowed.some((a) => a === pkg || (a === '*' && !builtin) || (a === 'node:*' && builtin));
}

function describeAllowedLayers(match: LayerMatch): string {
  const names = match.rule.mayImport.map((l) => (l === 'self' ? match.instance : l));
  return `${match.instance} may import only ${names.join(', ')}`;
}

function describeAllowedPackages(match: LayerMatch): string {
  const p = match.rule.packages;
  if (p.length === 0) return `${match.instance} may import no package`;
  const words = p.map((a) => (a === '*' ? 'any npm package' : a === 'node:*' ? 'node builtins' : a));
  return `${match.instance} may import only the package${p.length === 1 && p[0] !== '*' && p[0] !== 'node:*' ? '' : 's'} ${words.join(', ')}`;
}

/** `providers` matches every provider (`providers:aws`, `providers:terraform`); `providers:aws` only that one. */
function layerNameMatches(name: string, to: LayerMatch): boolean {
  return name === to.rule.layer || name === to.instance || to.rule.layer.startsWith(`${name}:`);
}

/** Violations of the layer table: one message per offending import, plus files on no layer. */
export function checkLayers(graph: ImportGraph, table: readonly LayerRule[] = LAYERS): string[] {
  const messages: string[] = [];
  for (const file of Object.keys(graph).sort()) {
    const from = layerOf(file, table);
    if (!from) {
      messages.push(`${file}: file on no layer (its path matches no row of the layer table)`);
      continue;
    }
    for (const edge of graph[file] ?? []) {
      const how = kindNote(edge.kind);
      if (edge.package !== undefined) {
        if (!packageAllowed(edge.package, from.rule.packages)) {
          const named = edge.package === edge.target ? edge.package : `${edge.package} (${edge.target})`;
          messages.push(`${file} imports package ${named}${how}: ${describeAllowedPackages(from)}`);
        }
        continue;
      }
      if (edge.unresolved) {
        messages.push(`${file} imports ${edge.target}${how}: no such file`);
        continue;
      }
      const to = layerOf(edge.target, table);
      if (!to) {
        messages.push(`${file} imports ${edge.target}${how}: that file is on no layer (${describeAllowedLayers(from)})`);
        continue;
      }
      const allowed = from.rule.mayImport.some((l) => (l === 'self' ? to.instance === from.instance : layerNameMatches(l, to)));
      if (!allowed) messages.push(`${file} imports ${edge.target}${how}: ${describeAllowedLayers(from)}`);
    }
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------
// Check 2: cycles
// ---------------------------------------------------------------------------------------------

/** File → files it imports (static and type-only; dynamic imports do not make cycles). */
function fileEdges(graph: ImportGraph, file: string, kinds: readonly ImportKind[]): string[] {
  const targets = (graph[file] ?? [])
    .filter((e) => e.package === undefined && !e.unresolved && kinds.includes(e.kind) && e.target in graph)
    .map((e) => e.target);
  return [...new Set(targets)].sort();
}

/** Strongly connected components (Tarjan, iterative), each sorted, in sorted order. */
export function stronglyConnectedComponents(nodes: readonly string[], next: (n: string) => readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];

  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; children: readonly string[]; i: number }[] = [];
    const enter = (n: string): void => {
      index.set(n, counter);
      low.set(n, counter);
      counter++;
      stack.push(n);
      onStack.add(n);
      work.push({ node: n, children: next(n), i: 0 });
    };
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.children.length) {
        const child = frame.children[frame.i++]!;
        if (!index.has(child)) enter(child);
        else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== frame.node);
        components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
}

/** Shortest path start → … → start inside `members` (BFS), as the list of files. */
function shortestCycle(start: string, members: ReadonlySet<string>, next: (n: string) => readonly string[]): string[] {
  const parent = new Map<string, string>();
  const queue: string[] = [start];
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q]!;
    for (const child of next(node)) {
      if (!members.has(child)) continue;
      if (child === start) {
        const back: string[] = [];
        for (let n = node; n !== start; n = parent.get(n)!) back.push(n);
        return [start, ...back.reverse(), start];
      }
      if (!parent.has(child)) {
        parent.set(child, node);
        queue.push(child);
      }
    }
  }
  return [start, start];
}

/**
 * Import cycles between files: one message per strongly connected component, showing the
 * shortest cycle through its first file, and the whole component when it is larger.
 */
export function findCycles(graph: ImportGraph): string[] {
  const next = (n: string): string[] => fileEdges(graph, n, ['static', 'type']);
  const nodes = Object.keys(graph).sort();
  const messages: string[] = [];
  for (const component of stronglyConnectedComponents(nodes, next)) {
    const first = component[0]!;
    if (component.length === 1 && !next(first).includes(first)) continue;
    const cycle = shortestCycle(first, new Set(component), next);
    const extra =
      component.length > cycle.length - 1 ? ` (one cycle of a tangle of ${component.length} files: ${component.join(', ')})` : '';
    messages.push(`cycle: ${cycle.join(' -> ')}${extra}`);
  }
  return messages;
}

// ---------------------------------------------------------------------------------------------
// Check 3: lazy loading
// ---------------------------------------------------------------------------------------------

/**
 * What `entry` loads at startup: its closure over runtime-static imports (dynamic imports are
 * not followed, type-only imports are erased). One message per forbidden package reached, with
 * the shortest import chain.
 */
export function checkStaticClosure(graph: ImportGraph, entry: string, forbidden: readonly string[] = HEAVY_PACKAGES): string[] {
  if (!(entry in graph)) return [`${entry} does not exist (no such production file), so what it loads at startup cannot be checked`];
  const parent = new Map<string, string>([[entry, '']]);
  const reached = new Map<string, string>(); // package → file that imports it first (BFS order)
  const queue = [entry];
  for (let q = 0; q < queue.length; q++) {
    const file = queue[q]!;
    const edges = [...(graph[file] ?? [])].filter((e) => e.kind === 'static').sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
    for (const edge of edges) {
      if (edge.package !== undefined) {
        if (forbidden.includes(edge.package) && !reached.has(edge.package)) reached.set(edge.package, file);
      } else if (!edge.unresolved && edge.target in graph && !parent.has(edge.target)) {
        parent.set(edge.target, file);
        queue.push(edge.target);
      }
    }
  }
  const messages: string[] = [];
  for (const pkg of forbidden) {
    const via = reached.get(pkg);
    if (via === undefined) continue;
    const chain: string[] = [];
    for (let n = via; n !== ''; n = parent.get(n) ?? '') chain.unshift(n);
    messages.push(`${entry} statically loads ${pkg} (import it lazily with await import()): ${[...chain, pkg].join(' -> ')}`);
  }
  return messages;
}
