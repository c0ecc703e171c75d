import { ApiError, pagingQuery, parseListQuery, validationProblem } from '@odx/sim-wms/kit';
import { Router } from 'express';
import { z } from 'zod';
import { bookingRequestSchema, rateRequestSchema } from './shipment.js';
import type { Shipments } from './shipments.js';

function parse<T extends z.ZodType>(schema: T, value: unknown, detail?: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const p = validationProblem(parsed.error, detail);
    throw new ApiError(p.status, p.code, p.detail ?? 'Validation failed', p.errors);
  }
  return parsed.data;
}

const listQuery = z.object({ reference: z.string().max(100).optional(), orderRef: z.string().max(100).optional(), ...pagingQuery });

/** A one-page placeholder PDF standing in for a carrier label. */
function labelPdf(reference: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% ODX simulator label ${reference}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

/** The TMS product API under `/v1`. */
export function tmsApi(shipments: Shipments): Router {
  const router = Router();

  router.post('/rates', (req, res) => {
    res.json(shipments.quote(parse(rateRequestSchema, req.body)));
  });

  router.post('/shipments', (req, res) => {
    const { shipment, created } = shipments.book(parse(bookingRequestSchema, req.body));
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res.status(created ? 201 : 200).location(`/v1/shipments/${shipment.id}`).json(shipment);
  });

  router.get('/shipments', (req, res) => {
    res.json(shipments.page(parseListQuery(listQuery, req.query)));
  });

  router.get('/shipments/:id', (req, res) => {
    const shipment = shipments.get(req.params.id);
    if (shipment === undefined) throw new ApiError(404, 'not_found', `No shipment ${req.params.id}`);
    res.json(shipment);
  });

  router.post('/shipments/:id/void', (req, res) => {
    res.json(shipments.void(req.params.id));
  });

  router.get('/labels/:file', (req, res) => {
    const reference = req.params.file.replace(/\.pdf$/, '');
    const known = shipments.list({ limit: Number.MAX_SAFE_INTEGER }).some((s) => s.label.reference === reference);
    if (!known) throw new ApiError(404, 'not_found', `No label ${reference}`);
    res.type('application/pdf').send(labelPdf(reference));
  });

  return router;
}

const exceptionBody = z
  .object({
    code: z.enum(['DELAYED', 'ADDRESS_ISSUE', 'DAMAGED', 'REFUSED', 'LOST']).default('DELAYED'),
    description: z.string().max(500).default('Carrier reported an exception'),
  })
  .strict();

/** TMS-specific admin routes under `/sim/admin`. */
export function tmsAdmin(shipments: Shipments): Router {
  const router = Router();
  router.post('/shipments/:id/advance', (req, res) => {
    res.json(shipments.advance(req.params.id));
  });
  router.post('/shipments/:id/exception', (req, res) => {
    const { code, description } = parse(exceptionBody, req.body ?? {});
    res.json(shipments.raiseException(req.params.id, code, description));
  });
  return router;
}
