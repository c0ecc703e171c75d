// The sending side of Standard Webhooks (https://www.standardwebhooks.com/). The
// runtime has the verifier (webhookKey, verifyStandardWebhook); the key decoding is
// shared with it, so a secret means the same bytes on both sides.
import { createHmac, randomBytes } from 'node:crypto';
import { webhookKey } from '@odx/runtime';

/** A new `whsec_` secret: 32 random bytes, base64 (what Standard Webhooks libraries generate). */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per key, space-separated. */
export function signatureHeader(keys: readonly Buffer[], id: string, timestampSeconds: number, body: string | Buffer): string {
  return keys.map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64')}`).join(' ');
}

/** The three Standard Webhooks headers for one attempt. */
export function signedHeaders(
  secrets: readonly string[],
  id: string,
  body: string | Buffer,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(nowSeconds),
    'webhook-signature': signatureHeader(secrets.map(webhookKey), id, nowSeconds, body),
  };
}
