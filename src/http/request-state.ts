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
  /**
   * Aborts when nobody will read the answer any more: the client closed the connection before
   * the response finished, or the server gave up on the request while shutting down. Work done
   * for the request (live collection, audit workers) takes its signal, so upstream sockets close
   * with the request instead of running on for nobody.
   */
  abort: AbortController;
}

/** The abort reason when the client went away; `instanceof` tells it apart from a shutdown. */
export class ClientClosed extends Error {
  constructor() {
    super('the client closed the connection before the response');
    this.name = 'ClientClosed';
  }
}

const KEY = 'sgaudit';

export function requestState(res: Response): RequestState {
  const locals = res.locals as Record<string, unknown> | undefined;
  let state = locals?.[KEY] as RequestState | undefined;
  if (!state) {
    state = { abort: abortOnClose(res) };
    // express sets res.locals on entry, but the server's own request hook may ask first.
    if (locals) locals[KEY] = state;
    else res.locals = { [KEY]: state };
  }
  return state;
}

/**
 * 'close' without 'finish' is the only sign Node gives of a client that went away: 'finish'
 * is never emitted then, even when the handler ends the response later.
 */
function abortOnClose(res: Response): AbortController {
  const controller = new AbortController();
  if (res.destroyed) {
    controller.abort(new ClientClosed());
    return controller;
  }
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new ClientClosed());
  });
  return controller;
}
