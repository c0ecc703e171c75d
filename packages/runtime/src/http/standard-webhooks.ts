import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { HttpApp, RawBodyRequest } from './http-app.js';
import { HttpProblem } from './problem.js';

export type SignatureCheck =
  { ok: true } | { ok: false; reason: 'missing_header' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

/** The HMAC key of a Standard Webhooks secret: the base64 part of `whsec_...`, else the UTF-8 bytes. */
export function webhookKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8');
}

/**
 * Verifies a Standard Webhooks delivery (https://www.standardwebhooks.com/):
 * `webhook-signature` holds space-separated `v1,<base64 HMAC-SHA256>` over
 * `{id}.{timestamp}.{raw body}`; the timestamp must be within `toleranceSeconds`
 * of now, which bounds how long a captured delivery can be replayed. Constant-time.
 */
export function verifyStandardWebhook(
  key: Buffer,
  headers: { id: string | undefined; timestamp: string | undefined; signature: string | undefined },
  rawBody: Buffer,
  toleranceSeconds: number,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing_header' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'invalid_timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  for (const candidate of signature.split(' ')) {
    const [version, b64] = candidate.split(',', 2);
    if (version !== 'v1' || !b64) continue;
    const given = Buffer.from(b64, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no_matching_signature' };
}

/** The parts of a Standard Webhooks delivery a receiver verifies: headers and the exact body bytes. */
export interface StandardWebhookDelivery {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
}

function firstHeader(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Mounts `POST <path>` for Standard Webhooks on the runtime's `ownCredentials`
 * router (the signature is the credential; `handle` verifies it), with the
 * runtime's JSON parser, which keeps the exact request bytes (`req.rawBody`)
 * that the signature covers (bodies over the limit get 413, malformed JSON 400).
 * `handle` answers 200 with its outcome; an HttpProblem with `retryAfterSeconds`
 * sets Retry-After.
 */
export function mountStandardWebhook(http: HttpApp, path: string, handle: (delivery: StandardWebhookDelivery) => Promise<unknown>): void {
  const count = (outcome: 'accepted' | 'rejected' | 'failed'): void => http.metrics.webhookDeliveries.inc({ route: path, outcome });
  http.ownCredentials.post(path, http.jsonBody, async (req: Request, res: Response) => {
    try {
      const rawBody = (req as unknown as RawBodyRequest).rawBody;
      if (!rawBody) throw new HttpProblem(415, 'Unsupported Media Type', 'webhooks must be sent as application/json');
      const outcome = await handle({
        id: firstHeader(req.headers['webhook-id']),
        timestamp: firstHeader(req.headers['webhook-timestamp']),
        signature: firstHeader(req.headers['webhook-signature']),
        rawBody,
      });
      res.status(200).json(outcome);
      count('accepted');
    } catch (err) {
      const status = err instanceof HttpProblem ? err.status : 500;
      count(status >= 400 && status < 500 && status !== 408 && status !== 429 ? 'rejected' : 'failed');
      const retryAfter = err instanceof HttpProblem ? err.extra['retryAfterSeconds'] : undefined;
      if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
      throw err;
    }
  });
}
