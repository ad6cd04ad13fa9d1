import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { openStore, describeStore } from '../store/open-store.js';
import type { AuditStore } from '../store/types.js';
import { createApp } from './app.js';
import { sha256, TokenVerifier, type ConfiguredToken } from './auth.js';
import { loadConfigFile, type ServerConfig } from './config-file.js';
import { createLogger } from './logging.js';
import { collectTarget } from './live-collector.js';
import { ApiMetrics } from './metrics.js';
import { SpecSchemas } from './schemas.js';
import type { ServeSettings } from './settings.js';
import { loadSpec } from './spec.js';

export interface RunningServer {
  server: Server;
  store: AuditStore;
  logger: Logger;
  /** `http://host:port`, with the port actually bound. */
  url: string;
  close(): Promise<void>;
}

/** The name SGAUDIT_API_TOKEN's grant carries in logs. */
export const ENV_TOKEN_NAME = 'SGAUDIT_API_TOKEN';

export function tokensOf(config: ServerConfig, settings: Pick<ServeSettings, 'apiToken'>): ConfiguredToken[] {
  const tokens = [...config.tokens];
  if (settings.apiToken !== undefined) tokens.push({ name: ENV_TOKEN_NAME, sha256: sha256(settings.apiToken), scopes: ['admin'] });
  return tokens;
}

/** Everything `sgaudit serve` does before it listens: config, store, app; then listen. */
export async function startServer(settings: ServeSettings, env: NodeJS.ProcessEnv = process.env): Promise<RunningServer> {
  const config: ServerConfig = settings.config ? loadConfigFile(settings.config, env) : { tokens: [], clusters: [] };
  const tokens = tokensOf(config, settings);
  if (tokens.length === 0) {
    throw new Error('no API tokens: set SGAUDIT_API_TOKEN, or list tokens in the --config file; without one every API route would answer 401');
  }
  const verifier = new TokenVerifier(tokens);
  const spec = loadSpec();
  const logger = createLogger(settings.logLevel);
  const store = await openStore({ dataDir: settings.dataDir, ...(settings.databaseUrl ? { databaseUrl: settings.databaseUrl } : {}) });
  const app = createApp({
    spec,
    schemas: new SpecSchemas(spec.doc),
    store,
    tokens: verifier,
    clusters: config.clusters,
    collectLive: collectTarget,
    logger,
    metrics: new ApiMetrics({ processMetrics: true }),
    bodyLimitBytes: settings.bodyLimit,
    now: () => new Date(),
    newId: randomUUID,
  });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(settings.port, settings.host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  // Slow clients cannot hold a connection open forever; audits of large clusters still fit.
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, store: describeStore(settings), tokens: tokens.map((t) => t.name), clusters: config.clusters.map((c) => c.name) }, 'sgaudit serve listening');
  return {
    server,
    store,
    logger,
    url,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await store.close();
    },
  };
}
