import type { Request, RequestHandler, Response } from 'express';
import { HttpProblem, type HttpApp, type RawBodyRequest } from '@odx/runtime';
import type { WebhookProcessor } from './webhook-processor.js';

export const WEBHOOK_PATH = '/v1/webhooks/tms';

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** `POST /v1/webhooks/tms`: raw body in, the processor's outcome out (errors become problem+json). */
export function webhookHandler(processor: WebhookProcessor): RequestHandler {
  return async (req: Request, res: Response) => {
    try {
      const rawBody = (req as unknown as RawBodyRequest).rawBody;
      if (!rawBody) throw new HttpProblem(415, 'Unsupported Media Type', 'webhooks must be sent as application/json');
      const outcome = await processor.process({
        id: header(req.headers['webhook-id']),
        timestamp: header(req.headers['webhook-timestamp']),
        signature: header(req.headers['webhook-signature']),
        rawBody,
      });
      res.status(200).json(outcome);
    } catch (err) {
      const retryAfter = err instanceof HttpProblem ? err.extra['retryAfterSeconds'] : undefined;
      if (typeof retryAfter === 'number') res.setHeader('retry-after', String(retryAfter));
      throw err;
    }
  };
}

/**
 * Mounts `POST /v1/webhooks/tms` on the runtime's API router, whose JSON
 * parser keeps the exact request bytes (`req.rawBody`) that the signature
 * covers; bodies over the runtime's limit get 413, malformed JSON 400.
 */
export function mountWebhookRoute(http: HttpApp, processor: WebhookProcessor): void {
  http.api.post(WEBHOOK_PATH, webhookHandler(processor));
}
