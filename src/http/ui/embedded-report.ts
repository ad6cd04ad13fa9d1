import { REPORT_CSS_HASH, REPORT_SCRIPT_HASH } from '../../report/html-assets.js';

/**
 * The inline script and style hashes of the HTML pages the UI embeds (the audit report and the
 * what-if result share one stylesheet and one script, src/report/html-assets.ts). They run
 * inside the UI's srcdoc iframe, which inherits the UI's policy, so the UI must admit exactly
 * these two.
 */
export const EMBEDDED_REPORT_HASHES: { scripts: readonly string[]; styles: readonly string[] } = {
  scripts: [REPORT_SCRIPT_HASH],
  styles: [REPORT_CSS_HASH],
};
