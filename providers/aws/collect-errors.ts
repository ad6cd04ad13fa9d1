import { timedOutAfter } from '../../src/model/deadline.js';

/**
 * One line naming the operation, the AWS error code and message, and how many attempts
 * the SDK made, e.g. `DescribeSecurityGroups failed: RequestLimitExceeded: Request limit
 * exceeded. (2 attempts)`. This is the reason the report shows on every `unknown` it causes.
 * An attempt that ran out of time reads `TimeoutError: timed out after 20 s (3 attempts)`,
 * the same words every provider uses; `requestTimeoutMs` is the limit to name when the
 * SDK's own message does not carry it.
 */
export function describeCallFailure(operation: string, error: unknown, requestTimeoutMs?: number): string {
  if (!(error instanceof Error)) return `${operation} failed: ${String(error)}`;
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  const tail = attempts !== undefined ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : '';
  if (isAttemptTimeout(error)) {
    const ms = configuredMs(error.message) ?? requestTimeoutMs;
    return `${operation} failed: TimeoutError: ${ms === undefined ? error.message : timedOutAfter(ms)}${tail}`;
  }
  // The SDK's messages can run to several lines of advice for SDK users; the first says what happened.
  const firstLine = (error.message ?? '').split('\n')[0]!.trim();
  if (error.message.includes('Deserialization error')) {
    const status = (error as { $response?: { statusCode?: number } }).$response?.statusCode;
    return `${operation} failed: unreadable answer${status === undefined ? '' : ` (HTTP ${status})`}: ${firstLine}${tail}`;
  }
  const code = awsErrorCode(error);
  const message = firstLine && firstLine !== code ? `: ${firstLine}` : '';
  return `${operation} failed: ${code}${message}${tail}`;
}

/**
 * Node's HTTP handler names a reset or broken connection `TimeoutError` too, so that the SDK
 * retries it; for the reader those are connection failures, not slowness, and keep their code.
 */
const CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNREFUSED']);

function isAttemptTimeout(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return error.name === 'TimeoutError' && !(typeof code === 'string' && CONNECTION_CODES.has(code));
}

/** smithy's timeout messages name the limit ("the configured 1000 ms requestTimeout", "timeout of 1000 ms", "after 1000 ms of inactivity"). */
function configuredMs(message: string): number | undefined {
  const match = /(\d+) ms/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** EC2 puts its error code in `name` (and `Code` on some paths); network errors carry `code` (ECONNREFUSED). */
export function awsErrorCode(error: Error): string {
  const withCodes = error as Error & { Code?: unknown; code?: unknown };
  if (typeof withCodes.Code === 'string' && withCodes.Code) return withCodes.Code;
  if (typeof withCodes.code === 'string' && CONNECTION_CODES.has(withCodes.code)) return withCodes.code;
  if (error.name && error.name !== 'Error') return error.name;
  if (typeof withCodes.code === 'string' && withCodes.code) return withCodes.code;
  return 'Error';
}
