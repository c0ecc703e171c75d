import type { Request, RequestHandler, Response } from 'express';
import { HttpProblem, type HttpApp } from '@odx/runtime';
import type { WebhookProcessor } from './webhook-processor.js';

export const WEBHOOK_PATH = '/v1/webhooks/wms';

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The request body as sent, up to `limitBytes` (413 beyond, and the connection is closed rather than drained). */
function readRawBody(req: Request, res: Response, limitBytes: number): Promise<Buffer> {
  const tooLarge = (): HttpProblem => {
    res.setHeader('connection', 'close');
    return new HttpProblem(413, 'Payload Too Large', `webhook bodies are limited to ${limitBytes} bytes`);
  };
  if (Number(req.headers['content-length'] ?? 0) > limitBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        req.removeAllListeners('data');
        req.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** `POST /v1/webhooks/wms`: raw body in, the processor's outcome out (errors become problem+json). */
export function webhookHandler(processor: WebhookProcessor, limitBytes: number): RequestHandler {
  return async (req: Request, res: Response) => {
    try {
      const rawBody = await readRawBody(req, res, limitBytes);
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
 * Mounts the webhook route so it reads the raw request bytes, which the
 * signature covers. The runtime's `api` router parses every JSON body and is
 * mounted when the runtime is built, so a route added after it would only see
 * the parsed object (re-serialising it is not byte-exact); this moves the new
 * route's layer in front of the `api` router instead. Throws when the app does
 * not look as expected, so a runtime change cannot silently break signature
 * checks. (Runtime feature asked for: `express.json({ verify })` keeping
 * `req.rawBody`, or a hook for raw-body routes.)
 */
export function mountWebhookRoute(http: HttpApp, processor: WebhookProcessor, limitBytes = 1024 * 1024): void {
  http.app.post(WEBHOOK_PATH, webhookHandler(processor, limitBytes));
  // express 5: app.router is the `router` package's Router; its stack holds one Layer per use()/route().
  const stack = (http.app as unknown as { router?: { stack?: Array<{ handle?: unknown; route?: { path?: unknown } }> } }).router?.stack;
  if (!Array.isArray(stack)) throw new Error('cannot mount the WMS webhook route: express app has no router stack');
  const mine = stack.findIndex((l) => l.route?.path === WEBHOOK_PATH);
  const api = stack.findIndex((l) => l.handle === http.api);
  if (mine === -1 || api === -1) throw new Error('cannot mount the WMS webhook route: route or api router layer not found');
  if (mine > api) stack.splice(api, 0, stack.splice(mine, 1)[0]!);
}
