import type { Request, Response } from 'express';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { renderDocsPage } from '../docs-page.js';
import { HttpProblem } from '../problems.js';
import { requestState } from '../request-state.js';

/** How long readiness waits for the store before calling it unreachable. */
const READY_TIMEOUT_MS = 2000;

export function operationRoutes(deps: AppDeps): HandlerTable {
  // Rendered once: the spec cannot change while the process runs.
  const docsPage = renderDocsPage(deps.spec.doc);
  return {
    getHealth(_req: Request, res: Response) {
      res.status(STATUS.ok).json({ status: 'ok' });
    },

    async getReadiness(_req: Request, res: Response) {
      try {
        await withTimeout(deps.store.ping(), READY_TIMEOUT_MS);
      } catch (e) {
        (requestState(res).log ?? deps.logger).warn({ err: e }, 'readiness: store unreachable');
        throw new HttpProblem('not-ready', `the ${deps.store.kind} audit store does not answer`);
      }
      res.status(STATUS.ok).json({ status: 'ready' });
    },

    async getMetrics(_req: Request, res: Response) {
      res.status(STATUS.ok).type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    },

    getOpenapi(_req: Request, res: Response) {
      res.status(STATUS.ok).type('application/yaml; charset=utf-8').send(deps.spec.text);
    },

    getDocs(_req: Request, res: Response) {
      // The page has no scripts and loads nothing, which this policy makes a guarantee.
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.status(STATUS.ok).type('text/html; charset=utf-8').send(docsPage);
    },
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
