import type { IncomingMessage, Server } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Router } from 'express';
import type { Logger } from '../logging/logger.js';
import type { RuntimeMetrics } from '../telemetry/metrics.js';
import { SpanKind, extractTraceContext, withSpan } from '../telemetry/tracing.js';
import { MAX_JSON_DEPTH, jsonDepthVerifier } from './json-depth.js';
import { HttpProblem, PROBLEM_CONTENT_TYPE } from './problem.js';
import { runReadiness, type ReadinessCheck, type ReadinessReport } from './readiness.js';

/** A request whose JSON body was parsed by the runtime: `rawBody` holds the bytes as received. */
export interface RawBodyRequest extends IncomingMessage {
  rawBody?: Buffer;
}

export interface HttpAppOptions {
  logger: Logger;
  metrics: RuntimeMetrics;
  readiness: ReadinessCheck[];
  /**
   * Run before every route of `api` (not health, metrics or `ownCredentials`), in order: authentication, then what
   * needs the principal (rate limit, audit).
   */
  authenticate?: RequestHandler | readonly RequestHandler[];
  /** Largest accepted request body. @default '1mb' */
  bodyLimit?: string;
  /** Deepest nesting of objects and arrays accepted in a JSON body (deeper: 400 before it is parsed). @default 64 */
  maxJsonDepth?: number;
  /** The service's name, shown by /healthz with the Node version it runs on. */
  service?: string;
}

export interface HttpApp {
  app: Express;
  /** Authenticated routes: add the service's endpoints here, each with `requireRole(...)`. */
  api: Router;
  /**
   * Routes whose callers prove who they are with credentials of their own (Standard Webhooks signatures, an EDI
   * partner's token), checked by the route itself; the runtime's principal authentication does not run here. Bodies
   * are not parsed here: a route adds `jsonBody` after its own check. Every route here must be listed as such in
   * tests/unit/route-auth.test.ts.
   */
  ownCredentials: Router;
  /** The runtime's JSON body parser (limit, depth cap, `req.rawBody`), for `ownCredentials` routes. */
  jsonBody: RequestHandler;
  /**
   * Runs before any body is read, for routes that check their own credentials (a per-partner token):
   * a handler here that calls next() passes the request on to `api`.
   */
  beforeBody: Router;
  /** The metrics /metrics serves; routes add their samples here. */
  metrics: RuntimeMetrics;
  /** Adds a dependency /readyz checks (e.g. an external system the service polls). */
  addReadinessCheck(check: ReadinessCheck): void;
  listen(port: number, host: string): Promise<Server>;
  close(): Promise<void>;
}

/**
 * An express app with /healthz (alive), /readyz (dependencies reachable),
 * /metrics (Prometheus), body limits, a span and a latency sample per request,
 * and problem+json for every error. Call `finish()` semantics are built in:
 * the 404 and error handlers are added when `listen` is called.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const { logger, metrics } = options;

  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // Route patterns, never raw paths, so the label set stays bounded.
      const route = (req.route as { path?: string } | undefined)?.path;
      metrics.httpRequestSeconds.observe(
        { method: req.method, route: route === undefined ? 'unmatched' : `${req.baseUrl}${route}`, status: String(res.statusCode) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    });
    const parent = extractTraceContext(req.headers as Record<string, string>);
    void withSpan(
      `HTTP ${req.method}`,
      { kind: SpanKind.SERVER, parent, attributes: { 'http.request.method': req.method, 'url.path': req.path } },
      (span) =>
        new Promise<void>((resolve) => {
          res.on('close', () => {
            span.setAttribute('http.response.status_code', res.statusCode);
            resolve();
          });
          next();
        }),
    );
  });

  const startedAt = new Date().toISOString();
  app.get('/healthz', (_req, res) => {
    // What runs here: an operator checks a rollout (the Node version of the image included) without a shell.
    res.json({ status: 'ok', service: options.service ?? null, node: process.version, pid: process.pid, startedAt });
  });
  const readiness = [...options.readiness];
  /** Runs the checks and keeps their outcome in `odx_readiness_check_ok`, so alerts see a lost broker or store. */
  const checkReadiness = async (): Promise<ReadinessReport> => {
    const report = await runReadiness(readiness);
    for (const [check, r] of Object.entries(report.checks)) metrics.readinessCheck.set({ check }, r.ok ? 1 : 0);
    return report;
  };
  app.get('/readyz', async (_req, res) => {
    const report = await checkReadiness();
    res.status(report.ready ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    // Each scrape checks the dependencies afresh (each check is bounded: 2 s).
    await checkReadiness();
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  const beforeBody = express.Router();
  app.use(beforeBody);
  // The exact bytes stay available as `req.rawBody`: signed webhooks are verified over them. A body nested deeper than
  // the cap is refused before JSON.parse (what walks the parsed value recurses).
  const rejectDeep = jsonDepthVerifier(options.maxJsonDepth ?? MAX_JSON_DEPTH);
  const jsonBody = express.json({
    limit: options.bodyLimit ?? '1mb',
    verify: (req, res, buf, encoding) => {
      rejectDeep(req, res, buf, encoding);
      (req as RawBodyRequest).rawBody = Buffer.from(buf);
    },
  });
  const ownCredentials = express.Router();
  app.use(ownCredentials);
  const api = express.Router();
  // The caller is authenticated before any body is read: an anonymous client cannot make the service buffer and parse 1 MB.
  const auth = options.authenticate;
  if (auth) api.use(...(typeof auth === 'function' ? [auth] : auth));
  api.use(jsonBody);
  app.use(api);

  let server: Server | undefined;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    app.use((req, _res, next) => next(new HttpProblem(404, 'Not Found', `no route for ${req.method} ${req.path}`)));
    const onError: ErrorRequestHandler = (err: unknown, req, res, _next) => {
      const problem = toProblem(err);
      if (problem.status >= 500) logger.error('request failed', { method: req.method, path: req.path, err });
      res
        .status(problem.status)
        .type(PROBLEM_CONTENT_TYPE)
        .send(JSON.stringify(problem.toJSON(req.originalUrl)));
    };
    app.use(onError);
  };

  return {
    app,
    api,
    beforeBody,
    ownCredentials,
    jsonBody,
    metrics,
    addReadinessCheck: (check) => void readiness.push(check),
    listen: (port, host) => {
      finish();
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, (err?: Error) => {
          if (err) reject(err);
          else resolve(s);
        });
        server = s;
        s.on('error', reject);
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Maps anything thrown in a route to a problem. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const e = err as {
    type?: string;
    status?: number;
    name?: string;
    issues?: Array<{ path: PropertyKey[]; message: string }>;
    message?: string;
  };
  if (e.type === 'entity.too.large') return new HttpProblem(413, 'Payload Too Large', e.message);
  if (e.type === 'entity.too.deep') return new HttpProblem(400, 'Bad Request', e.message);
  if (e.type === 'entity.parse.failed') return new HttpProblem(400, 'Bad Request', `malformed JSON body: ${e.message ?? ''}`);
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported')
    return new HttpProblem(415, 'Unsupported Media Type', e.message);
  if (e.name === 'ZodError' && Array.isArray(e.issues)) {
    return new HttpProblem(400, 'Bad Request', 'request failed validation', {
      errors: e.issues.map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })),
    });
  }
  // http-errors style errors marked safe to show (body-parser's, express's own).
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && (err as { expose?: unknown }).expose === true) {
    return new HttpProblem(e.status, 'Bad Request', e.message);
  }
  return new HttpProblem(500, 'Internal Server Error', 'unexpected error; see the service log');
}
