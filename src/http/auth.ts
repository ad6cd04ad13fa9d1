import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problems.js';

export const SCOPES = ['read', 'audit', 'admin', 'probe'] as const;
export type Scope = (typeof SCOPES)[number];

/** A token as configured: only its SHA-256 digest is kept in memory. */
export interface ConfiguredToken {
  name: string;
  sha256: Buffer;
  scopes: Scope[];
}

/** Who a request authenticated as. `name` is safe to log; the token never is. */
export interface TokenGrant {
  name: string;
  scopes: Scope[];
}

export function sha256(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * Checks presented tokens against the configured digests. Comparing fixed-length digests with
 * timingSafeEqual, and always against every entry, keeps the time independent of how much of
 * a token matched and of which entry matched.
 */
export class TokenVerifier {
  private readonly tokens: ConfiguredToken[];

  constructor(tokens: ConfiguredToken[]) {
    const seen = new Map<string, string>();
    for (const t of tokens) {
      if (t.sha256.length !== 32) throw new Error(`token ${t.name}: a SHA-256 digest has 32 bytes, got ${t.sha256.length}`);
      const hex = t.sha256.toString('hex');
      const other = seen.get(hex);
      if (other !== undefined) throw new Error(`tokens ${other} and ${t.name} are the same token`);
      seen.set(hex, t.name);
    }
    this.tokens = tokens;
  }

  get size(): number {
    return this.tokens.length;
  }

  verify(presented: string): TokenGrant | undefined {
    const digest = sha256(presented);
    let match: ConfiguredToken | undefined;
    for (const t of this.tokens) {
      if (timingSafeEqual(digest, t.sha256)) match = t;
    }
    return match ? { name: match.name, scopes: match.scopes } : undefined;
  }
}

export function hasScope(grant: TokenGrant, scope: string): boolean {
  return grant.scopes.includes('admin') || grant.scopes.includes(scope as Scope);
}

const REALM = 'Bearer realm="sgaudit"';

/** RFC 6750 credentials: `Bearer <token68>`, scheme case-insensitive. */
function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return m?.[1];
}

/** Express middleware: 401 without a valid token, 403 without every scope in `scopes`. */
export function requireScopes(verifier: TokenVerifier, scopes: string[], onGrant: (res: Response, grant: TokenGrant) => void) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization;
    if (header === undefined) {
      throw new HttpProblem('unauthorized', 'this operation needs an Authorization: Bearer <token> header', { headers: { 'WWW-Authenticate': REALM } });
    }
    const token = bearerToken(header);
    const grant = token === undefined ? undefined : verifier.verify(token);
    if (!grant) {
      throw new HttpProblem('unauthorized', token === undefined ? 'the Authorization header is not of the form Bearer <token>' : 'the bearer token is not valid', {
        headers: { 'WWW-Authenticate': `${REALM}, error="invalid_token"` },
      });
    }
    onGrant(res, grant);
    const missing = scopes.filter((s) => !hasScope(grant, s));
    if (missing.length > 0) {
      throw new HttpProblem('forbidden', `token ${grant.name} lacks the scope ${missing.join(', ')} (it has: ${grant.scopes.join(', ') || 'none'})`, {
        headers: { 'WWW-Authenticate': `${REALM}, error="insufficient_scope", scope="${scopes.join(' ')}"` },
      });
    }
    next();
  };
}
