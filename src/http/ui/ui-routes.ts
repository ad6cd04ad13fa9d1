import type { Request, Response } from 'express';
import { STATUS, type HandlerTable } from '../deps.js';
import { UI_SCRIPT } from './ui-script.js';
import { UI_SHELL } from './ui-shell.js';
import { UI_STYLE } from './ui-style.js';

/**
 * The web UI's three files. They are open (no token): they hold no data, and the page asks for
 * the token itself, so that it never travels in a URL or a cookie. Their security headers come
 * from uiSecurityHeaders, mounted on /ui in app.ts so that a 404 under /ui carries them too.
 */
export function uiRoutes(): HandlerTable {
  return {
    getUi(_req: Request, res: Response) {
      res.status(STATUS.ok).type('text/html; charset=utf-8').send(UI_SHELL);
    },
    getUiScript(_req: Request, res: Response) {
      res.status(STATUS.ok).type('text/javascript; charset=utf-8').send(UI_SCRIPT);
    },
    getUiStyle(_req: Request, res: Response) {
      res.status(STATUS.ok).type('text/css; charset=utf-8').send(UI_STYLE);
    },
  };
}
