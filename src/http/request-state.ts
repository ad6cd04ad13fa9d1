import type { Response } from 'express';
import type { Logger } from 'pino';
import type { TokenGrant } from './auth.js';

/** What the middlewares learn about a request, kept on res.locals under one typed key. */
export interface RequestState {
  requestId?: string;
  log?: Logger;
  /** OpenAPI path template of the matched operation; metrics and logs use it, never the raw URL. */
  route?: string;
  grant?: TokenGrant;
  /** Path and query parameters after validation and type coercion. */
  params?: Record<string, unknown>;
}

const KEY = 'sgaudit';

export function requestState(res: Response): RequestState {
  const locals = res.locals as Record<string, unknown>;
  let state = locals[KEY] as RequestState | undefined;
  if (!state) {
    state = {};
    locals[KEY] = state;
  }
  return state;
}
