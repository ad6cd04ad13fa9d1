import type { Response } from 'express';
import { findingKey, findingRef } from '../../report/compare-runs.js';
import { encodeCursor } from '../../store/cursor.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import { listingQuery } from '../listing-query.js';
import { HttpProblem } from '../problems.js';
import { requestState } from '../request-state.js';
import { TRACKED_ORIGINS } from '../watch/change-tracker.js';

/** GET /v1/clusters/{name}/status and /changes: what watch mode knows of a configured cluster. */
export function watchRoutes(deps: AppDeps): HandlerTable {
  const configured = new Set(deps.clusters.map((c) => c.name));
  const clusterName = (res: Response): string => {
    const name = String(requestState(res).params?.name);
    if (!configured.has(name)) throw new HttpProblem('not-found', `no cluster named ${name} in the server configuration`);
    return name;
  };
  return {
    async getClusterStatus(_req, res) {
      const name = clusterName(res);
      const [last, since, changes] = await Promise.all([
        deps.store.latestAudit(name, TRACKED_ORIGINS),
        deps.store.getFindingsSince(name),
        deps.store.listChanges(name, { limit: 1 }),
      ]);
      // A finding the tracker has no start time for (the last run was an on-demand audit it
      // never compared) is known to be open since that run, and no earlier.
      const openFindings = (last?.report.findings ?? []).map((f) => ({ ...findingRef(f), since: since?.since[findingKey(f)] ?? last?.createdAt ?? null }));
      res.status(STATUS.ok).json({
        cluster: name,
        watch: deps.watchStatus?.schedule?.(name) ?? null,
        lastRun: last
          ? {
              auditId: last.id,
              createdAt: last.createdAt,
              origin: last.origin,
              summary: last.report.summary,
              findings: last.report.findings.length,
              remediations: last.report.remediations.length,
            }
          : null,
        openFindings,
        lastChange: changes.items[0] ?? null,
        webhooks: deps.watchStatus?.deliveries(name) ?? [],
      });
    },

    async listClusterChanges(_req, res) {
      const name = clusterName(res);
      const { page: request } = listingQuery(res);
      const page = await deps.store.listChanges(name, request);
      res.status(STATUS.ok).json({ items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null });
    },
  };
}
