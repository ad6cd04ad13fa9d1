/**
 * The frame every HTML report shares: the document head with its Content-Security-Policy, the
 * one stylesheet, the one script, and small building blocks (copyable command blocks, collapsed
 * lists). Everything that came from input is escaped here or by the caller with html-escape.ts.
 */
import { REPORT_CSP, REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';
import { escapeAttribute, escapeText } from './html-escape.js';

export interface PageParts {
  /** Plain text; escaped here. */
  title: string;
  /** Markup already escaped by the caller. */
  header: string;
  body: string;
  /** Plain text; escaped here. */
  footer: string;
}

export function htmlPage(parts: PageParts): string {
  // The policy must come before the <style> it admits; a <meta> policy covers only what follows it.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttribute(REPORT_CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeText(parts.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="page">
${parts.header}
</header>
<main>
${parts.body}
</main>
<footer class="page">${escapeText(parts.footer)}</footer>
<script>${REPORT_SCRIPT}</script>
</body>
</html>
`;
}

/** Hands out element ids that are unique in one page (copy targets); never derived from input. */
export class ElementIds {
  private n = 0;
  next(prefix: string): string {
    this.n += 1;
    return `${prefix}-${this.n}`;
  }
}

/** A labelled <pre> with a copy button bound to it by id (the script finds it by data-copy). */
export function copyBlock(ids: ElementIds, label: string, text: string): string {
  const id = ids.next('copy');
  return `<div class="command"><div class="label">${escapeText(label)}</div><button type="button" class="copy" data-copy="${id}" hidden>Copy</button><pre><code id="${id}">${escapeText(text)}</code></pre></div>`;
}

/**
 * A list that can be long: the first `visible` rows in a table, the rest up to `listed` behind a
 * <details>, and a line saying how many exist beyond what is listed. Rows are built only for what
 * is shown, so a 5,000-node audit costs what the page shows, not what the report holds.
 */
export function collapsedTable<T>(options: {
  items: readonly T[];
  total: number;
  visible: number;
  listed: number;
  head: string;
  row: (item: T) => string;
  /** Singular and plural, e.g. ['pair', 'pairs']. */
  noun: readonly [string, string];
  moreNote?: string;
}): string {
  const { items, total, visible, listed, head, row } = options;
  const noun = (n: number): string => escapeText(options.noun[n === 1 ? 0 : 1]);
  const shown = items.slice(0, Math.min(listed, items.length));
  const first = shown.slice(0, visible);
  const rest = shown.slice(visible);
  const table = (rows: readonly T[]): string => `<table><thead>${head}</thead><tbody>${rows.map(row).join('')}</tbody></table>`;
  let out = table(first);
  if (rest.length > 0) {
    out += `<details><summary>${rest.length} more ${noun(rest.length)} (${shown.length} of ${total} listed)</summary>${table(rest)}</details>`;
  }
  const unlisted = total - shown.length;
  if (unlisted > 0) {
    out += `<p class="note">${unlisted} more ${noun(unlisted)} not listed here${options.moreNote ? `: ${escapeText(options.moreNote)}` : ''}.</p>`;
  }
  return out;
}

/** Pairs shown in the open; more are behind a <details>, and beyond PAIRS_LISTED only counted. */
export const PAIRS_VISIBLE = 10;
export const PAIRS_LISTED = 500;

/** A pair list as collapsedTable shows it, for findings and what-if alike: the count is exact, the list bounded. */
export function pairTable<T>(pairs: readonly T[], total: number, head: string, row: (pair: T) => string): string {
  return collapsedTable({
    items: pairs,
    total,
    visible: PAIRS_VISIBLE,
    listed: PAIRS_LISTED,
    noun: ['pair', 'pairs'],
    moreNote: 'the count is exact; the JSON report lists up to --max-pairs of them',
    head,
    row,
  });
}

export function section(id: string, heading: string, content: string): string {
  return `<section id="${escapeAttribute(id)}"><h2>${escapeText(heading)}</h2>${content}</section>`;
}

export function verdictBadge(verdict: string): string {
  return `<span class="verdict verdict-${escapeAttribute(verdict)}">${escapeText(verdict)}</span>`;
}

/** A definition list of facts; values are markup the caller escaped, empty ones are left out. */
export function facts(rows: ReadonlyArray<readonly [string, string | undefined]>): string {
  const items = rows.filter((r): r is readonly [string, string] => r[1] !== undefined && r[1] !== '');
  if (items.length === 0) return '';
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${escapeText(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

export function code(text: string): string {
  return `<code>${escapeText(text)}</code>`;
}
