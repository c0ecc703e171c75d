import { z } from 'zod';
import type { HttpApp } from '../http/http-app.js';
import { HttpProblem } from '../http/problem.js';
import { requireRole } from '../auth/authenticate.js';
import { classifyError } from '../resilience/errors.js';
import { CatchUpBusyError, type CatchUpRunner } from './catch-up-runner.js';

/** Where a bridge takes catch-up requests (the orchestrator asks here when a step is late). */
export const CATCH_UP_PATH = '/v1/catch-up';

export interface CatchUpRouteOptions<T> {
  runner: CatchUpRunner<T>;
  /** The remote system in messages, e.g. `WMS`. */
  system: string;
  /** The remote's records of one ODX order (read now, not from the feed); [] when it has none. */
  recordsOfOrder(orderRef: string): Promise<T[]>;
}

const body = z
  .object({
    /** One ODX order: catch up only its records, without moving the cursor. */
    orderRef: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

/**
 * `POST /v1/catch-up` on the service's authenticated API (role operator; the orchestrator calls it with a
 * service-account key scoped `<bridge>:operator`): `{}` runs the
 * feed's catch-up now and answers its report (409 while a run is going);
 * `{"orderRef": "..."}` catches up that order's records only (404 when the
 * remote has none). 503 when the remote cannot be reached (down, circuit
 * open), 502 when its answer cannot be read.
 */
export function mountCatchUpRoute<T>(http: HttpApp, o: CatchUpRouteOptions<T>): void {
  http.api.post(CATCH_UP_PATH, requireRole('operator'), async (req, res) => {
    const parsed = body.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new HttpProblem(400, 'Bad Request', 'request failed validation: send {} or {"orderRef": "<ODX order id>"}', {
        errors: parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })),
      });
    }
    const { orderRef } = parsed.data;
    try {
      if (orderRef === undefined) {
        res.status(200).json(await o.runner.run('request'));
        return;
      }
      const records = await o.recordsOfOrder(orderRef);
      if (records.length === 0) throw new HttpProblem(404, 'Not Found', `the ${o.system} has no record of order ${orderRef}`, { orderRef });
      res.status(200).json({ orderRef, ...(await o.runner.catchUpRecords(records)) });
    } catch (err) {
      if (err instanceof HttpProblem) throw err;
      if (err instanceof CatchUpBusyError) throw new HttpProblem(409, 'Conflict', err.message, { runId: err.runId });
      const c = classifyError(err);
      if (c.kind === 'transient' || c.circuitOpen) {
        throw new HttpProblem(503, 'Service Unavailable', `the ${o.system} could not be read: ${c.message}`, {
          errorClass: c.errorClass,
          ...(c.retryAfterMs !== undefined ? { retryAfterSeconds: Math.ceil(c.retryAfterMs / 1000) } : {}),
        });
      }
      throw new HttpProblem(502, 'Bad Gateway', `catch-up failed: ${c.message}`, { errorClass: c.errorClass });
    }
  });
}
