/**
 * The verdict matrix as a standalone SVG: rows are sources, columns destinations. Every cell
 * carries its verdict twice, as a colour and as a glyph, so it reads in greyscale and to
 * colour-blind eyes. Node names and rule texts come from the audited cloud and cluster, so every
 * text is escaped; no element has a style attribute (the HTML report runs under a strict CSP),
 * only classes, styled by MATRIX_CSS.
 */
import type { AuditReport } from '../model/report.js';
import type { MatrixCell, MatrixGroup, MatrixSection, MatrixVerdict } from '../model/matrix.js';
import { probeOverlay, type CellProbeMark, type ProbeOverlay } from './matrix-probes.js';

export { probeOverlay, type CellProbeMark, type ProbeOverlay } from './matrix-probes.js';

export interface MatrixSvgOptions {
  /** Leave out the <style> element: the embedding page serves MATRIX_CSS itself (strict CSP). */
  omitStyle?: boolean;
  /** Caption above the matrix; escaped. */
  title?: string;
  /** Probe marks per cell, from probeOverlay(report). */
  probes?: ProbeOverlay;
}

export const MATRIX_GLYPH: Record<MatrixVerdict, string> = { allowed: '✓', blocked: '✕', unknown: '?' };
export const PROBE_GLYPH: Record<CellProbeMark, string> = { confirmed: '●', contradicted: '!' };

/** Every rule the SVG's classes need; no element carries a style attribute. */
export const MATRIX_CSS = [
  '.sgm{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;font-size:11px;fill:#222}',
  '.sgm .t{font-size:14px;font-weight:600}',
  '.sgm .ax{font-style:italic;fill:#555}',
  '.sgm .rl{text-anchor:end}',
  '.sgm rect.a{fill:#4dac26}',
  '.sgm rect.b{fill:#d01c8b}',
  '.sgm rect.u{fill:#f1e05a}',
  '.sgm rect.s{fill:#e6e6e6}',
  '.sgm rect{stroke:#fff;stroke-width:1}',
  '.sgm rect.k{fill:none;stroke:#000;stroke-width:3}',
  '.sgm .g{text-anchor:middle;dominant-baseline:central;font-weight:700}',
  '.sgm .g.a,.sgm .g.b{fill:#fff}',
  '.sgm .g.u{fill:#000}',
  '.sgm .n{text-anchor:middle;dominant-baseline:central;font-size:10px}',
  '.sgm .n.a,.sgm .n.b{fill:#fff}',
  '.sgm .p{text-anchor:end;dominant-baseline:hanging;font-size:9px;font-weight:700;fill:#000}',
].join('\n');

const VERDICT_CLASS: Record<MatrixVerdict, string> = { allowed: 'a', blocked: 'b', unknown: 'u' };
const LABEL_CHARS = 40;
const REASON_CHARS = 160;
const FINDING_IDS = 6;
const PAD = 8;

interface Layout {
  cellW: number;
  cellH: number;
  labelW: number;
  gridX: number;
  gridY: number;
  width: number;
  height: number;
  grouped: boolean;
}

