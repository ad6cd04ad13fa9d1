import { DOMParser, type Element } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { runAudit } from '../pipeline/audit.js';
import type { MatrixSection } from '../model/matrix.js';
import type { AuditReport } from '../model/report.js';
import { MATRIX_CSS, MATRIX_GLYPH, PROBE_GLYPH, probeOverlay, renderMatrixSvg, renderReportMatrixSvg } from './render-svg.js';
import { generatedInputs, goldenInputs } from '../../test/report-svg/fixtures.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

function parse(svg: string) {
  // xmldom throws ParseError on a fatal error; warnings and errors are turned into failures too.
  const doc = new DOMParser({ onError: (level, message) => { throw new Error(`${level}: ${message}`); } }).parseFromString(svg, 'image/svg+xml');
  const root = doc.documentElement!;
  expect(root.namespaceURI).toBe(SVG_NS);
  expect(root.localName).toBe('svg');
  return root;
}

function cellsOf(root: Element): Element[] {
  return Array.from(root.getElementsByTagNameNS(SVG_NS, 'g')).filter((g) => (g.getAttribute('class') ?? '').split(' ').includes('cell'));
}

function titleOf(e: Element): string {
  return Array.from(e.childNodes).find((c) => (c as Element).localName === 'title')?.textContent ?? '';
}

function glyphOf(e: Element): string {
  return Array.from(e.getElementsByTagNameNS(SVG_NS, 'text')).find((t) => (t.getAttribute('class') ?? '').startsWith('g '))?.textContent ?? '';
}

/** A hand-made three-node matrix with one cell per verdict and hostile names. */
function hostileMatrix(): MatrixSection {
  const names = ['<script>alert(1)</script>', 'a&b', `q"uo'te`];
  return {
    grouping: 'node',
    groupingReason: '3 nodes',
    groups: names.map((label, id) => ({ id, label, nodes: 1, members: [label], key: label })),
    cells: [
      { source: 0, destination: 1, pairs: 1, allowed: 0, blocked: 1, unknown: 0, verdict: 'blocked', layer: 'security-group', requirement: 'flannel-vxlan', reason: 'no rule in sg-<x> & "y" allows udp 8472', findingIds: ['F1'] },
      { source: 0, destination: 2, pairs: 1, allowed: 1, blocked: 0, unknown: 0, verdict: 'allowed', findingIds: [] },
      { source: 1, destination: 0, pairs: 1, allowed: 0, blocked: 0, unknown: 1, verdict: 'unknown', layer: 'node-mapping', requirement: 'flannel-vxlan', reason: 'node <b> is unbound', findingIds: ['F2'] },
      { source: 1, destination: 2, pairs: 1, allowed: 1, blocked: 0, unknown: 0, verdict: 'allowed', findingIds: [] },
      { source: 2, destination: 0, pairs: 1, allowed: 1, blocked: 0, unknown: 0, verdict: 'allowed', findingIds: [] },
      { source: 2, destination: 1, pairs: 1, allowed: 1, blocked: 0, unknown: 0, verdict: 'allowed', findingIds: [] },
    ],
  };
}

