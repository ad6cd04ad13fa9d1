import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AuditStore } from '../store/types.js';
import type { AuditPool } from './audit-pool.js';
import type { TokenVerifier } from './auth.js';
import type { ClusterTarget } from './config-file.js';
import type { LiveCollector } from './live-collector.js';
import type { ApiMetrics } from './metrics.js';
import type { ProbeGate } from './probe-gate.js';
import type { SpecSchemas } from './schemas.js';
import type { ApiSpec } from './spec.js';

/** Everything the app needs, passed in: no module-global clients, so tests build apps freely. */
export interface AppDeps {
  spec: ApiSpec;
  schemas: SpecSchemas;
  store: AuditStore;
  tokens: TokenVerifier;
  clusters: ClusterTarget[];
  /** Live collection for configured clusters; undefined answers 501. */
  collectLive: LiveCollector | undefined;
  logger: Logger;
  metrics: ApiMetrics;
  bodyLimitBytes: number;
  /** Worker threads that evaluate audits and what-ifs, so the event loop stays free. */
  auditPool: AuditPool;
  /** Largest report (UTF-8 JSON bytes) the API answers with or stores; over it, 422 report-too-large. */
  reportLimitBytes: number;
  now: () => Date;
  newId: () => string;
  /** The gate sweeps and probing audits of a cluster take turns at; given when watch mode shares it, else the app makes its own. */
  probeGate?: ProbeGate;
  /** Watch mode's live state for GET /v1/clusters/{name}/status; absent when nothing is watched. */
  watchStatus?: WatchStatusSource;
}

/** What the running watch loop and notifier know that the store does not. */
export interface WatchStatusSource {
  /** Recent webhook deliveries of the cluster's change events. */
  deliveries(cluster: string): unknown[];
  /** The cluster's schedule (interval, next run, last failure); undefined when it is not watched. */
  schedule?(cluster: string): unknown;
}

/** The handler of one OpenAPI operation, looked up by operationId. */
export type OperationHandler = (req: Request, res: Response) => Promise<void> | void;
export type HandlerTable = Record<string, OperationHandler>;

/** Success statuses by name, so handlers never carry bare numbers. */
export const STATUS = { ok: 200, created: 201 } as const;
