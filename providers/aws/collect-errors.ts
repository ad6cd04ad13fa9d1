/**
 * One line naming the operation, the AWS error code and message, and how many attempts
 * the SDK made, e.g. `DescribeSecurityGroups failed: RequestLimitExceeded: Request limit
 * exceeded. (2 attempts)`. This is the reason the report shows on every `unknown` it causes.
 */
export function describeCallFailure(operation: string, error: unknown): string {
  if (!(error instanceof Error)) return `${operation} failed: ${String(error)}`;
  const code = awsErrorCode(error);
  const attempts = (error as { $metadata?: { attempts?: number } }).$metadata?.attempts;
  const tail = attempts !== undefined ? ` (${attempts} attempt${attempts === 1 ? '' : 's'})` : '';
  const message = error.message && error.message !== code ? `: ${error.message}` : '';
  return `${operation} failed: ${code}${message}${tail}`;
}

/** EC2 puts its error code in `name` (and `Code` on some paths); network errors carry `code` (ECONNREFUSED). */
export function awsErrorCode(error: Error): string {
  const withCodes = error as Error & { Code?: unknown; code?: unknown };
  if (typeof withCodes.Code === 'string' && withCodes.Code) return withCodes.Code;
  if (error.name && error.name !== 'Error') return error.name;
  if (typeof withCodes.code === 'string' && withCodes.code) return withCodes.code;
  return 'Error';
}
