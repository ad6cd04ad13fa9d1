import { createHmac } from 'node:crypto';

/**
 * `X-Sgaudit-Signature` of one delivery attempt: HMAC-SHA256, keyed with the target's secret,
 * over `<unix seconds>.<raw body>`. The timestamp is inside the MAC so a receiver that rejects
 * old timestamps also rejects a captured request replayed later; the body is signed byte for
 * byte as sent, so the receiver must check it before parsing.
 */
export function webhookSignature(secret: Buffer, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body, 'utf8').digest('hex')}`;
}
