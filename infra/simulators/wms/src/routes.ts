import { Router } from 'express';
import { z } from 'zod';
import { ApiError, pagingQuery, parseListQuery, validationProblem, type WebhookDispatcher } from './kit/index.js';
import { InventoryError, type Inventory } from './inventory.js';
import { createInboundOrderSchema, INBOUND_TYPES, receiveSchema } from './inbound-order.js';
import type { InboundOrders } from './inbound-orders.js';
import { createOutboundOrderSchema } from './outbound-order.js';
import type { OutboundOrders } from './outbound-orders.js';

function parse<T extends z.ZodType>(schema: T, value: unknown, detail?: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const p = validationProblem(parsed.error, detail);
    throw new ApiError(p.status, p.code, p.detail ?? 'Validation failed', p.errors);
  }
  return parsed.data;
}

const listQuery = z.object({
  externalRef: z.string().max(100).optional(),
  status: z.enum(['received', 'picked', 'packed', 'shipped', 'cancelled']).optional(),
  ...pagingQuery,
});
const inboundListQuery = z.object({
  externalRef: z.string().max(100).optional(),
  status: z.enum(['expected', 'receiving', 'received', 'cancelled']).optional(),
  type: z.enum(INBOUND_TYPES).optional(),
  ...pagingQuery,
});
const inventoryQuery = z.object({ warehouse: z.string().max(20).optional(), sku: z.string().max(64).optional() });
const cancelBody = z.object({ reason: z.string().max(500).optional() });

/** The WMS product API under `/v1`. */
export function wmsApi(orders: OutboundOrders, inbound: InboundOrders, inventory: Inventory): Router {
  const router = Router();

  router.post('/outbound-orders', (req, res) => {
    const input = parse(createOutboundOrderSchema, req.body);
    const { order, created } = orders.create(input);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res
      .status(created ? 201 : 200)
      .location(`/v1/outbound-orders/${order.id}`)
      .json(order);
  });

  router.get('/outbound-orders', (req, res) => {
    res.json(orders.page(parseListQuery(listQuery, req.query)));
  });

  router.get('/outbound-orders/:id', (req, res) => {
    const order = orders.get(req.params.id);
    if (order === undefined) throw new ApiError(404, 'not_found', `No outbound order ${req.params.id}`);
    res.json(order);
  });

  router.post('/outbound-orders/:id/cancel', (req, res) => {
    const { reason } = parse(cancelBody, req.body ?? {});
    res.json(orders.cancel(req.params.id, reason ?? null));
  });

  router.post('/inbound-orders', (req, res) => {
    const input = parse(createInboundOrderSchema, req.body);
    const { order, created } = inbound.create(input);
    if (!created) res.setHeader('Idempotent-Replayed', 'true');
    res
      .status(created ? 201 : 200)
      .location(`/v1/inbound-orders/${order.id}`)
      .json(order);
  });

  router.get('/inbound-orders', (req, res) => {
    res.json(inbound.page(parseListQuery(inboundListQuery, req.query)));
  });

  router.get('/inbound-orders/:id', (req, res) => {
    const order = inbound.get(req.params.id);
    if (order === undefined) throw new ApiError(404, 'not_found', `No inbound order ${req.params.id}`);
    res.json(order);
  });

  router.post('/inbound-orders/:id/cancel', (req, res) => {
    const { reason } = parse(cancelBody, req.body ?? {});
    res.json(inbound.cancel(req.params.id, reason ?? null));
  });

  router.get('/inventory', (req, res) => {
    const query = parse(inventoryQuery, req.query, 'Invalid query');
    res.json({ items: inventory.list(query) });
  });

  return router;
}

const stockKey = { warehouse: z.string().trim().min(1).max(20), sku: z.string().trim().min(1).max(64) };
const adjustmentBody = z.union([
  z
    .object({ ...stockKey, delta: z.number().int().min(-1_000_000).max(1_000_000), reason: z.string().max(200).default('CYCLE_COUNT') })
    .strict(),
  z.object({ ...stockKey, onHand: z.number().int().min(0).max(100_000_000), reason: z.string().max(200).default('CYCLE_COUNT') }).strict(),
]);
const setStockBody = z
  .object({ items: z.array(z.object({ ...stockKey, onHand: z.number().int().min(0).max(100_000_000) }).strict()).max(10_000) })
  .strict();

/** WMS-specific admin routes under `/sim/admin`. */
export function wmsAdmin(orders: OutboundOrders, inbound: InboundOrders, inventory: Inventory, webhooks: WebhookDispatcher): Router {
  const router = Router();

  // A stock correction made on the warehouse floor: emits inventory.adjusted.
  router.post('/inventory/adjustments', (req, res) => {
    const body = parse(adjustmentBody, req.body, 'Give warehouse, sku and either delta or onHand');
    try {
      const change = 'delta' in body ? { delta: body.delta } : { onHand: body.onHand };
      const adjustment = inventory.adjust(body.warehouse, body.sku, change, body.reason);
      webhooks.publish('inventory.adjusted', adjustment);
      res.status(201).json(adjustment);
    } catch (err) {
      if (err instanceof InventoryError)
        throw new ApiError(422, 'validation_failed', err.message, [{ field: err.field, message: err.message, code: 'negative_stock' }]);
      throw err;
    }
  });

  // Sets stock quietly (no webhook): seeding, or making WMS and Odoo disagree on purpose.
  router.put('/inventory', (req, res) => {
    const { items } = parse(setStockBody, req.body);
    res.json({ items: items.map((i) => inventory.set(i.warehouse, i.sku, i.onHand)) });
  });

  router.post('/orders/:id/advance', (req, res) => {
    res.json(orders.advance(req.params.id));
  });

  // The dock completes a count against an inbound order: emits receipt.completed.
  router.post('/inbound-orders/:id/receive', (req, res) => {
    const input = parse(
      receiveSchema,
      req.body ?? {},
      'Give lines [{lineNumber or lineRef, qty, condition?, lots?}] or nothing to receive everything expected',
    );
    res.status(201).json(inbound.receive(req.params.id, input));
  });

  return router;
}
