/**
 * The Odoo simulator's HTTP server: XML-RPC, JSON-RPC and JSON-2 as Odoo
 * serves them, plus /sim/admin/* controls.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { adminRouter } from './admin/admin-routes.js';
import { PAGE_502, PAGE_503, noFaults, type FaultState } from './admin/fault-injection.js';
import { SimClock } from './clock.js';
import { allModels } from './models/registry.js';
import { compileOptions, type CompiledOdooSimulatorOptions, type OdooSimulatorOptions } from './options.js';
import { Env } from './orm/env.js';
import { Store } from './orm/store.js';
import { JsonlJournal } from './persistence/journal.js';
import { CODEC_LIMIT_SETTINGS } from './protocol/codec-limits.js';
import { werkzeugPage } from './protocol/http-answers.js';
import { handleJson2 } from './protocol/json2-route.js';
import { handleJsonRpc, handleVersionInfo } from './protocol/jsonrpc-route.js';
import { handleXmlRpc, handleXmlRpcGet } from './protocol/xmlrpc-route.js';
import { ADMIN_UID, OdooService } from './rpc-service.js';
import { seedDatabase } from './seed.js';

export interface OdooSimulator {
  /** Base URL, e.g. http://127.0.0.1:8069 */
  url: string;
  port: number;
  options: CompiledOdooSimulatorOptions;
  store: Store;
  clock: SimClock;
  faults: FaultState;
  service: OdooService;
  /** Back to the seed data (also journaled). */
  reset(): void;
  /** Stops listening and closes the journal; idempotent. */
  close(): Promise<void>;
}

export async function startOdooSimulator(options: OdooSimulatorOptions = {}): Promise<OdooSimulator> {
  const opts = compileOptions(options);
  const store = new Store(allModels());
  const clock = new SimClock(opts.timestampPrecision);
  const faults = noFaults();
  const journal = opts.dataFile ? new JsonlJournal(opts.dataFile) : null;

  const seed = (): void => {
    store.sink = null;
    store.clear();
    store.transaction(() => seedDatabase(new Env(store, ADMIN_UID, { lang: 'en_US', tz: 'UTC' }, clock.nowUs()), opts.seed));
    if (journal) {
      journal.rewrite(store);
      store.sink = journal;
    }
  };
  if (journal && journal.load(store)) {
    journal.rewrite(store);
    store.sink = journal;
  } else seed();

  const service = new OdooService(store, clock, {
    db: opts.db,
    login: opts.login,
    password: opts.password,
    apiKey: opts.apiKey,
    serverVersion: opts.serverVersion,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/sim/admin', adminRouter({ token: opts.adminToken, store, clock, faults, reset: seed }));

  // Faults apply to everything Odoo serves.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const go = (): void => {
      if (faults.downtime === 'close') {
        req.socket.destroy();
        return;
      }
      if (faults.downtime === '503') {
        res.status(503).type('text/html').send(PAGE_503);
        return;
      }
      if (faults.htmlErrors && Math.random() < faults.rate) {
        res.status(502).type('text/html').send(PAGE_502);
        return;
      }
      next();
    };
    if (faults.latencyMs > 0) setTimeout(go, faults.latencyMs);
    else go();
  });

  const raw = express.raw({ type: () => true, limit: opts.maxBodyBytes });
  const { maxXmlRpcDepth, maxJsonDepth } = opts;
  app.post('/xmlrpc/2/:service', raw, handleXmlRpc(service, faults, false, maxXmlRpcDepth));
  app.post('/xmlrpc/:service', raw, handleXmlRpc(service, faults, true, maxXmlRpcDepth));
  app.get(['/xmlrpc/2/:service', '/xmlrpc/:service'], handleXmlRpcGet);
  app.post('/jsonrpc', raw, handleJsonRpc(service, faults, maxJsonDepth));
  app.post('/web/webclient/version_info', raw, handleVersionInfo(service, faults, maxJsonDepth));
  app.all('/json/2/:model/:method', raw, handleJson2(service, faults, maxJsonDepth));
  app.get('/web/health', (_req, res) => void res.json({ status: 'pass' }));
  app.use((_req: Request, res: Response) => {
    res.status(404).type('text/html; charset=utf-8').send(werkzeugPage(404, 'Not Found', 'The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.'));
  });
  // Body parser failures (too large, aborted) and anything unexpected: an HTTP error, never a crash.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string; message?: string };
    if (res.headersSent) return;
    if (e.type === 'entity.too.large' || e.status === 413) {
      const detail = `The data value transmitted exceeds the capacity limit (${opts.maxBodyBytes} bytes; setting ${CODEC_LIMIT_SETTINGS.maxBodyBytes}).`;
      res.status(413).type('text/html; charset=utf-8').send(werkzeugPage(413, 'Request Entity Too Large', detail));
      return;
    }
    const status = e.status && e.status >= 400 && e.status < 600 ? e.status : 500;
    res.status(status).type('text/html; charset=utf-8').send(werkzeugPage(status, status === 400 ? 'Bad Request' : 'Internal Server Error', e.message ?? 'error'));
  });

  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(opts.port, opts.host, () => resolve(s));
    s.once('error', reject);
  });
  server.keepAliveTimeout = 5000;
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }).then(() => journal?.close());
    return closing;
  };

  return { url: `http://${opts.host}:${port}`, port, options: opts, store, clock, faults, service, reset: seed, close };
}
