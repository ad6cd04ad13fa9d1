import type { Warning } from '../model/source.js';
import { escapeText } from './html-escape.js';
import { collapsedTable } from './html-page.js';

const WARNINGS_VISIBLE = 20;
const WARNINGS_LISTED = 1000;

/** Input and collection warnings, with where each came from. */
export function warningsHtml(warnings: readonly Warning[]): string {
  if (warnings.length === 0) return '<p class="muted">No warnings.</p>';
  return collapsedTable({
    items: warnings,
    total: warnings.length,
    visible: WARNINGS_VISIBLE,
    listed: WARNINGS_LISTED,
    noun: ['warning', 'warnings'],
    head: '<tr><th>code</th><th>message</th><th>source</th></tr>',
    row: (w) => {
      const where = w.source ? (w.source.pointer ? `${w.source.document}#${w.source.pointer}` : w.source.document) : '';
      return `<tr><td><code>${escapeText(w.code)}</code></td><td>${escapeText(w.message)}</td><td>${escapeText(where)}</td></tr>`;
    },
  });
}
