import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  HEAVY_PACKAGES,
  type ImportEdge,
  type ImportGraph,
  type ImportKind,
  LAYERS,
  buildGraph,
  buildImportGraphFromDisk,
  checkLayers,
  checkStaticClosure,
  findCycles,
  formatLayerTable,
  isProductionFile,
  layerOf,
  packageName,
  parseImports,
} from './import-graph.js';

/**
 * The layer rules of sgaudit (table: LAYERS in import-graph.ts), checked on the real source tree,
 * preceded by tests of the checker itself on small planted graphs.
 */

const BIN = 'src/cli/bin.ts';
const AUDIT_COMMAND = 'src/cli/commands/audit.ts';

const edge = (target: string, kind: ImportKind = 'static'): ImportEdge => ({ target, kind });
const pkg = (specifier: string, kind: ImportKind = 'static'): ImportEdge => ({ target: specifier, kind, package: packageName(specifier) });

/** A graph in which every file named as a target is also a node (with no imports of its own). */
function graphOf(files: Record<string, ImportEdge[]>): ImportGraph {
  const graph: Record<string, ImportEdge[]> = { ...files };
  for (const edges of Object.values(files)) {
    for (const e of edges) if (e.package === undefined && !(e.target in graph)) graph[e.target] = [];
  }
  return graph;
}

/** Failure text: the count, then every violation on its own line. */
function listing(what: string, violations: readonly string[]): string {
  return `${what} (${violations.length}):\n  ${violations.join('\n  ')}\n`;
}

const WHATIF_RULE = 'core:whatif may import only model, rules, core:evaluate, core:findings, core:remediate, core:report, core:whatif';

