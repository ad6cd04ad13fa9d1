import type { Got } from 'got';
import { describeAuth, type DomainRef, type KeystoneAuth, type OpenstackCloud, type ProjectRef, type UserRef } from './cloud-config.js';
import { CatalogError, parseCatalog, selectEndpoint, type CatalogService } from './catalog.js';
import { classifyHttpFailure, describeHttpFailure, httpStatus } from './http.js';
import { AccessError } from '../../src/model/source.js';

export interface KeystoneToken {
  value: string;
  expiresAt: Date;
  catalog: CatalogService[];
  projectId?: string;
}

/**
 * Why a login failed. `refused`: Keystone answered and said no (credentials, auth_url, catalog,
 * a body that is no token): the configuration must change, so collection stops with the message.
 * `unreachable`: no answer in time, no connection, or a 5xx/429 after every retry: the cloud
 * cannot be read now, but the nodes are known, so the collector marks them unknown instead.
 */
export type KeystoneFailure = 'refused' | 'unreachable';

/** Login or catalog failure: nothing can be collected. */
export class KeystoneError extends AccessError {
  readonly status: number | undefined;
  readonly failure: KeystoneFailure;
  constructor(message: string, status?: number, failure: KeystoneFailure = 'refused', timedOut = false) {
    super(message);
    this.name = 'KeystoneError';
    this.status = status;
    this.failure = failure;
    this.timedOut = timedOut;
  }
}

/** Renew this long before `expires_at`, so a token never expires between check and use. */
export const REFRESH_MARGIN_MS = 120_000;

/**
 * A Keystone v3 login that keeps itself valid: logs in on first use, again shortly before
 * `expires_at`, and once more when a service answers 401 for the current token.
 * Concurrent callers share one login request.
 */
export class KeystoneSession {
  private current: Promise<KeystoneToken> | undefined;
  private loginCount = 0;

  constructor(
    private readonly cloud: OpenstackCloud,
    private readonly http: Got,
    private readonly now: () => number = Date.now,
  ) {}

  /** How many times this session logged in (or validated the given token). */
  get logins(): number {
    return this.loginCount;
  }

  async token(): Promise<KeystoneToken> {
    if (this.current) {
      const token = await this.current.catch(() => undefined);
      if (token && token.expiresAt.getTime() - this.now() > REFRESH_MARGIN_MS) return token;
    }
    this.current = this.login();
    return this.current;
  }

  /** A service rejected `stale`: log in again unless another caller already did. */
  async renew(stale: string): Promise<KeystoneToken> {
    const token = this.current ? await this.current.catch(() => undefined) : undefined;
    if (!token || token.value === stale) this.current = this.login();
    return this.current!;
  }

  /** URL of the service `type` for the cloud's interface and region, from the token's catalog. */
  async endpoint(type: string): Promise<string> {
    const { catalog } = await this.token();
    try {
      return selectEndpoint(catalog, type, this.cloud.interface, this.cloud.regionName);
    } catch (e) {
      if (e instanceof CatalogError) throw new KeystoneError(`cloud ${this.cloud.name}: ${e.message}`);
      throw e;
    }
  }

  private async login(): Promise<KeystoneToken> {
    this.loginCount += 1;
    const auth = this.cloud.auth;
    const url = `${this.cloud.authUrl}/auth/tokens`;
    try {
      // An unscoped existing token is used as it is: validating it returns its catalog and expiry.
      const response =
        auth.method === 'token' && !auth.project
          ? await this.http.get(url, { headers: { 'x-auth-token': auth.token, 'x-subject-token': auth.token } })
          : await this.http.post(url, { json: authRequest(auth) });
      const value = auth.method === 'token' && !auth.project ? auth.token : response.headers['x-subject-token'];
      if (typeof value !== 'string' || value === '') {
        throw new KeystoneError(`Keystone at ${url} answered ${response.statusCode} without an X-Subject-Token header`);
      }
      return parseToken(value, response.body, url);
    } catch (e) {
      if (e instanceof KeystoneError) throw e;
      throw this.loginError(e, url);
    }
  }

  private loginError(error: unknown, url: string): KeystoneError {
    const status = httpStatus(error);
    const failure = classifyHttpFailure(error);
    const unreachable =
      failure !== undefined && (failure.kind !== 'status' || failure.status === 408 || failure.status === 429 || failure.status >= 500);
    const timedOut = failure?.kind === 'timeout' || (failure?.kind === 'stopped' && failure.cause.kind === 'deadline');
    const what = `${describeAuth(this.cloud.auth)} (cloud ${this.cloud.name}, from ${this.cloud.origin})`;
    const hint =
      status === 401
        ? ' — check the password/secret/token and the user, project and domain names'
        : status === 404
          ? ' — check auth_url (it must point at Keystone, e.g. https://host:5000/v3)'
          : '';
    const message = `Keystone login failed at ${url}: ${describeHttpFailure(error)}; ${what}${hint}`;
    return new KeystoneError(message, status, unreachable ? 'unreachable' : 'refused', timedOut);
  }
}

function parseToken(value: string, rawBody: unknown, url: string): KeystoneToken {
  let body: unknown = rawBody;
  if (typeof rawBody === 'string') {
    try {
      body = JSON.parse(rawBody);
    } catch {
      throw new KeystoneError(`Keystone at ${url} returned a token body that is not JSON`);
    }
  }
  const token = (body as { token?: Record<string, unknown> } | undefined)?.token;
  const expiresAt = typeof token?.expires_at === 'string' ? new Date(token.expires_at) : undefined;
  if (!token || !expiresAt || Number.isNaN(expiresAt.getTime())) {
    throw new KeystoneError(`Keystone at ${url} returned a token body without a valid token.expires_at`);
  }
  const project = token.project as { id?: unknown } | undefined;
  return {
    value,
    expiresAt,
    catalog: parseCatalog(token.catalog),
    ...(typeof project?.id === 'string' && { projectId: project.id }),
  };
}

/** The POST /v3/auth/tokens body for each method. */
export function authRequest(auth: KeystoneAuth): unknown {
  switch (auth.method) {
    case 'password':
      return {
        auth: {
          identity: { methods: ['password'], password: { user: { ...userJson(auth.user), password: auth.password } } },
          scope: { project: projectJson(auth.project) },
        },
      };
    case 'application_credential': {
      const credential =
        'id' in auth.credential
          ? { id: auth.credential.id, secret: auth.secret }
          : { name: auth.credential.name, user: userJson(auth.credential.user), secret: auth.secret };
      // no scope: an application credential is bound to its project
      return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
    }
    case 'token':
      return {
        auth: {
          identity: { methods: ['token'], token: { id: auth.token } },
          ...(auth.project && { scope: { project: projectJson(auth.project) } }),
        },
      };
  }
}

function userJson(user: UserRef): Record<string, unknown> {
  return 'id' in user ? { id: user.id } : { name: user.name, domain: domainJson(user.domain) };
}

function projectJson(project: ProjectRef): Record<string, unknown> {
  return 'id' in project ? { id: project.id } : { name: project.name, domain: domainJson(project.domain) };
}

function domainJson(domain: DomainRef): Record<string, unknown> {
  return 'id' in domain ? { id: domain.id } : { name: domain.name };
}
