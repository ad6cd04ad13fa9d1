import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { AuditPool, type AuditPoolOptions } from '../../src/http/audit-pool.js';
import { sha256, TokenVerifier, type Scope } from '../../src/http/auth.js';
import type { AppDeps } from '../../src/http/deps.js';
import { createLogger } from '../../src/http/logging.js';
import { ApiMetrics } from '../../src/http/metrics.js';
import { DEFAULT_REPORT_LIMIT } from '../../src/http/settings.js';
import { packageRoot } from '../../src/package-root.js';
import { SQLITE_MEMORY, SqliteAuditStore } from '../../src/store/sqlite-store.js';
import { specAndSchemas } from './openapi-response.js';

/** One token per scope, plus one holding nothing useful for the API (probe). */
export const TOKENS = {
  admin: 'admin-token-0123456789abcdef',
  read: 'read-token-0123456789abcdef',
  audit: 'audit-token-0123456789abcdef',
  probe: 'probe-token-0123456789abcdef',
} as const satisfies Record<Scope, string>;

export const bearer = (scope: keyof typeof TOKENS): string => `Bearer ${TOKENS[scope]}`;

export interface TestApp {
  app: Express;
  deps: AppDeps;
  /** Every log line the app wrote, as text. */
  logs: () => string;
}

/**
 * One real worker pool per test process, started on first use: apps built per test share it, so
 * a file with fifty apps does not start fifty sets of threads. Its threads are unref'd when idle,
 * so they never keep a test process alive.
 */
let sharedPool: AuditPool | undefined;
function defaultPool(): AuditPool {
  sharedPool ??= new AuditPool({ workers: 1, queueLimit: 64, warmThreads: 0 });
  return sharedPool;
}

/** A pool of its own, counted in `metrics` (shedding tests); the caller closes it. */
export function poolWithMetrics(options: AuditPoolOptions, metrics: ApiMetrics): AuditPool {
  const pool = new AuditPool({ ...options, onShed: () => metrics.recordShed() });
  metrics.observePool(() => pool.stats());
  return pool;
}

export async function testApp(overrides: Partial<AppDeps> = {}): Promise<TestApp> {
  const { spec, schemas } = specAndSchemas();
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const deps: AppDeps = {
    spec,
    schemas,
    store: overrides.store ?? SqliteAuditStore.open(SQLITE_MEMORY),
    tokens: new TokenVerifier((Object.keys(TOKENS) as Scope[]).map((s) => ({ name: `${s}-client`, sha256: sha256(TOKENS[s]), scopes: [s] }))),
    clusters: [],
    collectLive: undefined,
    logger: createLogger('info', sink),
    metrics: new ApiMetrics(),
    bodyLimitBytes: 20 * 1024 * 1024,
    auditPool: overrides.auditPool ?? defaultPool(),
    reportLimitBytes: DEFAULT_REPORT_LIMIT,
    now: () => new Date(),
    newId: randomUUID,
    ...overrides,
  };
  return { app: createApp(deps), deps, logs: () => lines.join('') };
}

function example(file: string): unknown {
  return JSON.parse(readFileSync(join(packageRoot(), 'examples', 'incident', file), 'utf8'));
}

/** The bundled incident (4 OpenStack nodes, UDP 8472 blocked) as a POST /v1/audits body. */
export function incidentBody(options: Record<string, unknown> = {}): { inputs: Record<string, unknown>; options?: Record<string, unknown> } {
  return {
    inputs: {
      nodes: example('nodes.json'),
      flannel: example('kube-flannel-cfg.json'),
      openstack: ['ports.json', 'security-groups.json', 'subnets.json'].map(example),
    },
    ...(Object.keys(options).length ? { options } : {}),
  };
}

/** Posts the incident audit under the cluster label `cluster` and returns the stored audit's id; throws unless it was stored. */
export async function storedIncidentAudit(t: TestApp, cluster = 'prod-eu'): Promise<string> {
  const res = await request(t.app).post('/v1/audits').set('Authorization', bearer('audit')).send(incidentBody({ cluster }));
  if (res.status !== 201) throw new Error(`POST /v1/audits answered ${res.status}: ${JSON.stringify(res.body).slice(0, 600)}`);
  return res.body.id as string;
}