describe('the checker (self-tests on planted graphs)', () => {
  describe('layer of a file', () => {
    it.each([
      ['src/model/cloud.ts', 'model'],
      ['rules/flannel-vxlan.ts', 'rules'],
      ['providers/aws/translate.ts', 'providers:aws'],
      ['providers/kubernetes/collect.ts', 'providers:kubernetes'],
      ['src/evaluate/cell.ts', 'core:evaluate'],
      ['src/findings/x.ts', 'core:findings'],
      ['src/remediate/commands/api.ts', 'core:remediate'],
      ['src/report/order.ts', 'core:report'],
      ['src/whatif/diff.ts', 'core:whatif'],
      ['src/inputs/live.ts', 'inputs'],
      ['src/pipeline/run.ts', 'pipeline'],
      ['src/probe/agent.ts', 'probe'],
      ['src/store/types.ts', 'store'],
      ['src/http/routes/audits.ts', 'http'],
      ['src/cli/commands/audit.ts', 'cli'],
      ['src/package-root.ts', 'edge-misc'],
    ])('%s is on layer %s', (file, layer) => {
      expect(layerOf(file)?.instance).toBe(layer);
    });

    it.each(['src/net/cidr.ts', 'providers/loose.ts', 'test/support/tier.ts', 'lib/x.ts'])('%s is on no layer', (file) => {
      expect(layerOf(file)).toBeUndefined();
    });

    it.each([
      ['src/model/cloud.ts', true],
      ['src/model/cidr.test.ts', false],
      ['src/model/ambient.d.ts', false],
      ['src/evaluate/testing/builders.ts', false],
      ['providers/kubernetes/testdata/nodes.ts', false],
      ['src/report/testing-notes.ts', true],
      ['rules/catalog.json', false],
    ])('production file %s: %s', (file, production) => {
      expect(isProductionFile(file)).toBe(production);
    });

    it('the table is quotable as Markdown, one row per layer', () => {
      const table = formatLayerTable();
      expect(table.split('\n')).toHaveLength(LAYERS.length + 2);
      expect(table).toContain('| `providers` | `providers/*/` | model, self | *, node:* |');
    });
  });

  describe('parsing and resolving imports', () => {
    it('finds every kind of import', () => {
      const text = [
        "import a from './a.js';",
        "import './side-effect.js';",
        "import type { B } from './b.js';",
        "import { type C, d } from './c.js';",
        "import { type E } from './e.js';",
        "export { f } from './f.js';",
        "export * from './g.js';",
        "export type { H } from './h.js';",
        "import fs from 'node:fs';",
        "import x = require('./legacy.js');",
        "type T = typeof import('./t.js');",
        'export async function later() { return import(`./lazy.js`); }',
        "const notAnImport = 'import x from \"./nope.js\"';",
        'const computed = (name: string) => import(name);',
      ].join('\n');
      expect(parseImports('src/x.ts', text)).toEqual([
        { specifier: './a.js', kind: 'static' },
        { specifier: './side-effect.js', kind: 'static' },
        { specifier: './b.js', kind: 'type' },
        { specifier: './c.js', kind: 'static' },
        { specifier: './e.js', kind: 'static' }, // verbatimModuleSyntax keeps `import {} from './e.js'`
        { specifier: './f.js', kind: 'static' },
        { specifier: './g.js', kind: 'static' },
        { specifier: './h.js', kind: 'type' },
        { specifier: 'node:fs', kind: 'static' },
        { specifier: './legacy.js', kind: 'static' },
        { specifier: './t.js', kind: 'type' },
        { specifier: './lazy.js', kind: 'dynamic' },
      ]);
    });

    it.each([
      ['yaml', 'yaml'],
      ['ipaddr.js', 'ipaddr.js'],
      ['@aws-sdk/client-ec2', '@aws-sdk/client-ec2'],
      ['@kubernetes/client-node/dist/gen/models/ObjectSerializer.js', '@kubernetes/client-node'],
      ['ajv/dist/2020.js', 'ajv'],
      ['node:fs/promises', 'node:fs'],
      ['fs', 'node:fs'],
      ['path', 'node:path'],
    ])('package of %s is %s', (specifier, name) => {
      expect(packageName(specifier)).toBe(name);
    });

    it('resolves .js to .ts, folders to index.ts, and marks what resolves to nothing', () => {
      const sources = new Map([
        ['src/cli/main.ts', "import { a } from './a.js';\nimport { b } from '../report';\nimport { c } from '../report/index.js';\nimport { m } from './missing.js';\nimport y from 'yaml';"],
        ['src/cli/a.ts', "import type { Fixture } from '../evaluate/testing/builders.js';"],
        ['src/report/index.ts', ''],
      ]);
      const onDisk = new Set(['src/evaluate/testing/builders.ts']);
      expect(buildGraph(sources, (f) => onDisk.has(f))).toEqual({
        'src/cli/a.ts': [{ target: 'src/evaluate/testing/builders.ts', kind: 'type' }],
        'src/cli/main.ts': [
          { target: 'src/cli/a.ts', kind: 'static' },
          { target: 'src/report/index.ts', kind: 'static' },
          { target: 'src/report/index.ts', kind: 'static' },
          { target: 'src/cli/missing.ts', kind: 'static', unresolved: true },
          { target: 'yaml', kind: 'static', package: 'yaml' },
        ],
        'src/report/index.ts': [],
      });
    });
  });

  describe('check 1: forbidden imports', () => {
    it('reports a core file importing a provider', () => {
      const graph = graphOf({ 'src/whatif/proposed.ts': [edge('providers/aws/translate.ts')] });
      expect(checkLayers(graph)).toEqual([`src/whatif/proposed.ts imports providers/aws/translate.ts: ${WHATIF_RULE}`]);
    });

    it('reports a provider importing another provider, not its own folder', () => {
      const graph = graphOf({
        'providers/aws/collect.ts': [edge('providers/aws/ec2-client.ts'), edge('providers/kubernetes/kubeconfig.ts'), edge('src/model/cloud.ts'), pkg('@aws-sdk/client-ec2'), pkg('node:fs')],
      });
      expect(checkLayers(graph)).toEqual([
        'providers/aws/collect.ts imports providers/kubernetes/kubeconfig.ts: providers:aws may import only model, providers:aws',
      ]);
    });

    it('lets terraform reuse the aws and openstack field translators, and nothing the other way', () => {
      const graph = graphOf({
        'providers/terraform/aws-rule-fields.ts': [edge('providers/aws/translate-protocol.ts'), edge('providers/openstack/translate-rule.ts'), edge('providers/kubernetes/go-json.ts')],
        'providers/aws/translate.ts': [edge('providers/terraform/plan-document.ts')],
      });
      expect(checkLayers(graph)).toEqual([
        'providers/aws/translate.ts imports providers/terraform/plan-document.ts: providers:aws may import only model, providers:aws',
        'providers/terraform/aws-rule-fields.ts imports providers/kubernetes/go-json.ts: providers:terraform may import only model, providers:terraform, providers:aws, providers:openstack',
      ]);
    });

    it('reports a model file importing core (type-only imports count), and packages other than ipaddr.js', () => {
      const graph = graphOf({
        'src/model/snapshot.ts': [edge('src/evaluate/types.ts', 'type'), edge('src/model/cloud.ts'), pkg('ipaddr.js'), pkg('node:fs'), pkg('yaml')],
      });
      expect(checkLayers(graph)).toEqual([
        'src/model/snapshot.ts imports src/evaluate/types.ts (type-only): model may import only model',
        'src/model/snapshot.ts imports package node:fs: model may import only the package ipaddr.js',
        'src/model/snapshot.ts imports package yaml: model may import only the package ipaddr.js',
      ]);
    });

    it('reports core importing an SDK (even type-only), a builtin, or a later core layer (even dynamically)', () => {
      const graph = graphOf({
        'src/evaluate/cell.ts': [pkg('@aws-sdk/client-ec2', 'type'), pkg('node:fs/promises'), edge('src/report/order.ts', 'dynamic')],
      });
      expect(checkLayers(graph)).toEqual([
        'src/evaluate/cell.ts imports package @aws-sdk/client-ec2 (type-only): core:evaluate may import only the package ipaddr.js',
        'src/evaluate/cell.ts imports package node:fs (node:fs/promises): core:evaluate may import only the package ipaddr.js',
        'src/evaluate/cell.ts imports src/report/order.ts (dynamic): core:evaluate may import only model, rules, core:evaluate',
      ]);
    });

    it('reports rules importing a provider, store importing core, http importing cli, edge-misc importing core', () => {
      const graph = graphOf({
        'rules/catalog.ts': [edge('providers/kubernetes/flannel-backends.ts'), edge('src/model/cluster.ts')],
        'src/store/sqlite-store.ts': [edge('src/report/build-report.ts'), pkg('better-sqlite3')],
        'src/http/app.ts': [edge('src/cli/exit-codes.ts'), edge('src/store/types.ts'), edge('src/probe/agent.ts'), edge('src/package-root.ts'), pkg('express')],
        'src/audit.ts': [edge('src/report/build-report.ts'), edge('src/package-root.ts')],
      });
      expect(checkLayers(graph)).toEqual([
        'rules/catalog.ts imports providers/kubernetes/flannel-backends.ts: rules may import only model, rules',
        'src/audit.ts imports src/report/build-report.ts: edge-misc may import only model, edge-misc',
        'src/http/app.ts imports src/cli/exit-codes.ts: http may import only model, rules, providers, core:evaluate, core:findings, core:remediate, core:report, core:whatif, inputs, pipeline, probe, store, http, edge-misc',
        'src/store/sqlite-store.ts imports src/report/build-report.ts: store may import only model, store',
      ]);
    });

    it('reports files on no layer, imports of files on no layer, and imports of missing files', () => {
      const graph: ImportGraph = {
        'src/net/cidr.ts': [],
        'src/cli/main.ts': [edge('test/support/tier.ts'), { target: 'src/cli/gone.ts', kind: 'static', unresolved: true }],
      };
      expect(checkLayers(graph)).toEqual([
        'src/cli/main.ts imports test/support/tier.ts: that file is on no layer (cli may import only model, rules, providers, core:evaluate, core:findings, core:remediate, core:report, core:whatif, inputs, pipeline, probe, store, http, cli, edge-misc)',
        'src/cli/main.ts imports src/cli/gone.ts: no such file',
        'src/net/cidr.ts: file on no layer (its path matches no row of the layer table)',
      ]);
    });

    it('allows what the table allows', () => {
      const graph = graphOf({
        'src/whatif/run-whatif.ts': [edge('src/report/build-report.ts'), edge('src/evaluate/evaluate.ts'), edge('rules/catalog.ts'), edge('src/model/cloud.ts'), pkg('ipaddr.js')],
        'src/inputs/live.ts': [edge('providers/aws/collect.ts'), edge('providers/kubernetes/collect.ts'), pkg('node:fs')],
        'src/probe/orchestrator.ts': [edge('providers/kubernetes/collect.ts'), edge('src/inputs/live.ts'), pkg('got')],
        'src/cli/main.ts': [edge('src/http/server.ts'), edge('src/store/open-store.ts'), edge('src/package-root.ts'), pkg('commander')],
        'src/package-root.ts': [edge('src/model/source.ts'), pkg('node:url')],
      });
      expect(checkLayers(graph)).toEqual([]);
    });
  });

  describe('check 2: cycles', () => {
    it('reports a two-file cycle, with type-only imports counting', () => {
      const graph = graphOf({
        'src/report/source-runs.ts': [edge('src/report/first-pairs.ts', 'type')],
        'src/report/first-pairs.ts': [edge('src/report/source-runs.ts')],
      });
      expect(findCycles(graph)).toEqual(['cycle: src/report/first-pairs.ts -> src/report/source-runs.ts -> src/report/first-pairs.ts']);
    });

    it('does not count dynamic imports', () => {
      const graph = graphOf({
        'src/cli/main.ts': [edge('src/cli/audit.ts', 'dynamic')],
        'src/cli/audit.ts': [edge('src/cli/main.ts')],
      });
      expect(findCycles(graph)).toEqual([]);
    });

    it('lists a longer cycle in import order, and the whole tangle when it is larger than one cycle', () => {
      const graph = graphOf({
        'a/1.ts': [edge('a/3.ts')],
        'a/3.ts': [edge('a/2.ts')],
        'a/2.ts': [edge('a/1.ts'), edge('a/4.ts')],
        'a/4.ts': [edge('a/3.ts')],
        'b/self.ts': [edge('b/self.ts')],
      });
      expect(findCycles(graph)).toEqual([
        'cycle: a/1.ts -> a/3.ts -> a/2.ts -> a/1.ts (one cycle of a tangle of 4 files: a/1.ts, a/2.ts, a/3.ts, a/4.ts)',
        'cycle: b/self.ts -> b/self.ts',
      ]);
    });
  });

  describe('check 3: lazy loading', () => {
    it('reports the chain by which an entry point statically loads a heavy package', () => {
      const graph = graphOf({
        [BIN]: [edge('src/cli/main.ts')],
        'src/cli/main.ts': [edge('src/cli/x.ts'), pkg('commander')],
        'src/cli/x.ts': [pkg('@aws-sdk/client-ec2'), pkg('yaml')],
      });
      expect(checkStaticClosure(graph, BIN)).toEqual([
        'src/cli/bin.ts statically loads @aws-sdk/client-ec2 (import it lazily with await import()): src/cli/bin.ts -> src/cli/main.ts -> src/cli/x.ts -> @aws-sdk/client-ec2',
      ]);
    });

    it('does not follow dynamic imports, nor type-only imports (erased at runtime)', () => {
      const graph = graphOf({
        [BIN]: [edge('src/cli/main.ts')],
        'src/cli/main.ts': [edge('src/cli/serve.ts', 'dynamic'), edge('src/http/types.ts', 'type'), pkg('pg', 'type')],
        'src/cli/serve.ts': [pkg('express')],
        'src/http/types.ts': [pkg('express')],
      });
      expect(checkStaticClosure(graph, BIN)).toEqual([]);
    });

    it('fails, not skips, when the entry point does not exist', () => {
      expect(checkStaticClosure(graphOf({ [BIN]: [] }), AUDIT_COMMAND)).toEqual([
        'src/cli/commands/audit.ts does not exist (no such production file), so what it loads at startup cannot be checked',
      ]);
    });
  });

  it('a clean graph gives no messages from any check', () => {
    const graph = graphOf({
      [BIN]: [edge('src/cli/main.ts')],
      'src/cli/main.ts': [edge(AUDIT_COMMAND), edge('src/cli/commands/serve.ts', 'dynamic'), pkg('commander')],
      [AUDIT_COMMAND]: [edge('src/pipeline/audit.ts'), edge('src/cli/exit-codes.ts', 'type'), pkg('node:fs')],
      'src/cli/commands/serve.ts': [edge('src/http/server.ts')],
      'src/http/server.ts': [pkg('express'), pkg('pino')],
      'src/pipeline/audit.ts': [edge('src/inputs/build-snapshot.ts'), edge('src/report/build-report.ts'), edge('providers/aws/collect.ts', 'dynamic')],
      'src/inputs/build-snapshot.ts': [edge('providers/aws/translate.ts'), edge('rules/catalog.ts')],
      'providers/aws/translate.ts': [edge('src/model/cloud.ts', 'type')],
      'providers/aws/collect.ts': [edge('providers/aws/translate.ts'), pkg('@aws-sdk/client-ec2')],
      'src/report/build-report.ts': [edge('src/remediate/plan-remediations.ts'), edge('src/evaluate/types.ts', 'type')],
      'src/remediate/plan-remediations.ts': [edge('src/evaluate/types.ts')],
      'src/evaluate/types.ts': [edge('src/model/cloud.ts')],
      'rules/catalog.ts': [edge('src/model/cluster.ts')],
      'src/model/cloud.ts': [edge('src/model/cluster.ts'), pkg('ipaddr.js')],
    });
    expect(checkLayers(graph)).toEqual([]);
    expect(findCycles(graph)).toEqual([]);
    expect(checkStaticClosure(graph, BIN)).toEqual([]);
    expect(checkStaticClosure(graph, AUDIT_COMMAND)).toEqual([]);
  });
});

