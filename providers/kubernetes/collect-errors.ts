import { AccessError } from '../../src/model/source.js';

/**
 * A Kubernetes API call that cannot be worked around: no credentials, no RBAC, no server.
 * Unlike a missing flannel ConfigMap (which has a documented fallback), these stop the collection
 * with a message that names the exact permission or setting to fix.
 */
export class KubernetesAccessError extends AccessError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'KubernetesAccessError';
  }
}

/** The HTTP status of a client-node ApiException (1.x puts it in `code`), else undefined. */
export function httpStatusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** The API server's Status message, when the body is one (`{"kind":"Status","message":…}`). */
export function statusMessageOf(error: unknown): string | undefined {
  const body = (error as { body?: unknown } | null)?.body;
  const parsed = typeof body === 'string' ? tryJson(body) : body;
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' && message !== '' ? message : undefined;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One line for a failed call: status and server message, or the transport error (ECONNREFUSED…). */
export function describeKubernetesFailure(what: string, error: unknown): string {
  const status = httpStatusOf(error);
  if (status !== undefined) return `${what}: HTTP ${status}${withMessage(statusMessageOf(error))}`;
  const err = error as { message?: unknown; code?: unknown; cause?: { code?: unknown; message?: unknown } };
  const code = typeof err.code === 'string' ? err.code : typeof err.cause?.code === 'string' ? err.cause.code : undefined;
  const message = typeof err.message === 'string' ? err.message : String(error);
  return `${what}: ${code ? `${code}: ` : ''}${message}`;
}

function withMessage(message: string | undefined): string {
  return message ? ` (${message})` : '';
}
