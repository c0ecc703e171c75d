import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_JSON_DEPTH, jsonDepthVerifier } from '@odx/runtime/http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import { requireBearer } from './admin-auth.js';
import { adminRouter } from './admin-routes.js';
import { injectLostResponses, injectMalformedResponses, injectRejections, injectTransportFaults } from './fault-middleware.js';
import type { FaultController } from './faults.js';
import { ZodError } from 'zod';
import { ApiError, problem, sendProblem, validationProblem } from './problem.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

export interface SimulatorAppOptions {
  /** `wms`, `tms`: shown by `/sim/health`. */
  name: string;
  adminToken: string;
  faults: FaultController;
  webhooks: WebhookDispatcher;
  /** The simulated product API, mounted at `/v1`. */
  api: Router;
  /** Simulator-specific admin routes, mounted under `/sim/admin` after the shared ones. */
  admin: Router;
  /** Clears the simulator's own state on `POST /sim/admin/reset`. */
  onReset: () => void;
  /** @default '1mb' */
  bodyLimit?: string;
  /**
   * Objects/arrays within each other in a JSON body; deeper is a 400 `json_too_deep` naming the cap and its setting
   * `<NAME>_SIM_MAX_JSON_DEPTH`, before the body is parsed. @default 64
   */
  maxJsonDepth?: number;
}

/** The environment variable of a simulator's JSON depth cap (`WMS_SIM_MAX_JSON_DEPTH`, `TMS_SIM_MAX_JSON_DEPTH`). */
export function jsonDepthSetting(name: string): string {
  return `${name.toUpperCase()}_SIM_MAX_JSON_DEPTH`;
}

/** A body-carrying request must say it is JSON. */
const requireJsonBody: RequestHandler = (req, res, next) => {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json') && !req.is('application/*+json')) {
    sendProblem(res, problem(415, 'unsupported_media_type', 'Send the body as application/json'));
    return;
  }
  next();
};

const handleErrors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err instanceof ApiError) {
    sendProblem(res, err.problem, err.headers);
    return;
  }
  if (err instanceof ZodError) {
    sendProblem(res, validationProblem(err));
    return;
  }
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  switch (type) {
    case 'entity.parse.failed':
      sendProblem(res, problem(400, 'malformed_json', 'The body is not valid JSON (a JSON object or array is expected)'));
      return;
    case 'entity.too.deep':
      sendProblem(res, problem(400, 'json_too_deep', err instanceof Error ? err.message : 'The JSON body is nested too deeply'));
      return;
    case 'entity.too.large':
      sendProblem(res, problem(413, 'payload_too_large', 'The body is larger than the simulator accepts'));
      return;
    case 'encoding.unsupported':
    case 'charset.unsupported':
      sendProblem(res, problem(415, 'unsupported_media_type', 'Unsupported body encoding or charset'));
      return;
    case 'request.aborted':
      return;
    default: {
      const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        sendProblem(res, problem(status, 'bad_request', err instanceof Error ? err.message : 'Bad request'));
        return;
      }
      process.stderr.write(`simulator: unhandled error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      sendProblem(res, problem(500, 'internal_error', 'The simulator failed to handle the request'));
    }
  }
};

/**
 * The common shape of every ODX simulator: `/v1` behind fault injection,
 * `/sim/admin` behind a bearer token, `/sim/health` open, problem+json errors.
 */
export function createSimulatorApp(options: SimulatorAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  const json = express.json({
    limit: options.bodyLimit ?? '1mb',
    strict: true,
    type: ['application/json', 'application/*+json'],
    // Refused before JSON.parse, in one pass over the bytes: the validation that walks a parsed body recurses.
    verify: jsonDepthVerifier(options.maxJsonDepth ?? MAX_JSON_DEPTH, jsonDepthSetting(options.name)),
  });

  app.get('/sim/health', (_req, res) => {
    res.json({ status: 'ok', simulator: options.name });
  });
  app.use(
    '/sim/admin',
    requireBearer(options.adminToken),
    requireJsonBody,
    json,
    adminRouter({ faults: options.faults, webhooks: options.webhooks, onReset: options.onReset }),
    options.admin,
  );
  app.use(
    '/v1',
    injectTransportFaults(options.faults),
    requireJsonBody,
    json,
    injectRejections(options.faults),
    injectLostResponses(options.faults),
    injectMalformedResponses(options.faults),
    options.api,
  );
  app.use((req, res) => {
    sendProblem(res, problem(404, 'not_found', `No route for ${req.method} ${req.path}`));
  });
  app.use(handleErrors);
  return app;
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  /** Stops listening and drops open connections (including held "hang" requests). Idempotent. */
  close(): Promise<void>;
}

/** Listens on `host:port` (0 picks a free port). */
export async function listen(app: Express, host: string, port: number): Promise<RunningServer> {
  const server = createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: address.port,
    url: `http://${hostForUrl}:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
