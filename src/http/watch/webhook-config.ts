import { RedactedSecret } from '../redacted-secret.js';
import type { ChangeKind } from '../../model/run-changes.js';
import type { InputProblem } from '../../model/source.js';

/** A signing secret shorter than this is refused at start: HMAC keys must not be guessable. */
export const MIN_WEBHOOK_SECRET_BYTES = 16;

export const WEBHOOK_FORMATS = ['json', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const CHANGE_KINDS = ['blocked', 'resolved', 'changed'] as const satisfies readonly ChangeKind[];

/** A webhook's signing secret; prints as `[webhook secret]`, like the probe secret. */
export class WebhookSecret extends RedactedSecret {
  constructor(bytes: Buffer) {
    super(bytes, 'webhook secret');
  }
}

/**
 * One notification target of the configuration file. Only the file names targets: a REST
 * caller can never add a URL, so the service cannot be made to POST to an address of the
 * caller's choice.
 */
export interface WebhookTarget {
  name: string;
  url: string;
  /** The variable the secret came from, for messages; never the secret itself. */
  secretEnv: string;
  secret: WebhookSecret;
  format: WebhookFormat;
  /** Absent: every cluster. */
  clusters?: string[];
  /** Absent: every kind of change. */
  events?: ChangeKind[];
}

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$';

/** The `webhooks` key of the configuration file's schema. */
export const WEBHOOKS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'url', 'secretEnv'],
    properties: {
      name: { type: 'string', pattern: NAME, description: 'names the target in logs, metrics and status' },
      url: { type: 'string', minLength: 1, maxLength: 2048, description: 'http:// or https:// address the notifications are POSTed to' },
      secretEnv: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: `environment variable holding the HMAC-SHA256 signing secret (at least ${MIN_WEBHOOK_SECRET_BYTES} bytes)` },
      format: { enum: [...WEBHOOK_FORMATS], description: 'json (default): the sgaudit payload; slack: a Slack incoming-webhook body' },
      clusters: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: NAME }, description: 'only these clusters; default all' },
      events: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...CHANGE_KINDS] }, description: 'only these kinds of change; default all' },
    },
  },
} as const;

export interface RawWebhook {
  name: string;
  url: string;
  secretEnv: string;
  format?: WebhookFormat;
  clusters?: string[];
  events?: ChangeKind[];
}

/**
 * Webhook URLs often carry a token in their path (Slack's do), so a message shows only the
 * scheme and host of one, never the whole address.
 */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' && url.search === '' ? '' : '/…'}`;
}

/**
 * The file's `webhooks` list, checked and with each secret read from the environment.
 * Problems name the file, the pointer and the reason; a secret or a whole URL is never echoed.
 */
export function parseWebhooks(raw: RawWebhook[], env: NodeJS.ProcessEnv, path: string, clusterNames: ReadonlySet<string>): { targets: WebhookTarget[]; problems: InputProblem[] } {
  const problems: InputProblem[] = [];
  const targets: WebhookTarget[] = [];
  const names = new Set<string>();
  raw.forEach((w, i) => {
    const at = `/webhooks/${i}`;
    const before = problems.length;
    if (names.has(w.name)) problems.push({ document: path, pointer: `${at}/name`, value: w.name, reason: 'another webhook has this name' });
    names.add(w.name);
    urlProblem(w.url, path, `${at}/url`, problems);
    w.clusters?.forEach((c, j) => {
      if (!clusterNames.has(c)) problems.push({ document: path, pointer: `${at}/clusters/${j}`, value: c, reason: 'no cluster of this name is configured under clusters' });
    });
    const text = env[w.secretEnv];
    const secretAt = { document: path, pointer: `${at}/secretEnv`, value: w.secretEnv };
    let secret: Buffer | undefined;
    if (text === undefined || text.trim() === '') {
      problems.push({ ...secretAt, reason: 'the environment variable is not set (it must hold the webhook signing secret)' });
    } else {
      // A trailing newline (kubectl create secret --from-file) is not part of the secret, as for probe secrets.
      secret = Buffer.from(text.replace(/\r?\n$/, ''), 'utf8');
      if (secret.length < MIN_WEBHOOK_SECRET_BYTES) {
        problems.push({ ...secretAt, reason: `the secret in it is ${secret.length} bytes; use at least ${MIN_WEBHOOK_SECRET_BYTES} (e.g. openssl rand -hex 32)` });
      }
    }
    if (problems.length > before || secret === undefined) return;
    targets.push({
      name: w.name,
      url: w.url,
      secretEnv: w.secretEnv,
      secret: new WebhookSecret(secret),
      format: w.format ?? 'json',
      ...(w.clusters ? { clusters: [...w.clusters] } : {}),
      ...(w.events ? { events: [...w.events] } : {}),
    });
  });
  return { targets, problems };
}

function urlProblem(text: string, path: string, pointer: string, problems: InputProblem[]): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.push({ document: path, pointer, reason: 'is not an absolute URL such as https://hooks.example.com/sgaudit (the value is not shown: webhook URLs often carry a token)' });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    problems.push({ document: path, pointer, value: url.protocol, reason: 'must be an http:// or https:// URL' });
  } else if (url.username !== '' || url.password !== '') {
    // fetch refuses such URLs, and the credentials would show wherever the URL does; the HMAC signature authenticates the sender instead.
    problems.push({ document: path, pointer, value: shownUrl(url), reason: 'must not contain a user name or password; the receiver checks the X-Sgaudit-Signature header instead' });
  } else if (url.hash !== '') {
    problems.push({ document: path, pointer, value: shownUrl(url), reason: 'must not contain a #fragment; it is never sent to the receiver' });
  }
}
