import type { NextFunction, Request, Response } from 'express';
import { EMBEDDED_REPORT_HASHES } from './embedded-report.js';

/**
 * The policy of every response under /ui. The page's own script and stylesheet are files from
 * this origin ('self'), so nothing inline of ours needs allowing. The report and what-if pages
 * the UI shows are put into an iframe through `srcdoc`, and a srcdoc document inherits this
 * policy: their one inline script and one inline style are allowed by hash, and by nothing
 * broader, so text from an audit that smuggled markup into the report still could not run.
 */
export function uiContentSecurityPolicy(hashes: { scripts: readonly string[]; styles: readonly string[] } = EMBEDDED_REPORT_HASHES): string {
  return [
    "default-src 'none'",
    `script-src 'self'${hashes.scripts.map((h) => ` ${h}`).join('')}`,
    `style-src 'self'${hashes.styles.map((h) => ` ${h}`).join('')}`,
    "connect-src 'self'",
    // The report's matrix is inline SVG; images it may embed are data: URLs, never fetched.
    "img-src 'self' data:",
    "frame-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Mounted on /ui before any route, so the policy covers every answer under it: the page, its
 * assets, a 404 and an error. The token is never in a URL, and `no-referrer` keeps even the
 * page's own paths out of any request it makes.
 */
export function uiSecurityHeaders(policy: string = uiContentSecurityPolicy()) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    next();
  };
}