export function renderMatrixSvg(matrix: MatrixSection, options: MatrixSvgOptions = {}): string {
  const layout = layoutOf(matrix, options.title !== undefined);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="sgm" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img">`,
  );
  out.push(`<title>${escapeXml(options.title ?? 'Node-to-node verdict matrix')}</title>`);
  if (!options.omitStyle) out.push(`<style>${MATRIX_CSS}</style>`);
  let y = PAD;
  if (options.title !== undefined) {
    out.push(`<text class="t" x="${PAD}" y="${y + 14}">${escapeXml(options.title)}</text>`);
    y += 24;
  }
  out.push(legend(y, options.probes !== undefined && options.probes.size > 0));
  // Under the legend, above the rotated column labels, which would otherwise run through it.
  out.push(`<text class="ax" x="${PAD}" y="${y + 24 + 12}">${escapeXml(`rows: source ${groupNoun(matrix)}; columns: destination`)}</text>`);
  for (const g of matrix.groups) out.push(rowLabel(g, layout), columnLabel(g, layout));
  const byPosition = new Map(matrix.cells.map((c) => [c.source * matrix.groups.length + c.destination, c]));
  for (const s of matrix.groups) {
    for (const d of matrix.groups) {
      const cell = byPosition.get(s.id * matrix.groups.length + d.id);
      out.push(cell ? cellSvg(matrix, cell, layout, options.probes?.get(`${s.id},${d.id}`)) : emptyCell(s, d, layout));
    }
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** The report's matrix with its probe marks; throws when the report has no matrix (stored before matrices existed). */
export function renderReportMatrixSvg(report: AuditReport, options: Omit<MatrixSvgOptions, 'probes'> = {}): string {
  if (!report.matrix) throw new Error('the report has no matrix section; re-run the audit');
  return renderMatrixSvg(report.matrix, { ...options, probes: probeOverlay(report) });
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function layoutOf(matrix: MatrixSection, titled: boolean): Layout {
  const grouped = matrix.grouping !== 'node';
  const n = matrix.groups.length;
  const nodeCell = nodeCellSize(n);
  const cellW = grouped ? 44 : nodeCell;
  const cellH = grouped ? 30 : nodeCell;
  const longest = matrix.groups.reduce((m, g) => Math.max(m, shortLabel(g.label).length), 0);
  const labelW = Math.ceil(Math.min(270, 12 + longest * 6.5));
  const gridX = PAD + labelW;
  const gridY = PAD + (titled ? 24 : 0) + 24 + 18 + labelW;
  const width = Math.max(gridX + n * cellW + PAD, 420);
  return { cellW, cellH, labelW, gridX, gridY, width, height: gridY + n * cellH + PAD, grouped };
}

/** Per-node cells: large enough to read and click in a small cluster, small enough that 40 rows stay under 1 MB and on screen. */
function nodeCellSize(rows: number): number {
  if (rows <= 12) return 28;
  if (rows <= 24) return 22;
  return 16;
}

function legend(y: number, withProbes: boolean): string {
  const parts: string[] = [];
  let x = PAD;
  for (const v of ['allowed', 'blocked', 'unknown'] as const) {
    parts.push(`<rect class="${VERDICT_CLASS[v]}" x="${x}" y="${y}" width="16" height="16"/>`);
    parts.push(`<text class="g ${VERDICT_CLASS[v]}" x="${x + 8}" y="${y + 8}">${MATRIX_GLYPH[v]}</text>`);
    parts.push(`<text x="${x + 20}" y="${y + 12}">${v}</text>`);
    x += 86;
  }
  if (withProbes) {
    parts.push(`<text class="p" x="${x + 8}" y="${y + 2}">${PROBE_GLYPH.confirmed}</text><text x="${x + 12}" y="${y + 12}">probe confirmed</text>`);
    x += 116;
    parts.push(`<rect class="k" x="${x}" y="${y}" width="16" height="16"/><text class="p" x="${x + 14}" y="${y + 2}">${PROBE_GLYPH.contradicted}</text><text x="${x + 20}" y="${y + 12}">probe contradicted</text>`);
  }
  return `<g class="legend">${parts.join('')}</g>`;
}

function groupNoun(matrix: MatrixSection): string {
  switch (matrix.grouping) {
    case 'node':
      return 'node';
    case 'class':
      return 'class';
    case 'pool':
      return 'node pool';
    case 'subnet':
      return 'subnet';
    case 'security-groups':
      return 'security-group set';
  }
}

function shortLabel(label: string): string {
  return label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label;
}

function groupTitle(g: MatrixGroup): string {
  const more = g.nodes > g.members.length ? `, …${g.nodes - g.members.length} more` : '';
  const members = g.nodes > 1 ? `\n${g.members.join(', ')}${more}` : '';
  return `${g.label}${g.detail ? `\n${g.detail}` : ''}${members}`;
}

function rowLabel(g: MatrixGroup, l: Layout): string {
  const y = l.gridY + g.id * l.cellH + l.cellH / 2 + 4;
  return `<text class="rl" x="${l.gridX - 4}" y="${y}"><title>${escapeXml(groupTitle(g))}</title>${escapeXml(shortLabel(g.label))}</text>`;
}

function columnLabel(g: MatrixGroup, l: Layout): string {
  const x = l.gridX + g.id * l.cellW + l.cellW / 2 + 4;
  const y = l.gridY - 4;
  return `<text x="${x}" y="${y}" transform="rotate(-90 ${x} ${y})"><title>${escapeXml(groupTitle(g))}</title>${escapeXml(shortLabel(g.label))}</text>`;
}

function emptyCell(s: MatrixGroup, d: MatrixGroup, l: Layout): string {
  const x = l.gridX + d.id * l.cellW;
  const y = l.gridY + s.id * l.cellH;
  return `<rect class="s" x="${x}" y="${y}" width="${l.cellW}" height="${l.cellH}"><title>${escapeXml(`${s.label} → ${d.label}: no pair (a node is not paired with itself)`)}</title></rect>`;
}

function cellSvg(matrix: MatrixSection, cell: MatrixCell, l: Layout, mark: CellProbeMark | undefined): string {
  const x = l.gridX + cell.destination * l.cellW;
  const y = l.gridY + cell.source * l.cellH;
  const v = VERDICT_CLASS[cell.verdict];
  const parts = [`<g class="cell ${cell.verdict}${mark ? ` ${mark}` : ''}"><title>${escapeXml(cellTitle(matrix, cell, mark))}</title>`];
  parts.push(`<rect class="${v}" x="${x}" y="${y}" width="${l.cellW}" height="${l.cellH}"/>`);
  if (l.grouped) {
    parts.push(`<text class="g ${v}" x="${x + l.cellW / 2}" y="${y + 9}">${MATRIX_GLYPH[cell.verdict]}</text>`);
    parts.push(`<text class="n ${v}" x="${x + l.cellW / 2}" y="${y + 22}">${countText(cell)}</text>`);
  } else {
    parts.push(`<text class="g ${v}" x="${x + l.cellW / 2}" y="${y + l.cellH / 2}">${MATRIX_GLYPH[cell.verdict]}</text>`);
  }
  if (mark === 'contradicted') parts.push(`<rect class="k" x="${x + 1.5}" y="${y + 1.5}" width="${l.cellW - 3}" height="${l.cellH - 3}"/>`);
  if (mark) parts.push(`<text class="p" x="${x + l.cellW - 1}" y="${y + 1}">${PROBE_GLYPH[mark]}</text>`);
  parts.push('</g>');
  return parts.join('');
}

/** The pairs of the cell's own verdict, as the short number a group cell shows. */
function countText(cell: MatrixCell): string {
  return String(cell.verdict === 'blocked' ? cell.blocked : cell.verdict === 'unknown' ? cell.unknown : cell.allowed);
}

function cellTitle(matrix: MatrixSection, cell: MatrixCell, mark: CellProbeMark | undefined): string {
  const s = matrix.groups[cell.source]!;
  const d = matrix.groups[cell.destination]!;
  const lines = [`${shortLabel(s.label)} → ${shortLabel(d.label)}: ${cell.verdict}`];
  if (matrix.grouping !== 'node') lines.push(`${cell.pairs} pairs: ${cell.allowed} allowed, ${cell.blocked} blocked, ${cell.unknown} unknown`);
  if (cell.layer || cell.requirement) lines.push(`${cell.requirement ?? ''}${cell.layer ? ` at ${cell.layer}` : ''}`.trim());
  // Bounded so that the largest matrix stays a small file; the JSON report has the full text.
  if (cell.reason) lines.push(cell.reason.length > REASON_CHARS ? `${cell.reason.slice(0, REASON_CHARS - 1)}…` : cell.reason);
  if (cell.findingIds.length > 0) {
    const more = cell.findingIds.length - FINDING_IDS;
    lines.push(`findings ${cell.findingIds.slice(0, FINDING_IDS).join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  if (mark) lines.push(mark === 'confirmed' ? 'live probes confirm this' : 'live probes contradict the configuration here');
  return lines.join('\n');
}
