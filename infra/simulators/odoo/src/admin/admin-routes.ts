/**
 * /sim/admin/*: simulator controls for ODX's tests (not part of Odoo's API).
 * Every call needs `Authorization: Bearer <adminToken>`.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { parseDatetime, type SimClock } from '../clock.js';
import type { Store } from '../orm/store.js';
import type { FaultState } from './fault-injection.js';
import { noFaults } from './fault-injection.js';

export interface AdminDeps {
  token: string;
  store: Store;
  clock: SimClock;
  faults: FaultState;
  reset(): void;
}

const FaultsBody = z
  .object({
    downtime: z.union([z.literal(false), z.literal('503'), z.literal('close')]),
    latencyMs: z.number().int().min(0).max(600_000),
    htmlErrors: z.boolean(),
    truncatedJson: z.boolean(),
    rate: z.number().min(0).max(1),
  })
  .partial()
  .strict();
const FreezeBody = z.object({ at: z.string().optional() }).strict();
const AdvanceBody = z.object({ seconds: z.number() }).strict();
const DowntimeBody = z.object({ on: z.boolean(), mode: z.enum(['503', 'close']).optional() }).strict();
const LateCommitBody = z.object({ model: z.string(), ids: z.array(z.number().int()).min(1), seconds: z.number().positive() }).strict();

function problem(res: Response, status: number, title: string, detail: string): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title, status, detail }));
}

function parse<T>(schema: z.ZodType<T>, req: Request, res: Response): T | null {
  const r = schema.safeParse(req.body ?? {});
  if (r.success) return r.data;
  problem(res, 400, 'Invalid body', r.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
  return null;
}

export function adminRouter(deps: AdminDeps): Router {
  const r = express.Router();
  r.use((req: Request, res: Response, next: NextFunction) => {
    if (req.headers.authorization !== `Bearer ${deps.token}`) return problem(res, 401, 'Unauthorized', 'Authorization: Bearer <admin token> required');
    next();
  });
  r.use(express.json({ limit: '1mb' }));

  const state = () => ({ clock: deps.clock.state(), faults: deps.faults, counts: deps.store.counts() });
  r.get('/state', (_req, res) => void res.json(state()));
  r.post('/reset', (_req, res) => {
    deps.reset();
    res.json(state());
  });
  r.get('/clock', (_req, res) => void res.json(deps.clock.state()));
  r.post('/clock/freeze', (req, res) => {
    const body = parse(FreezeBody, req, res);
    if (!body) return;
    let at: number | undefined;
    if (body.at !== undefined) {
      const us = parseDatetime(body.at);
      if (us === null) return problem(res, 400, 'Invalid body', "at: expected 'YYYY-MM-DD HH:MM:SS'");
      at = us;
    }
    deps.clock.freeze(at);
    res.json(deps.clock.state());
  });
  r.post('/clock/unfreeze', (_req, res) => {
    deps.clock.unfreeze();
    res.json(deps.clock.state());
  });
  r.post('/clock/advance', (req, res) => {
    const body = parse(AdvanceBody, req, res);
    if (!body) return;
    deps.clock.advance(body.seconds);
    res.json(deps.clock.state());
  });
  r.get('/faults', (_req, res) => void res.json(deps.faults));
  r.post('/faults', (req, res) => {
    const body = parse(FaultsBody, req, res);
    if (!body) return;
    Object.assign(deps.faults, body);
    res.json(deps.faults);
  });
  r.delete('/faults', (_req, res) => {
    Object.assign(deps.faults, noFaults());
    res.json(deps.faults);
  });
  r.post('/downtime', (req, res) => {
    const body = parse(DowntimeBody, req, res);
    if (!body) return;
    deps.faults.downtime = body.on ? (body.mode ?? '503') : false;
    res.json(deps.faults);
  });
  /** Moves records' write_date back, as if their transaction committed late. */
  r.post('/late-commit', (req, res) => {
    const body = parse(LateCommitBody, req, res);
    if (!body) return;
    if (!deps.store.model(body.model)) return problem(res, 404, 'Unknown model', body.model);
    const missing = body.ids.filter((id) => !deps.store.get(body.model, id));
    if (missing.length) return problem(res, 404, 'Unknown records', `${body.model}: ${missing.join(', ')}`);
    deps.store.transaction(() => {
      for (const id of body.ids) {
        const rec = deps.store.get(body.model, id)!;
        deps.store.put(body.model, id, { ...rec, write_date: Number(rec.write_date) - Math.round(body.seconds * 1e6) });
      }
    });
    res.json({ model: body.model, ids: body.ids, seconds: body.seconds });
  });
  return r;
}
