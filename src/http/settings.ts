import { availableParallelism } from 'node:os';
import { MAX_STORED_REPORT_BYTES } from '../store/report-json.js';
import { InputError, type InputProblem } from '../model/source.js';

/**
 * Every setting of `sgaudit serve`, declared once: flag, environment variable, default, help.
 * The command's options, its --help, the docs and the validation all come from this table.
 * A flag wins over the environment, which wins over the default.
 */
export interface SettingDeclaration<T> {
  /** Long flag without dashes, or null for secrets: a command line is visible to every local user (ps). */
  flag: string | null;
  /** Placeholder shown in --help. */
  valueName: string;
  env: string;
  default: T;
  help: string;
  parse(raw: string): T;
}

export interface ServeSettings {
  port: number;
  host: string;
  config: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  apiToken: string | undefined;
  bodyLimit: number;
  logLevel: LogLevel;
  /** Worker threads that evaluate audits and what-ifs. */
  workers: number;
  /** Evaluations that may wait for a worker; undefined means twice the workers. */
  queueLimit: number | undefined;
  /** Largest report, in UTF-8 JSON bytes, an audit or what-if may produce. */
  reportLimit: number;
  /** Seconds in-flight requests get to finish after SIGTERM/SIGINT. */
  shutdownGrace: number;
  /** Stored audits older than this many days are deleted; undefined keeps them (unless the config file sets it). */
  retentionDays: number | undefined;
  /** Only this many of the newest stored audits are kept; undefined keeps them all (unless the config file sets it). */
  retentionCount: number | undefined;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const MIN_TOKEN_LENGTH = 16;
const MAX_WORKERS = 256;
const MAX_QUEUE_LIMIT = 10_000;
/**
 * The main thread still parses a report once for the store and the store serializes it once,
 * at about 6 ms per MB each on a 2-core machine: 16 MB keeps each of those steps near 100 ms,
 * the longest the event loop may stall. A 5,000-node audit lists 3.5-9 MB at the default
 * maxPairs of 1,000.
 */
export const DEFAULT_REPORT_LIMIT = 16 * 1024 * 1024;

export const SETTINGS: { [K in keyof ServeSettings]: SettingDeclaration<ServeSettings[K]> } = {
  port: { flag: 'port', valueName: 'port', env: 'SGAUDIT_PORT', default: 8080, help: 'TCP port to listen on (0 picks a free one)', parse: parsePort },
  host: {
    flag: 'host',
    valueName: 'address',
    env: 'SGAUDIT_HOST',
    default: '127.0.0.1',
    help: 'address to listen on; 0.0.0.0 to accept connections from other hosts (the container image sets it)',
    parse: nonEmpty,
  },
  config: {
    flag: 'config',
    valueName: 'file',
    env: 'SGAUDIT_CONFIG',
    default: undefined,
    help: 'YAML or JSON configuration file: API tokens and the clusters that can be audited live',
    parse: nonEmpty,
  },
  dataDir: {
    flag: 'data-dir',
    valueName: 'dir',
    env: 'SGAUDIT_DATA_DIR',
    default: './.data',
    help: 'directory of the SQLite database (sgaudit.db), or :memory: to keep nothing; ignored with DATABASE_URL',
    parse: nonEmpty,
  },
  databaseUrl: {
    flag: null,
    valueName: 'url',
    env: 'DATABASE_URL',
    default: undefined,
    help: 'PostgreSQL connection string (postgres://user:password@host:5432/db); when set, audits are stored there instead of SQLite',
    parse: parseDatabaseUrl,
  },
  apiToken: {
    flag: null,
    valueName: 'token',
    env: 'SGAUDIT_API_TOKEN',
    default: undefined,
    help: `one admin API token, for a quick start (at least ${MIN_TOKEN_LENGTH} characters)`,
    parse: parseToken,
  },
  bodyLimit: {
    flag: 'body-limit',
    valueName: 'size',
    env: 'SGAUDIT_BODY_LIMIT',
    default: 20 * 1024 * 1024,
    help: 'largest accepted request body: bytes, or a number with kb/mb/gb (default 20mb)',
    parse: parseSize,
  },
  logLevel: {
    flag: 'log-level',
    valueName: 'level',
    env: 'SGAUDIT_LOG_LEVEL',
    default: 'info',
    help: `log level: ${LOG_LEVELS.join(', ')}`,
    parse: (raw) => {
      if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
      return raw as LogLevel;
    },
  },
  workers: {
    flag: 'workers',
    valueName: 'count',
    env: 'SGAUDIT_WORKERS',
    // One thread per core: evaluation is CPU-bound, so more threads only share the same cores.
    default: availableParallelism(),
    help: `worker threads that evaluate audits and what-ifs, off the event loop (default: the number of cores, ${availableParallelism()} here; at most ${MAX_WORKERS})`,
    parse: (raw) => parseCount(raw, 1, MAX_WORKERS),
  },
  queueLimit: {
    flag: 'queue-limit',
    valueName: 'count',
    env: 'SGAUDIT_QUEUE_LIMIT',
    // Twice the workers: a request that waits behind two rounds of the largest audit (about 1 s
    // each at 5,000 nodes on this hardware) is still answered within about 3 s; a longer queue
    // only adds latency and holds more request bodies in memory, where a 503 with Retry-After
    // lets the client or the load balancer try elsewhere at once.
    default: undefined,
    help: `audits and what-ifs that may wait for a busy worker; one more is answered 503 overloaded with Retry-After at once (default: twice --workers; at most ${MAX_QUEUE_LIMIT})`,
    parse: (raw) => parseCount(raw, 0, MAX_QUEUE_LIMIT),
  },
  reportLimit: {
    flag: 'report-limit',
    valueName: 'size',
    env: 'SGAUDIT_REPORT_LIMIT',
    default: DEFAULT_REPORT_LIMIT,
    help: 'largest audit or what-if report, as JSON: bytes, or a number with kb/mb/gb, at most 128mb (the store\'s own bound); over it the request gets 422 report-too-large naming options.maxPairs (default 16mb)',
    parse: parseReportLimit,
  },
  shutdownGrace: {
    flag: 'shutdown-grace',
    valueName: 'seconds',
    env: 'SGAUDIT_SHUTDOWN_GRACE',
    // 25, not 30: Kubernetes' default terminationGracePeriodSeconds is 30 and it sends SIGKILL
    // then, so the drain must end, and the store close, with time to spare.
    default: 25,
    help: 'after SIGTERM/SIGINT, seconds in-flight requests get to finish before they are aborted',
    parse: (raw) => parseSeconds(raw, 0, MAX_SHUTDOWN_GRACE_SECONDS),
  },
  retentionDays: {
    flag: 'retention-days',
    valueName: 'days',
    env: 'SGAUDIT_RETENTION_DAYS',
    default: undefined,
    help: 'delete stored audits older than this many days (background sweep); unset keeps them; wins over the config file\'s retention.days',
    parse: parsePositiveInteger,
  },
  retentionCount: {
    flag: 'retention-count',
    valueName: 'count',
    env: 'SGAUDIT_RETENTION_COUNT',
    default: undefined,
    help: 'keep only this many of the newest stored audits (background sweep); unset keeps all; wins over the config file\'s retention.count',
    parse: parsePositiveInteger,
  },
};

/** An hour: far past any sane drain, and a typo (25000 for 25) stays visible. */
const MAX_SHUTDOWN_GRACE_SECONDS = 3600;

function parseSeconds(raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || n < min || n > max) throw new Error(`must be a number of seconds from ${min} to ${max}`);
  return n;
}

