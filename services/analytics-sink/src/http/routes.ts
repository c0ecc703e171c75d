import { HttpProblem, requireRole, type HttpApp } from '@odx/runtime';
import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ExportLimits } from '../export/export-query.js';
import type { SinkQueries } from '../sink-queries.js';
import { mountExportRoute } from './export-route.js';

const instant = z.iso
  .datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-11-01T00:00:00Z' })
  .transform((s) => new Date(s));

export const kpiQuery = z
  .strictObject({ from: instant.optional(), to: instant.optional() })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });

/** Order references: ids, Odoo names (S00042), PO numbers; printable, bounded. */
export const orderRef = z
  .string()
  .min(1)
  .max(200)
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/, 'must not contain control characters');

/**
 * GET /v1/kpis?from&to, GET /v1/inventory/mismatches?from&to, GET /v1/orders/:ref/timeline,
 * GET /v1/export?day&days&format&limit&offset (within `exportLimits`).
 * Bad parameters answer 400 problem+json naming the field; an unknown order 404. Every route needs `viewer`.
 */
export function mountSinkRoutes(http: HttpApp, queries: SinkQueries, exportLimits: ExportLimits): void {
  http.api.get('/v1/kpis', requireRole('viewer'), async (req: Request, res: Response) => {
    const q = kpiQuery.parse(req.query);
    res.json(await queries.kpis({ from: q.from ?? null, to: q.to ?? null }));
  });

  http.api.get('/v1/inventory/mismatches', requireRole('viewer'), async (req: Request, res: Response) => {
    const q = kpiQuery.parse(req.query);
    const rows = await queries.mismatches(q.from ?? null, q.to ?? null);
    res.json({ count: rows.length, mismatches: rows });
  });

  http.api.get('/v1/orders/:ref/timeline', requireRole('viewer'), async (req: Request, res: Response) => {
    const parsed = orderRef.safeParse(req.params['ref']);
    if (!parsed.success) throw new HttpProblem(400, 'Bad Request', `order reference ${parsed.error.issues[0]?.message ?? 'is invalid'}`);
    const r = await queries.timeline(parsed.data);
    if (r.status === 'unknown')
      throw new HttpProblem(404, 'Not Found', `no events for an order "${parsed.data}" (order id, Odoo order name or customer PO)`);
    if (r.status === 'ambiguous')
      throw new HttpProblem(409, 'Conflict', `"${parsed.data}" names several orders; ask by order id`, { orderIds: r.orderIds });
    res.json(r.timeline);
  });

  mountExportRoute(http, queries, exportLimits);
}
