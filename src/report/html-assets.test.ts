import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REPORT_CSS, REPORT_CSS_HASH, REPORT_CSP, REPORT_SCRIPT, REPORT_SCRIPT_HASH } from './html-assets.js';

function hashSource(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

describe('the HTML report assets and their CSP hashes', () => {
  it('admits exactly the current stylesheet and script (update the literal in html-assets.ts when this fails)', () => {
    expect(REPORT_CSS_HASH, 'REPORT_CSS_HASH is stale').toBe(hashSource(REPORT_CSS));
    expect(REPORT_SCRIPT_HASH, 'REPORT_SCRIPT_HASH is stale').toBe(hashSource(REPORT_SCRIPT));
  });

  it('puts both hashes, and nothing looser, in the policy', () => {
    expect(REPORT_CSP).toContain(`script-src ${hashSource(REPORT_SCRIPT)}`);
    expect(REPORT_CSP).toContain(`style-src ${hashSource(REPORT_CSS)}`);
    expect(REPORT_CSP).not.toMatch(/unsafe-|\*/);
  });
});
