// The exception desk's API. Viewers read, operators act (the runtime's JWT
// roles, as replay-dlq's); every input is validated with zod (the runtime
// answers a ZodError as a 400 problem naming the fields), and the desk's
// refusals become problems here, nowhere else.
import { HttpProblem, OdxError, principalOf, requireRole } from '@odx/runtime';
import type { ErrorRequestHandler, Router } from 'express';
import { z } from 'zod';
import type { CaseDesk } from '../cases/case-desk.js';
import { CaseBusy, CaseNotFound, CaseTransitionRefused } from '../cases/case-errors.js';
import { CASE_STATUSES, RESOLUTIONS, type CaseRecord, type Transition } from '../cases/case-model.js';

/** Every case endpoint with the role it needs (the tests walk this table for 401 and 403). */
export const CASE_ENDPOINTS = [
  { method: 'GET', path: '/v1/cases', role: 'viewer' },
  { method: 'GET', path: '/v1/cases/:id', role: 'viewer' },
  { method: 'POST', path: '/v1/cases/:id/assign', role: 'operator' },
  { method: 'POST', path: '/v1/cases/:id/ack', role: 'operator' },
  { method: 'POST', path: '/v1/cases/:id/retry', role: 'operator' },
  { method: 'POST', path: '/v1/cases/:id/resolve', role: 'operator' },
  { method: 'POST', path: '/v1/cases/:id/escalate', role: 'operator' },
] as const;

// Case ids are deterministic UUIDs (version 8 layout).
const caseId = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a case id (UUID)');
const id = z.string().regex(/^[\x21-\x7e]{1,200}$/, '1-200 visible ASCII characters');
const note = z.string().trim().min(1).max(1_000).optional();

const listQuery = z.strictObject({
  status: z.enum([...CASE_STATUSES, 'unresolved']).optional(),
  owner: id.optional(),
  order: id.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});
const showQuery = z.strictObject({ history: z.coerce.number().int().min(0).max(1_000).default(100) });
const ownerBody = z.strictObject({
  kind: z.enum(['team', 'person']),
  id: z.string().regex(/^[A-Za-z0-9._@-]{1,100}$/, 'a team or user id: 1-100 of [A-Za-z0-9._@-]'),
  name: z.string().trim().min(1).max(200).nullable().default(null),
});
const assignBody = z.strictObject({ owner: ownerBody, note });
const noteBody = z.strictObject({ note });
const resolveBody = z.strictObject({
  resolution: z.enum(RESOLUTIONS.filter((r) => r !== 'process-moved-on')),
  note,
});

/** A case as the API shows it (the dedupe keys are the desk's bookkeeping). */
function view(r: CaseRecord): Omit<CaseRecord, 'keys'> {
  const { keys, ...rest } = r;
  void keys;
  return rest;
}

function answer(t: Transition): { case: Omit<CaseRecord, 'keys'>; changed: boolean; note?: string } {
  return t.changed ? { case: view(t.record), changed: true } : { case: view(t.record), changed: false, note: t.why };
}

/** The HTTP problem for a desk error; anything else is passed on (the runtime's handler maps it). */
export function caseProblemFor(err: unknown): unknown {
  if (err instanceof CaseNotFound) return new HttpProblem(404, 'Not Found', err.message);
  if (err instanceof CaseTransitionRefused)
    return new HttpProblem(409, 'Conflict', err.message, { status: err.status, action: err.action });
  if (err instanceof CaseBusy) return new HttpProblem(409, 'Conflict', err.message);
  if (err instanceof OdxError && err.kind === 'transient')
    return new HttpProblem(503, 'Service Unavailable', `the process could not be reached: ${err.message}`);
  return err;
}

const caseErrorsAsProblems: ErrorRequestHandler = (err: unknown, _req, _res, next) => next(caseProblemFor(err));

/** Mounts the case API on the runtime's authenticated router. */
export function mountCaseRoutes(api: Router, desk: CaseDesk): void {
  const viewer = requireRole('viewer');
  const operator = requireRole('operator');

  api.get('/v1/cases', viewer, async (req, res) => {
    const q = listQuery.parse(req.query);
    const cases = await desk.list({
      limit: q.limit,
      ...(q.status ? { status: q.status } : {}),
      ...(q.owner ? { ownerId: q.owner } : {}),
      ...(q.order ? { orderId: q.order } : {}),
    });
    res.json({ cases: cases.map(view), count: cases.length });
  });

  api.get('/v1/cases/:id', viewer, async (req, res) => {
    const c = await desk.get(caseId.parse(req.params['id']));
    const { history } = showQuery.parse(req.query);
    res.json({ case: view(c.record), history: history === 0 ? [] : await desk.history(c, history) });
  });

  api.post('/v1/cases/:id/assign', operator, async (req, res) => {
    const body = assignBody.parse(req.body ?? {});
    res.json(answer(await desk.assign(caseId.parse(req.params['id']), body.owner, principalOf(res).subject, body.note)));
  });

  api.post('/v1/cases/:id/ack', operator, async (req, res) => {
    const body = noteBody.parse(req.body ?? {});
    res.json(answer(await desk.acknowledge(caseId.parse(req.params['id']), principalOf(res).subject, body.note)));
  });

  api.post('/v1/cases/:id/retry', operator, async (req, res) => {
    const body = noteBody.parse(req.body ?? {});
    res.json(answer(await desk.retry(caseId.parse(req.params['id']), principalOf(res).subject, body.note)));
  });

  api.post('/v1/cases/:id/resolve', operator, async (req, res) => {
    const body = resolveBody.parse(req.body ?? {});
    res.json(answer(await desk.resolve(caseId.parse(req.params['id']), body.resolution, principalOf(res).subject, body.note)));
  });

  api.post('/v1/cases/:id/escalate', operator, async (req, res) => {
    const body = noteBody.parse(req.body ?? {});
    res.json(answer(await desk.escalate(caseId.parse(req.params['id']), principalOf(res).subject, body.note)));
  });

  api.use('/v1/cases', caseErrorsAsProblems);
}