describe('the layers of this repository', () => {
  let cached: ImportGraph | undefined;
  const graph = (): ImportGraph => (cached ??= buildImportGraphFromDisk());

  it('finds the production code', () => {
    expect(Object.keys(graph()).length).toBeGreaterThan(50);
    expect(graph()).toHaveProperty([BIN]);
  });

  it('imports only what the layer table allows', () => {
    const violations = checkLayers(graph());
    expect(violations, listing('forbidden imports or files on no layer', violations)).toEqual([]);
  });

  it('fails on a forbidden import and a cycle planted in the real graph', () => {
    const planted: Record<string, readonly ImportEdge[]> = { ...graph() };
    planted['src/evaluate/evaluate.ts'] = [...(planted['src/evaluate/evaluate.ts'] ?? []), edge('providers/aws/translate.ts')];
    planted['src/model/cloud.ts'] = [...(planted['src/model/cloud.ts'] ?? []), edge('src/model/snapshot.ts')];
    expect(checkLayers(planted)).toEqual([
      'src/evaluate/evaluate.ts imports providers/aws/translate.ts: core:evaluate may import only model, rules, core:evaluate',
    ]);
    expect(findCycles(planted).some((c) => c.includes('src/model/cloud.ts -> src/model/snapshot.ts'))).toBe(true);
  });

  it('has no import cycles between files', () => {
    const violations = findCycles(graph());
    expect(violations, listing('import cycles', violations)).toEqual([]);
  });

  it(`${BIN} loads no heavy package at startup (${HEAVY_PACKAGES.join(', ')})`, () => {
    const violations = checkStaticClosure(graph(), BIN);
    expect(violations, listing('heavy packages loaded by the CLI at startup', violations)).toEqual([]);
  });

  it(`the audit command (${AUDIT_COMMAND}) loads no heavy package`, () => {
    const violations = checkStaticClosure(graph(), AUDIT_COMMAND);
    expect(violations, listing('heavy packages loaded by the audit command', violations)).toEqual([]);
  });
});

describe('docs/architecture.md', () => {
  it('quotes the layer table this test enforces', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'architecture.md'), 'utf8');
    const quoted = /<!-- layer-table:start -->\n([\s\S]*?)\n<!-- layer-table:end -->/.exec(doc)?.[1];
    expect(quoted, 'docs/architecture.md has no <!-- layer-table:start --> … <!-- layer-table:end --> block').toBeDefined();
    expect(quoted, 'docs/architecture.md: paste formatLayerTable() between the layer-table markers').toBe(formatLayerTable());
  });
});
