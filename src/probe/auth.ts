/**
 * Control-API authentication: HMAC-SHA256 with a secret shared by every agent and the
 * orchestrator, over the timestamp, method, path and body. A signature is accepted once,
 * and only within MAX_SKEW_MS of the agent's clock, so a captured request cannot be replayed.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AccessError } from '../model/source.js';

export const TIMESTAMP_HEADER = 'x-sgaudit-timestamp';
export const SIGNATURE_HEADER = 'x-sgaudit-signature';
export const SECRET_ENV = 'SGAUDIT_PROBE_SECRET';
export const MAX_SKEW_MS = 30_000;
/** Shorter secrets are refused: they are guessable offline from one captured request. */
export const MIN_SECRET_BYTES = 16;
const SIGNATURE_HEX_LENGTH = 64;

export function sign(secret: Buffer, timestamp: string, method: string, path: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${method.toUpperCase()}\n${path}\n${body}`).digest('hex');
}

export function signedHeaders(secret: Buffer, method: string, path: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(now);
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(secret, timestamp, method, path, body) };
}

export type AuthResult = { ok: true } | { ok: false; reason: string };

export interface VerifierOptions {
  maxSkewMs?: number;
  /** Upper bound on remembered signatures; when full, new requests are refused rather than risking a replay. */
  maxRemembered?: number;
  now?: () => number;
}

export class RequestVerifier {
  private readonly seen = new Map<string, number>();
  private readonly maxSkewMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;

  constructor(
    private readonly secret: Buffer,
    opts: VerifierOptions = {},
  ) {
    this.maxSkewMs = opts.maxSkewMs ?? MAX_SKEW_MS;
    this.maxRemembered = opts.maxRemembered ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  verify(headers: { timestamp: string | undefined; signature: string | undefined }, method: string, path: string, body: string): AuthResult {
    const { timestamp, signature } = headers;
    if (!timestamp || !signature) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER} header` };
    if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: `${TIMESTAMP_HEADER} must be epoch milliseconds` };
    const now = this.now();
    const skew = Math.abs(now - Number(timestamp));
    if (skew > this.maxSkewMs) {
      return { ok: false, reason: `timestamp is ${Math.round(skew / 1000)} s away from the agent's clock (limit ${this.maxSkewMs / 1000} s)` };
    }
    if (!/^[0-9a-f]+$/i.test(signature) || signature.length !== SIGNATURE_HEX_LENGTH) {
      return { ok: false, reason: 'signature must be 64 hex characters' };
    }
    const expected = Buffer.from(sign(this.secret, timestamp, method, path, body), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, reason: 'bad signature' };

    this.forgetExpired(now);
    const key = signature.toLowerCase();
    if (this.seen.has(key)) return { ok: false, reason: 'replayed request (signature already used)' };
    if (this.seen.size >= this.maxRemembered) return { ok: false, reason: 'too many requests in the replay window' };
    // A timestamp up to maxSkew in the future stays valid until now + 2*maxSkew.
    this.seen.set(key, now + 2 * this.maxSkewMs);
    return { ok: true };
  }

  private forgetExpired(now: number): void {
    // Map iteration is insertion order and expiries grow with insertion time (give or take the skew),
    // so stopping at the first live entry keeps this O(expired).
    for (const [sig, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(sig);
    }
  }
}

export type SecretSource = { kind: 'file'; path: string } | { kind: 'env' };

export class SecretError extends AccessError {
  override name = 'SecretError';
}

/**
 * Loads the shared secret from --secret-file, else SGAUDIT_PROBE_SECRET. A trailing newline
 * in a file (as `kubectl create secret --from-file` keeps it) is not part of the secret.
 */
export async function loadSecret(opts: { secretFile?: string; env?: NodeJS.ProcessEnv }): Promise<Buffer> {
  const env = opts.env ?? process.env;
  let text: string | undefined;
  let origin: string;
  if (opts.secretFile) {
    origin = `--secret-file ${opts.secretFile}`;
    try {
      text = await readFile(opts.secretFile, 'utf8');
    } catch (err) {
      throw new SecretError(`cannot read ${origin}: ${(err as Error).message}`);
    }
  } else {
    origin = SECRET_ENV;
    text = env[SECRET_ENV];
  }
  if (text === undefined || text.trim() === '') {
    throw new SecretError(
      `no probe secret: set ${SECRET_ENV} or pass --secret-file (the same secret for every agent and the orchestrator)`,
    );
  }
  const secret = Buffer.from(text.replace(/\r?\n$/, ''), 'utf8');
  if (secret.length < MIN_SECRET_BYTES) {
    throw new SecretError(`the probe secret from ${origin} is ${secret.length} bytes; use at least ${MIN_SECRET_BYTES} (e.g. openssl rand -hex 32)`);
  }
  return secret;
}
