/**
 * The one stylesheet and the one script of the HTML reports (audit and what-if), and the
 * Content-Security-Policy that admits exactly these two and nothing else. Both are constants,
 * so their hashes are known when the module loads; the page carries the policy in a <meta>
 * element, which keeps it strict when the file is opened from disk or attached to a ticket,
 * and the REST API sends the same policy as a header. No element carries a style attribute or
 * an event handler: the policy would block them, and the script binds its listeners itself.
 */
import { MATRIX_CSS } from './render-svg.js';

const PAGE_CSS = `
:root { color-scheme: light; --blocked: #b3261e; --unknown: #8a5a00; --allowed: #1b6e3a; --line: #d0d4da; --muted: #5b6470; --code-bg: #f4f5f7; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #16191d; background: #fff; }
header.page, main, footer.page { max-width: 1200px; margin: 0 auto; padding: 0 20px; }
header.page { padding-top: 20px; border-bottom: 1px solid var(--line); }
header.page h1 { font-size: 1.5em; margin: 0 0 4px; }
header.page p { margin: 0 0 12px; color: var(--muted); }
h2 { font-size: 1.25em; margin: 28px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05em; margin: 0 0 6px; }
.counts { display: flex; flex-wrap: wrap; gap: 10px; margin: 12px 0; padding: 0; list-style: none; }
.counts li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 110px; }
.counts .n { display: block; font-size: 1.6em; font-weight: 600; }
.counts .blocked .n, .verdict-blocked { color: var(--blocked); }
.counts .unknown .n, .verdict-unknown { color: var(--unknown); }
.counts .allowed .n, .verdict-allowed { color: var(--allowed); }
.verdict { display: inline-block; font-weight: 700; text-transform: uppercase; letter-spacing: .03em; border: 1px solid currentColor; border-radius: 4px; padding: 0 6px; font-size: .85em; }
.verdict-blocked::before { content: "\\2716\\00a0"; }
.verdict-unknown::before { content: "?\\00a0"; }
.verdict-allowed::before { content: "\\2714\\00a0"; }
article.finding, article.remediation { border: 1px solid var(--line); border-radius: 6px; padding: 14px 16px; margin: 14px 0; }
article.finding.blocked { border-left: 5px solid var(--blocked); }
article.finding.unknown { border-left: 5px solid var(--unknown); }
article.remediation { border-left: 5px solid var(--allowed); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 14px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
.reason { margin: 6px 0 10px; }
.muted, .note { color: var(--muted); }
code, pre { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code { background: var(--code-bg); padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
.command { position: relative; margin: 8px 0 12px; }
.command .label { font-size: .85em; color: var(--muted); margin-bottom: 2px; }
.command pre { background: var(--code-bg); border: 1px solid var(--line); border-radius: 4px; padding: 10px 12px; margin: 0; overflow-x: auto; white-space: pre; }
.command pre code { background: none; padding: 0; }
button.copy { position: absolute; top: 0; right: 0; font: inherit; font-size: .8em; padding: 1px 10px; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
button.copy:hover, button.copy:focus { border-color: #16191d; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: .93em; }
th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 4px 8px; vertical-align: top; overflow-wrap: break-word; }
th { color: var(--muted); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
details { margin: 6px 0; }
details > summary { cursor: pointer; color: #1f4fa3; }
.matrix { overflow: auto; max-height: 80vh; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
.matrix svg { display: block; max-width: none; }
.matrices { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.matrices h3 { margin-top: 8px; }
ul.plain { margin: 4px 0; padding-left: 20px; }
.headline { font-size: 1.15em; margin: 12px 0; }
footer.page { margin-top: 32px; padding-top: 10px; padding-bottom: 24px; border-top: 1px solid var(--line); color: var(--muted); font-size: .85em; }
@media print { button.copy { display: none; } details { display: block; } .matrix { max-height: none; overflow: visible; } }
`;

/** Page rules and the matrix's, in one <style>: the policy admits one hash per element. */
export const REPORT_CSS = `${PAGE_CSS}${MATRIX_CSS}`;

/**
 * Copy buttons: navigator.clipboard where the page is a secure context (https, localhost,
 * file:), else the text is selected and execCommand('copy') tried, and if that fails too the
 * text stays selected and the button says so. Buttons are rendered hidden so that a reader
 * without script (a mail client) never sees a control that does nothing.
 */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  function select(target) {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  function say(button, text) {
    button.textContent = text;
    window.setTimeout(function () { button.textContent = 'Copy'; }, 2500);
  }
  var buttons = document.querySelectorAll('button.copy[data-copy]');
  Array.prototype.forEach.call(buttons, function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var target = document.getElementById(button.getAttribute('data-copy'));
      if (!target) return;
      var text = target.textContent;
      function fallback() {
        select(target);
        var copied = false;
        try { copied = document.execCommand('copy'); } catch (e) { copied = false; }
        say(button, copied ? 'Copied' : 'Selected: press Ctrl+C');
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { say(button, 'Copied'); }, fallback);
      } else {
        fallback();
      }
    });
  });
})();
`;

/**
 * The CSP sources of REPORT_CSS and REPORT_SCRIPT, written out because the core may not hash
 * (it imports no node: module, and a hand-written SHA-256 would be more code to trust than two
 * literals). html-assets.test.ts recomputes both with node:crypto and prints the new value when
 * an edit to the style, the script or MATRIX_CSS makes one stale.
 */
export const REPORT_CSS_HASH = "'sha256-uKqY9zxV9gXqN8B7E7t4UF4cpGvxijG6beGzUpP5mWQ='";
export const REPORT_SCRIPT_HASH = "'sha256-E/+NK9vXAHkywooabTuKGpv+ZzZf6krn5xE6j/KTX70='";

/**
 * Nothing but the one script and the one stylesheet; images only as data: URLs; no fetch,
 * frame, form target or base URL. It goes into the page's <meta> element.
 */
export const REPORT_CSP = [
  "default-src 'none'",
  `script-src ${REPORT_SCRIPT_HASH}`,
  `style-src ${REPORT_CSS_HASH}`,
  'img-src data:',
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The header form: frame-ancestors works only in a header, never in a <meta> policy. */
export const REPORT_CSP_HEADER = `${REPORT_CSP}; frame-ancestors 'none'`;