describe('renderMatrixSvg', () => {
  it('draws n×(n−1) cells for a small cluster, each with a glyph and a title naming the pair (group-references)', async () => {
    const { report } = runAudit(await goldenInputs('group-references'));
    const root = parse(renderMatrixSvg(report.matrix!, { title: 'group-references' }));
    const cells = cellsOf(root);
    expect(cells).toHaveLength(4 * 3);
    const byVerdict = { allowed: 0, blocked: 0, unknown: 0 };
    for (const c of cells) {
      const verdict = (c.getAttribute('class') ?? '').split(' ')[1] as keyof typeof byVerdict;
      byVerdict[verdict]++;
      expect(glyphOf(c)).toBe(MATRIX_GLYPH[verdict]);
      expect(titleOf(c)).toMatch(new RegExp(`^\\S+ → \\S+: ${verdict}`));
      if (verdict === 'blocked') expect(titleOf(c)).toMatch(/flannel-vxlan at security-group\nno ingress rule in sg-0a1b2c3d4e5f6000[12] allows udp 8472/);
    }
    expect(byVerdict).toEqual({ allowed: report.summary.allowed, blocked: report.summary.blocked, unknown: 0 });
    // Every node labels a row and a column.
    const labels = Array.from(root.getElementsByTagNameNS(SVG_NS, 'text')).map((t) => t.lastChild?.textContent);
    for (const n of report.nodes) expect(labels.filter((l) => l === n.name)).toHaveLength(2);
  });

  it('escapes hostile node names and reasons, and carries no style attribute', () => {
    const svg = renderMatrixSvg(hostileMatrix());
    expect(svg).not.toContain('<script');
    expect(svg).not.toMatch(/style="/);
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const root = parse(svg);
    const cells = cellsOf(root);
    expect(cells).toHaveLength(6);
    expect(root.getElementsByTagNameNS(SVG_NS, 'script')).toHaveLength(0);
    const titles = cells.map(titleOf);
    expect(titles[0]).toBe('<script>alert(1)</script> → a&b: blocked\nflannel-vxlan at security-group\nno rule in sg-<x> & "y" allows udp 8472\nfindings F1');
    expect(titles[2]).toBe(`a&b → <script>alert(1)</script>: unknown\nflannel-vxlan at node-mapping\nnode <b> is unbound\nfindings F2`);
    expect(titles[3]).toBe(`a&b → q"uo'te: allowed`);
    expect(cells.map(glyphOf)).toEqual(['✕', '✓', '?', '✓', '✓', '✓']);
    // The diagonal has no pair: three grey self cells.
    expect(Array.from(root.getElementsByTagNameNS(SVG_NS, 'rect')).filter((r) => r.getAttribute('class') === 's')).toHaveLength(3);
  });

  it('embeds MATRIX_CSS unless told to leave the style out', () => {
    const m = hostileMatrix();
    const own = parse(renderMatrixSvg(m));
    expect(own.getElementsByTagNameNS(SVG_NS, 'style')[0]!.textContent).toBe(MATRIX_CSS);
    const embedded = parse(renderMatrixSvg(m, { omitStyle: true }));
    expect(embedded.getElementsByTagNameNS(SVG_NS, 'style')).toHaveLength(0);
    // Every class the SVG uses on a cell rect has a rule.
    for (const cls of ['a', 'b', 'u', 's', 'k']) expect(MATRIX_CSS).toContain(`rect.${cls}{`);
  });

  it('marks confirmed and contradicted cells from the report probes', async () => {
    const { report } = runAudit(await goldenInputs('group-references'));
    const [first, second] = report.findings;
    const probed = (f: typeof first) => ({ sourceNode: f!.pairs[0]!.sourceNode, sourceIp: null, destinationNode: f!.pairs[0]!.destinationNode, destinationIp: null, verdict: 'blocked' as const, evidence: { overlay: null, underlay: null, timings: {}, reason: 'no datagram arrived' } });
    const allowed = report.matrix!.cells.find((c) => c.verdict === 'allowed')!;
    const groups = report.matrix!.groups;
    const withProbes: AuditReport = {
      ...report,
      findings: [
        { ...first!, confirmation: 'confirmed', probes: [probed(first)] },
        { ...second!, confirmation: 'not-probed' },
        {
          ...first!,
          id: 'F3',
          verdict: 'unknown',
          contradiction: 'allowed-but-dropped',
          pairs: [{ sourceNode: groups[allowed.source]!.label, sourceIp: null, destinationNode: groups[allowed.destination]!.label, destinationIp: null }],
          pairCount: 1,
        },
      ],
    };
    const overlay = probeOverlay(withProbes);
    expect([...overlay.values()].sort()).toEqual(['confirmed', 'contradicted']);
    expect(overlay.get(`${allowed.source},${allowed.destination}`)).toBe('contradicted');
    const root = parse(renderReportMatrixSvg(withProbes));
    const marked = cellsOf(root).filter((c) => /confirmed|contradicted/.test(c.getAttribute('class') ?? ''));
    expect(marked.map((c) => c.getAttribute('class')).sort()).toEqual(['cell allowed contradicted', 'cell blocked confirmed']);
    for (const c of marked) {
      const mark = (c.getAttribute('class') ?? '').split(' ')[2] as 'confirmed' | 'contradicted';
      expect(Array.from(c.getElementsByTagNameNS(SVG_NS, 'text')).some((t) => t.textContent === PROBE_GLYPH[mark])).toBe(true);
      expect(titleOf(c)).toMatch(mark === 'confirmed' ? /live probes confirm this/ : /live probes contradict/);
    }
  });

  it('refuses a report stored before matrices existed', async () => {
    const { report } = runAudit(await goldenInputs('healthy'));
    const { matrix: _drop, ...old } = report;
    expect(() => renderReportMatrixSvg(old as AuditReport)).toThrow(/no matrix section; re-run the audit/);
  });

  it('renders the grouped matrix of the 5,000-node bench input under 1 MB, with counts in group cells', () => {
    const { report } = runAudit(generatedInputs(5000, 500, 5));
    const m = report.matrix!;
    const svg = renderMatrixSvg(m, { title: '5000 nodes' });
    expect(Buffer.byteLength(svg, 'utf8')).toBeLessThan(1_000_000);
    const root = parse(svg);
    const cells = cellsOf(root);
    expect(cells).toHaveLength(m.cells.length);
    const blocked = m.cells.find((c) => c.verdict === 'blocked')!;
    const drawn = cells[m.cells.indexOf(blocked)]!;
    expect(titleOf(drawn)).toContain(`${blocked.pairs} pairs: ${blocked.allowed} allowed, ${blocked.blocked} blocked, 0 unknown`);
    expect(Array.from(drawn.getElementsByTagNameNS(SVG_NS, 'text')).map((t) => t.textContent)).toContain(String(blocked.blocked));
  });
});

describe('renderMatrixSvg size bound', () => {
  for (const grouping of ['subnet', 'node'] as const) {
    it(`stays under 1 MB for the largest ${grouping} matrix a report can hold: every cell failing, long labels and reasons`, async () => {
      const { MATRIX_GROUP_CAP, MATRIX_NODE_LIMIT } = await import('./matrix-grouping.js');
      const size = grouping === 'node' ? MATRIX_NODE_LIMIT : MATRIX_GROUP_CAP;
      const long = 'x'.repeat(300);
      const groups = Array.from({ length: size }, (_, id) => ({ id, label: `<${long}&${id}>`, nodes: grouping === 'node' ? 1 : 125, members: [], key: String(id) }));
      const cells: MatrixSection['cells'] = [];
      for (let s = 0; s < size; s++) {
        for (let d = 0; d < size; d++) {
          if (grouping === 'node' && s === d) continue;
          const pairs = grouping === 'node' ? 1 : s === d ? 125 * 124 : 125 * 125;
          cells.push({ source: s, destination: d, pairs, allowed: 0, blocked: pairs, unknown: 0, verdict: 'blocked', layer: 'network-acl', requirement: 'flannel-vxlan', reason: `"${long}"`, findingIds: Array.from({ length: 99 }, (_, i) => `F${i + 1}`) });
        }
      }
      const svg = renderMatrixSvg({ grouping, groupingReason: 'test', groups, cells }, { title: long });
      expect(Buffer.byteLength(svg, 'utf8')).toBeLessThan(1_000_000);
      const root = parse(svg);
      expect(cellsOf(root)).toHaveLength(cells.length);
      expect(titleOf(cellsOf(root)[0]!)).toMatch(/findings F1, F2, F3, F4, F5, F6 and 93 more$/);
    });
  }
});
