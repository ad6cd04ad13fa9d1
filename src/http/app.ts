import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { ReportTooLargeError } from '../store/report-json.js';
import { requireScopes } from './auth.js';
import type { AppDeps, HandlerTable, OperationHandler } from './deps.js';
import { requestLogging } from './logging.js';
import { HttpProblem, PROBLEM_TYPES, problemTypeUri, sendProblem } from './problems.js';
import { requestState } from './request-state.js';
import { auditRoutes } from './routes/audits.js';
import { matrixRoutes } from './routes/matrix.js';
import { clusterRoutes } from './routes/clusters.js';
import { operationRoutes } from './routes/operations.js';
import { probeRoutes } from './routes/probes.js';
import { ProbeGate } from './probe-gate.js';
import { watchRoutes } from './routes/watch.js';
import { whatifRoutes } from './routes/whatif.js';
import { uiSecurityHeaders } from './ui/ui-csp.js';
import { uiRoutes } from './ui/ui-routes.js';
import { jsonBody, validateParameters } from './validate.js';

/**
 * Builds the express app from openapi.yaml: every operation in the spec is mounted with the
 * scopes its `security` names and the validators of its parameters and body, and dispatched to
 * the handler with its operationId. A handler without an operation, or an operation without a
 * handler, stops the start, so the served API and the published one cannot differ.
 */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Responses are `Cache-Control: no-store`; hashing every 100 KB report for an ETag would buy nothing.
  app.set('etag', false);
  app.use(requestLogging(deps.logger, deps.metrics));
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Before every route: the UI's policy must cover its 404s and errors as well as its pages.
  app.use('/ui', uiSecurityHeaders());

  // One gate per app (shared with watch mode when it probes): sweeps and probing audits of a cluster take turns (probe-gate.ts).
  const probeGate = deps.probeGate ?? new ProbeGate();
  const handlers: HandlerTable = { ...auditRoutes(deps), ...matrixRoutes(deps), ...clusterRoutes(deps, probeGate), ...probeRoutes(deps, probeGate), ...operationRoutes(deps), ...whatifRoutes(deps), ...watchRoutes(deps), ...uiRoutes() };
  const specIds = new Set(deps.spec.operations.map((o) => o.operationId));
  const orphans = Object.keys(handlers).filter((id) => !specIds.has(id));
  if (orphans.length > 0) throw new Error(`handlers without an operation in openapi.yaml: ${orphans.join(', ')}`);

  const methodsByPath = new Map<string, { expressPath: string; methods: string[] }>();
  for (const op of deps.spec.operations) {
    const handler = handlers[op.operationId];
    if (!handler) throw new Error(`openapi.yaml operation ${op.operationId} (${op.method.toUpperCase()} ${op.path}) has no handler`);
    const markRoute = (_req: Request, res: Response, next: NextFunction): void => {
      requestState(res).route = op.path;
      next();
    };
    const auth = op.scopes === null ? [] : [requireScopes(deps.tokens, op.scopes, (res, grant) => (requestState(res).grant = grant))];
    const admission = EVALUATING_OPERATIONS.has(op.operationId) ? [shedWhenFull(deps)] : [];
    app[op.method](op.expressPath, markRoute, ...auth, ...admission, validateParameters(op, deps.schemas), ...jsonBody(op, deps.schemas, deps.bodyLimitBytes), run(handler));
    const entry = methodsByPath.get(op.path) ?? { expressPath: op.expressPath, methods: [] };
    entry.methods.push(op.method.toUpperCase());
    methodsByPath.set(op.path, entry);
  }

  for (const [path, { expressPath, methods }] of methodsByPath) {
    const allow = [...methods, ...(methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    app.route(expressPath).all((req, res) => {
      requestState(res).route = path;
      throw new HttpProblem('method-not-allowed', `${req.method} is not allowed on ${path}; allowed: ${allow}`, { headers: { Allow: allow } });
    });
  }
  app.use((req) => {
    throw new HttpProblem('not-found', `no route ${req.method} ${req.path}; see /docs`);
  });
  app.use(errorHandler(deps));
  return app;
}

/** Operations whose work ends on the audit pool; a full pool answers them before anything is read. */
const EVALUATING_OPERATIONS: ReadonlySet<string> = new Set(['createAudit', 'createWhatif', 'createClusterAudit']);

/**
 * Sheds before the body is read or a live collection starts: under saturation, reading and
 * parsing bodies only to refuse them was what kept the event loop from accepting new
 * connections (and health checks). Node discards the unread body of a finished response.
 */
function shedWhenFull(deps: AppDeps) {
  return (_req: Request, _res: Response, next: NextFunction): void => {
    deps.auditPool.requireRoom();
    next();
  };
}

function run(handler: OperationHandler) {
  return async (req: Request, res: Response): Promise<void> => {
    await handler(req, res);
  };
}

/**
 * Renders every error as problem+json. It must never fail itself: an error thrown here would
 * reach express's final handler, which answers with HTML and, outside production, a stack trace.
 * So rendering runs inside a guard whose fallback is a fixed 500 written with plain node calls.
 */
function errorHandler(deps: AppDeps) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    try {
      renderError(deps, err, req, res);
    } catch (renderFailure) {
      sendLastResort(deps, res, renderFailure);
    }
  };
}

function renderError(deps: AppDeps, err: unknown, req: Request, res: Response): void {
  const state = requestState(res);
  const log = state.log ?? deps.logger;
  if (res.headersSent) {
    log.error({ err }, 'error after the response started');
    res.destroy();
    return;
  }
  let problem: HttpProblem;
  if (err instanceof HttpProblem) {
    problem = err;
  } else if (err instanceof ReportTooLargeError) {
    // The worker checks --report-limit first; this is the store's own bound, reached only if they disagree.
    problem = new HttpProblem('report-too-large', err.message, { errors: [{ pointer: '/options/maxPairs', reason: `${err.message}; lower options.maxPairs` }] });
  } else if (isClientError(err)) {
    // express's and body-parser's own 4xx errors (a badly encoded path parameter, a body that cannot be decoded, ...).
    problem = new HttpProblem('bad-request', err.message);
  } else {
    log.error({ err }, 'internal error');
    problem = new HttpProblem('internal-error', `an unexpected error occurred; the server log has it under request id ${state.requestId ?? '(none)'}`);
  }
  sendProblem(res, req, problem, state.requestId);
}

const LAST_RESORT_BODY = JSON.stringify({
  type: problemTypeUri('internal-error'),
  title: PROBLEM_TYPES['internal-error'].title,
  status: PROBLEM_TYPES['internal-error'].status,
  detail: 'an unexpected error occurred while reporting an error; the server log has it',
});

function sendLastResort(deps: AppDeps, res: Response, failure: unknown): void {
  try {
    deps.logger.error({ err: failure }, 'the error handler failed; answered with a bare 500');
  } catch {
    // The logger itself failed (a value it cannot serialize); the answer below still goes out.
  }
  try {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const name of res.getHeaderNames()) if (name !== 'x-request-id') res.removeHeader(name);
    res.statusCode = 500;
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.end(LAST_RESORT_BODY);
  } catch {
    res.destroy();
  }
}

function isClientError(err: unknown): err is Error & { status: number } {
  const status = (err as { status?: unknown } | null)?.status;
  return err instanceof Error && typeof status === 'number' && status >= 400 && status < 500;
}
