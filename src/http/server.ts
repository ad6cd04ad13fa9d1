import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { createServer, type Server } from 'node:http';
import { DEFAULT_LOOP_TURNS, LoopTurns } from './loop-turns.js';
import type { AddressInfo } from 'node:net';
import type { DestinationStream, Logger } from 'pino';
import { openStore, describeStore } from '../store/open-store.js';
import { startRetention, type RetentionSweeper } from '../store/retention.js';
import type { AuditStore, RetentionPolicy } from '../store/types.js';
import { createApp } from './app.js';
import { AuditPool } from './audit-pool.js';
import { sha256, TokenVerifier, type ConfiguredToken } from './auth.js';
import { EMPTY_CONFIG, loadConfigFile, type ServerConfig } from './config-file.js';
import { createLogger } from './logging.js';
import { collectTarget, preloadLiveCollectors } from './live-collector.js';
import { ApiMetrics } from './metrics.js';
import { SpecSchemas } from './schemas.js';
import type { ServeSettings } from './settings.js';
import { RequestLifecycle, type DrainOutcome } from './shutdown.js';
import { loadSpec } from './spec.js';
import { ProbeGate } from './probe-gate.js';
import { createChangeTracker } from './watch/change-tracker.js';
import { listNodeNames } from './watch/node-watch.js';
import { WatchLoop, type WatchLoopOptions } from './watch/watch-loop.js';
import { createNotifier, type Notifier } from './watch/webhooks.js';

export interface RunningServer {
  server: Server;
  store: AuditStore;
  logger: Logger;
  /** `http://host:port`, with the port actually bound. */
  url: string;
  /**
   * The drain of SIGTERM/SIGINT: stop accepting connections, give in-flight requests
   * `--shutdown-grace`, abort the rest, stop retention, close the store. Called again, it
   * returns the first call's promise.
   */
  shutdown(reason: string): Promise<DrainOutcome>;
  /** shutdown without a grace period: in-flight requests are aborted at once (tests). */
  close(): Promise<void>;
}

export interface StartOptions {
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
}

/** The name SGAUDIT_API_TOKEN's grant carries in logs. */
export const ENV_TOKEN_NAME = 'SGAUDIT_API_TOKEN';

export function tokensOf(config: ServerConfig, settings: Pick<ServeSettings, 'apiToken'>): ConfiguredToken[] {
  const tokens = [...config.tokens];
  if (settings.apiToken !== undefined) tokens.push({ name: ENV_TOKEN_NAME, sha256: sha256(settings.apiToken), scopes: ['admin'] });
  return tokens;
}

/** Everything `sgaudit serve` does before it listens: config, store, app; then listen. */
export async function startServer(settings: ServeSettings, env: NodeJS.ProcessEnv = process.env, options: StartOptions = {}): Promise<RunningServer> {
  const config: ServerConfig = settings.config ? loadConfigFile(settings.config, env) : EMPTY_CONFIG;
  const tokens = tokensOf(config, settings);
  if (tokens.length === 0) {
    throw new Error('no API tokens: set SGAUDIT_API_TOKEN, or list tokens in the --config file; without one every API route would answer 401');
  }
  const verifier = new TokenVerifier(tokens);
  const spec = loadSpec();
  const logger = createLogger(settings.logLevel, options.logDestination);
  const retention = retentionPolicy(settings, config);
  const store = await openStore({ dataDir: settings.dataDir, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
  const sweeper = startSweeper(store, retention, logger);
  const metrics = new ApiMetrics({ processMetrics: true });
  const auditPool = new AuditPool({ workers: settings.workers, queueLimit: settings.queueLimit ?? 2 * settings.workers, onShed: () => metrics.recordShed() });
  metrics.observePool(() => auditPool.stats());
  const probeGate = new ProbeGate();
  const notifier = createNotifier(config.webhooks, { logger, metrics });
  const watchLoop = startableWatchLoop(config, { store, auditPool, metrics, logger, probeGate, reportLimitBytes: settings.reportLimit, notifier });
  const app = createApp({
    spec,
    schemas: new SpecSchemas(spec.doc),
    store,
    tokens: verifier,
    clusters: config.clusters,
    collectLive: collectTarget,
    logger,
    metrics,
    bodyLimitBytes: settings.bodyLimit,
    auditPool,
    reportLimitBytes: settings.reportLimit,
    now: () => new Date(),
    newId: randomUUID,
    probeGate,
    watchStatus: { deliveries: (cluster) => notifier.deliveries(cluster), schedule: (cluster) => watchLoop?.status(cluster) },
  });
  const lifecycle = new RequestLifecycle(logger);
  let server: Server;
  try {
    server = await new Promise<Server>((resolve, reject) => {
      const turns = new LoopTurns(DEFAULT_LOOP_TURNS, () => {
        metrics.recordShed();
        logger.warn({ waiting: DEFAULT_LOOP_TURNS.maxWaiting }, 'request refused: too many requests waiting for a loop turn');
      });
      const s = createServer(lifecycle.listener(turns.listener(app)));
      s.once('error', reject);
      s.listen(settings.port, settings.host, () => resolve(s));
    });
  } catch (e) {
    await notifier.close();
    await auditPool.close();
    await sweeper?.stop();
    await store.close();
    throw e;
  }
  setConnectionLimits(server);
  if (config.clusters.length > 0) {
    preloadLiveCollectors().catch((e: unknown) => logger.error({ err: e }, 'loading the live collectors failed; live audits will fail'));
  }
  watchLoop?.start();
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info(
    { url, store: describeStore(settings), tokens: tokens.map((t) => t.name), clusters: config.clusters.map((c) => c.name), watched: watchLoop?.clusters ?? [], retention, shutdownGraceSeconds: settings.shutdownGrace },
    'sgaudit serve listening',
  );
  let stopping: Promise<DrainOutcome> | undefined;
  const shutdown = (reason: string, graceMs: number): Promise<DrainOutcome> => {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutdown: started');
      // Watch runs are cancelled at once rather than given the grace: their leases expire and the
      // next interval runs on another replica (or on this one's successor).
      const [outcome] = await Promise.all([lifecycle.drain(server, graceMs), watchLoop?.close()]);
      // After the drain: its aborts have already taken every task off the pool.
      await auditPool.close();
      await notifier.close();
      // Before the store closes: a sweep must not find it closed under its feet.
      await sweeper?.stop();
      await store.close();
      logger.info({ outcome }, 'shutdown: store closed; done');
      return outcome;
    })();
    return stopping;
  };
  return {
    server,
    store,
    logger,
    url,
    shutdown: (reason) => shutdown(reason, settings.shutdownGrace * 1000),
    async close() {
      await shutdown('closed by its owner', 0);
    },
  };
}

