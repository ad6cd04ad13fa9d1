import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './settings.js';
import type { ApiMetrics } from './metrics.js';
import { requestState } from './request-state.js';

/**
 * JSON logs. The access log never includes headers at all; the redaction is a second guard in
 * case a handler ever logs a request object, so a bearer token cannot reach a log line.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'sgaudit' },
    redact: { paths: ['authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization', 'token'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** A caller's id is reused only when it is short and printable, so it cannot forge log lines. */
const USABLE_REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** Assigns the request id, times the request and writes one access-log line when it ends. */
export function requestLogging(logger: Logger, metrics: ApiMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const started = process.hrtime.bigint();
    const given = req.get('x-request-id');
    const id = given !== undefined && USABLE_REQUEST_ID.test(given) ? given : randomUUID();
    const state = requestState(res);
    state.requestId = id;
    state.log = logger.child({ reqId: id });
    res.setHeader('X-Request-Id', id);
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = state.route ?? 'unmatched';
      metrics.observeRequest(route, req.method, res.statusCode, seconds);
      state.log?.info(
        { method: req.method, path: req.path, route, status: res.statusCode, durationMs: Math.round(seconds * 1e4) / 10, ...(state.grant ? { client: state.grant.name } : {}) },
        'request',
      );
    });
    next();
  };
}
