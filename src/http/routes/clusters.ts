import type { Request, Response } from 'express';
import { runAudit } from '../../pipeline/audit.js';
import { DEFAULT_MAX_PAIRS } from '../../model/report.js';
import { formatProblem, InputError } from '../../model/source.js';
import type { AuditReport } from '../../model/report.js';
import type { ClusterTarget } from '../config-file.js';
import { STATUS, type AppDeps, type HandlerTable } from '../deps.js';
import type { CollectedTarget } from '../live-collector.js';
import { auditOutcome } from '../metrics.js';
import { HttpProblem } from '../problems.js';
import { requestState } from '../request-state.js';
import { storeAndRespond } from './audits.js';

interface ClusterAuditBody {
  options?: { maxPairs?: number };
}

export function clusterRoutes(deps: AppDeps): HandlerTable {
  const byName = new Map(deps.clusters.map((c) => [c.name, c]));
  return {
    listClusters(_req: Request, res: Response) {
      res.status(STATUS.ok).json({
        items: deps.clusters.map((c) => ({ name: c.name, kubernetes: c.kubernetes.kind, cloud: c.cloud.provider })),
      });
    },

    async createClusterAudit(req: Request, res: Response) {
      const name = String(requestState(res).params?.name);
      const target = byName.get(name);
      if (!target) throw new HttpProblem('not-found', `no cluster named ${name} in the server configuration`);
      if (!deps.collectLive) {
        throw new HttpProblem('not-implemented', 'this build of sgaudit cannot collect live from Kubernetes and cloud APIs; post exports to /v1/audits instead');
      }
      const body = (req.body ?? {}) as ClusterAuditBody;
      const collected = await collect(deps, target, res);
      let report: AuditReport;
      try {
        report = runAudit(collected.inputs, { maxPairs: body.options?.maxPairs ?? DEFAULT_MAX_PAIRS }).report;
      } catch (e) {
        // The documents came from the cluster, not from the caller: an unusable one is an upstream problem.
        if (e instanceof InputError) {
          deps.metrics.recordAudit(name, 'collection-failed');
          throw new HttpProblem('collection-failed', `cluster ${name} returned documents the audit cannot use: ${e.problems.map(formatProblem).join('; ')}`);
        }
        deps.metrics.recordAudit(name, 'error');
        throw e;
      }
      report.warnings.push(...collected.warnings);
      deps.metrics.recordAudit(name, auditOutcome(report), report);
      await storeAndRespond(deps, res, report, name, 'live');
    },
  };
}

/**
 * Failures that leave nothing to audit (kubeconfig unusable, API unreachable, login refused)
 * answer 502 with the provider's message; partial failures never get here, they are
 * `unavailable` entries that turn the affected pairs `unknown`.
 */
async function collect(deps: AppDeps, target: ClusterTarget, res: Response): Promise<CollectedTarget> {
  try {
    return await deps.collectLive!(target);
  } catch (e) {
    deps.metrics.recordAudit(target.name, 'collection-failed');
    const message = e instanceof InputError ? e.problems.map(formatProblem).join('; ') : e instanceof Error ? e.message : String(e);
    (requestState(res).log ?? deps.logger).warn({ cluster: target.name, err: e }, 'live collection failed');
    throw new HttpProblem('collection-failed', `reading cluster ${target.name} failed: ${message}`);
  }
}
