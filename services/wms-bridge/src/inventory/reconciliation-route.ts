import { HttpProblem, classifyError, requireRole, type HttpApp } from '@odx/runtime';
import { z } from 'zod';
import { ReconciliationBusyError, type Reconciler } from './reconciler.js';

export const RECONCILIATIONS_PATH = '/v1/reconciliations';

const body = z
  .object({
    /** ODX warehouse codes; default: every warehouse Odoo reported levels for. */
    warehouses: z.array(z.string().trim().min(1).max(50)).min(1).max(100).optional(),
  })
  .strict();

/** `POST /v1/reconciliations` (role operator): runs a reconciliation now and answers its report. */
export function mountReconciliationRoute(http: HttpApp, reconciler: Reconciler): void {
  http.api.post(RECONCILIATIONS_PATH, requireRole('operator'), async (req, res) => {
    const parsed = body.safeParse(req.body ?? {});
    if (!parsed.success) {
      throw new HttpProblem(400, 'Bad Request', 'request failed validation', {
        errors: parsed.error.issues.slice(0, 20).map((i) => ({ field: i.path.map(String).join('.') || '(body)', message: i.message })),
      });
    }
    try {
      const report = await reconciler.run({
        trigger: 'request',
        ...(parsed.data.warehouses ? { warehouses: [...new Set(parsed.data.warehouses)] } : {}),
      });
      res.status(200).json(report);
    } catch (err) {
      if (err instanceof ReconciliationBusyError) throw new HttpProblem(409, 'Conflict', err.message, { runId: err.runId });
      const c = classifyError(err);
      if (c.kind === 'transient' || c.circuitOpen) {
        throw new HttpProblem(
          503,
          'Service Unavailable',
          `the WMS could not be read: ${c.message}`,
          c.retryAfterMs !== undefined ? { retryAfterSeconds: Math.ceil(c.retryAfterMs / 1000) } : {},
        );
      }
      throw new HttpProblem(502, 'Bad Gateway', `reconciliation failed: ${c.message}`);
    }
  });
}