function parseCount(raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) throw new Error(`must be a whole number from ${min} to ${max}`);
  return n;
}

function parsePositiveInteger(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1) throw new Error('must be a whole number, at least 1');
  return n;
}

/** Resolves every setting from flags (by setting key), then the environment, then defaults; reports all bad values at once. */
export function resolveSettings(flags: Partial<Record<keyof ServeSettings, string>>, env: NodeJS.ProcessEnv): ServeSettings {
  const problems: InputProblem[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, decl] of Object.entries(SETTINGS) as [keyof ServeSettings, SettingDeclaration<unknown>][]) {
    const fromFlag = decl.flag === null ? undefined : flags[key];
    const fromEnv = env[decl.env];
    const [raw, origin] = fromFlag !== undefined ? [fromFlag, `--${decl.flag}`] : fromEnv !== undefined && fromEnv !== '' ? [fromEnv, decl.env] : [undefined, ''];
    if (raw === undefined) {
      out[key] = decl.default;
      continue;
    }
    try {
      out[key] = decl.parse(raw);
    } catch (e) {
      // Secrets are never echoed back, not even in an error.
      const secret = decl.flag === null;
      problems.push({ document: origin, pointer: '', reason: (e as Error).message, ...(secret ? {} : { value: raw }) });
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return out as unknown as ServeSettings;
}

function nonEmpty(raw: string): string {
  if (raw.trim() === '') throw new Error('must not be empty');
  return raw;
}

function parsePort(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n > 65535) throw new Error('must be a port number 0-65535');
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

export function parseSize(raw: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(raw.trim());
  const unit = SIZE_UNITS[(m?.[2] ?? '').toLowerCase()];
  if (!m || unit === undefined) throw new Error('must be a size such as 1048576, 512kb or 20mb');
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 1) throw new Error('must be at least 1 byte');
  return bytes;
}

/** A report the store would refuse must be refused before it is evaluated, with the option to lower. */
function parseReportLimit(raw: string): number {
  const bytes = parseSize(raw);
  if (bytes > MAX_STORED_REPORT_BYTES) throw new Error(`must be at most ${MAX_STORED_REPORT_BYTES} bytes (128mb), the largest report the store keeps`);
  return bytes;
}

function parseDatabaseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('is not a URL; expected postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error(`must be a postgres:// URL, got ${url.protocol}//...`);
  return raw;
}

function parseToken(raw: string): string {
  if (raw.length < MIN_TOKEN_LENGTH) throw new Error(`must be at least ${MIN_TOKEN_LENGTH} characters`);
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(raw)) throw new Error('may contain only letters, digits and -._~+/ (and trailing =), as a bearer token must');
  return raw;
}