/**
 * Connection timeouts, each set on purpose rather than left to Node's defaults.
 * - keepAliveTimeout 5 s: long enough for a client's next request to reuse its connection, short
 *   enough that hundreds of idle kept-alive sockets do not pile up. A proxy in front must close
 *   idle upstream connections sooner than this, or it may reuse one the server is closing.
 * - headersTimeout 10 s, above keepAliveTimeout as Node requires so a kept-alive socket is not
 *   cut while its next request's headers arrive: a client that dribbles headers (slowloris)
 *   loses its socket after 10 s.
 * - requestTimeout 120 s: time to receive the whole request, a body up to --body-limit (20 MB)
 *   from a slow client. It stops once the request is in, so it does not bound the answer: a live
 *   audit is bounded by its collection deadline, not by this.
 * - maxRequestsPerSocket stays unlimited: past the limit Node itself answers 503 without
 *   Retry-After, which clients cannot tell from a failure. New connections are kept responsive
 *   by shedding before any body is read (app.ts), not by pushing busy clients off.
 */
function setConnectionLimits(server: Server): void {
  server.keepAliveTimeout = 5_000;
  server.headersTimeout = 10_000;
  server.requestTimeout = 120_000;
}

/** A flag or variable wins over the configuration file, bound by bound. */
function retentionPolicy(settings: Pick<ServeSettings, 'retentionDays' | 'retentionCount'>, config: ServerConfig): RetentionPolicy {
  const maxAgeDays = settings.retentionDays ?? config.retention.maxAgeDays;
  const maxCount = settings.retentionCount ?? config.retention.maxCount;
  return { ...(maxAgeDays !== undefined ? { maxAgeDays } : {}), ...(maxCount !== undefined ? { maxCount } : {}) };
}

/** No bound, no sweeper: keeping everything is the default and needs no background work. */
function startSweeper(store: AuditStore, policy: RetentionPolicy, logger: Logger): RetentionSweeper | undefined {
  if (policy.maxAgeDays === undefined && policy.maxCount === undefined) return undefined;
  return startRetention(store, policy, {
    onSwept: (deleted) => {
      if (deleted > 0) logger.info({ deleted, retention: policy }, 'retention: deleted old audits and probe sweeps');
    },
    onError: (err) => logger.warn({ err, retention: policy }, 'retention: sweep failed; retrying at the next interval'),
  });
}

/** Watch mode, when any configured cluster has a `watch` section; started once the server listens. */
function startableWatchLoop(
  config: ServerConfig,
  deps: Pick<WatchLoopOptions, 'store' | 'auditPool' | 'metrics' | 'logger' | 'probeGate' | 'reportLimitBytes'> & { notifier: Notifier },
): WatchLoop | undefined {
  if (!config.clusters.some((c) => c.watch)) return undefined;
  return new WatchLoop({
    ...deps,
    clusters: config.clusters,
    collectLive: collectTarget,
    holder: `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
    observer: createChangeTracker({ store: deps.store, metrics: deps.metrics }),
    sink: deps.notifier,
    nodeWatch: { list: listNodeNames, ...NODE_WATCH },
  });
}

/** A node change starts a run after at most a poll plus the debounce: 15 s. */
const NODE_WATCH = { pollMs: 10_000, debounceMs: 5_000 } as const;
