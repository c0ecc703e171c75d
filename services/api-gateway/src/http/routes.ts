import { HttpProblem, type Principal } from '@odx/runtime';
import { formatDecimal, parseDecimal } from '@odx/schemas';
import type { ErrorRequestHandler, Router } from 'express';
import { IdempotencyKeyReused, IntakeInProgress, IntakeUnavailable } from '../intake/intake-errors.js';
import { apiOrderId } from '../intake/map-order.js';
import type { OrderIntake } from '../intake/order-intake.js';
import { idempotencyKeySchema, orderRequestSchema } from '../intake/order-request.js';
import type { AvailabilityView } from '../availability/availability-view.js';
import { callerOf, partnerOf, requireAdmin, requireScope } from '../keys/callers.js';
import { UnknownKey, type ApiKeyStore } from '../keys/key-store.js';
import { statusOf, type TimelineEntry } from '../status/order-status.js';
import type { StatusFeed } from '../status/status-feed.js';
import { availabilityQuery, createKeyBody, keyIdParam, listKeysQuery, orderRefParam } from './schemas.js';

export interface RouteDeps {
  intake: OrderIntake;
  availability: AvailabilityView;
  status: StatusFeed;
  keys: ApiKeyStore;
  openapi: unknown;
}

/** Every endpoint with what it needs (the auth test walks this table). */
export const ENDPOINTS = [
  { method: 'GET', path: '/openapi.json', needs: 'any' },
  { method: 'POST', path: '/v1/orders', needs: 'orders:write' },
  { method: 'GET', path: '/v1/orders/:ref', needs: 'orders:read' },
  { method: 'GET', path: '/v1/availability', needs: 'availability:read' },
  { method: 'POST', path: '/admin/keys', needs: 'admin' },
  { method: 'GET', path: '/admin/keys', needs: 'admin' },
  { method: 'POST', path: '/admin/keys/:keyId/revoke', needs: 'admin' },
] as const;

const QTY = { precision: 18, scale: 4 } as const;

/** Mounts the API on the runtime's authenticated router; domain errors become problems here. */
export function mountRoutes(api: Router, d: RouteDeps): void {
  api.get('/openapi.json', (_req, res) => {
    callerOf(res);
    res.json(d.openapi);
  });

  api.post('/v1/orders', requireScope('orders:write'), async (req, res) => {
    const partner = partnerOf(res, 'orders:write');
    const key = idempotencyKeySchema.safeParse(req.headers['idempotency-key']);
    if (!key.success)
      throw new HttpProblem(400, 'Bad Request', 'missing or malformed Idempotency-Key header', {
        errors: key.error.issues.map((i) => ({ field: 'Idempotency-Key', message: i.message })),
      });
    const request = orderRequestSchema.parse(req.body ?? null);
    const { outcome, replayed } = await d.intake.submit(partner, key.data, request);
    if (replayed) res.setHeader('idempotent-replayed', 'true');
    if (outcome.kind === 'order-ref-taken')
      throw new HttpProblem(409, 'Conflict', `orderRef ${outcome.orderRef} was already submitted with another Idempotency-Key`);
    res.status(201).location(outcome.order.links.status).json(outcome.order);
  });

  api.get('/v1/orders/:ref', requireScope('orders:read'), async (req, res) => {
    const partner = partnerOf(res, 'orders:read');
    const { ref } = orderRefParam.parse(req.params);
    // Partner scoping by construction: the order id is derived from the caller's own partner id,
    // so another partner's order (even with the same ref) is simply not found.
    const orderId = apiOrderId(partner.partnerId, ref);
    let timeline: TimelineEntry[] = await d.status.timeline(orderId);
    if (timeline.length === 0) {
      const received = await d.intake.received(partner.partnerId, ref);
      if (!received) throw new HttpProblem(404, 'Not Found', `no order ${ref} of this partner`);
      timeline = [
        { orderId, eventId: received.eventId, eventType: 'OrderReceived', status: 'received', at: received.receivedAt, detail: null },
      ];
    }
    res.json({
      orderId,
      orderRef: ref,
      status: statusOf(timeline),
      timeline: timeline.map((e) => ({ at: e.at.toISOString(), eventType: e.eventType, status: e.status, detail: e.detail })),
    });
  });

  api.get('/v1/availability', requireScope('availability:read'), (req, res) => {
    const { sku, warehouse } = availabilityQuery.parse(req.query);
    const warehouses = d.availability.lookup(sku, warehouse);
    if (warehouses.length === 0)
      throw new HttpProblem(404, 'Not Found', `no stock level known for ${sku}${warehouse ? ` in warehouse ${warehouse}` : ''}`);
    const total = warehouses.reduce((s, w) => s + parseDecimal(w.available, QTY), 0n);
    res.json({ sku, warehouses, available: formatDecimal(total, 4) });
  });

  api.post('/admin/keys', requireAdmin, async (req, res) => {
    const { label, scopes, rateLimit, ...partner } = createKeyBody.parse(req.body ?? null);
    const created = await d.keys.create({ ...partner, label, scopes, rateLimit }, subjectOf(res.locals['caller']));
    res.status(201).json(created);
  });

  api.get('/admin/keys', requireAdmin, async (req, res) => {
    res.json({ keys: await d.keys.list(listKeysQuery.parse(req.query).partnerId) });
  });

  api.post('/admin/keys/:keyId/revoke', requireAdmin, async (req, res) => {
    const { keyId } = keyIdParam.parse(req.params);
    res.json(await d.keys.revoke(keyId, subjectOf(res.locals['caller'])));
  });

  api.use(domainErrorsAsProblems);
}

function subjectOf(caller: unknown): string {
  return (caller as { person?: Principal } | undefined)?.person?.subject ?? 'unknown';
}

/** The HTTP problem for a domain error; anything else goes on to the runtime's handler. */
export const domainErrorsAsProblems: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  if (err instanceof IdempotencyKeyReused) return next(new HttpProblem(422, 'Unprocessable Content', err.message));
  if (err instanceof IntakeInProgress) {
    res.setHeader('retry-after', String(err.retryAfterS));
    return next(new HttpProblem(409, 'Conflict', err.message));
  }
  if (err instanceof IntakeUnavailable) {
    res.setHeader('retry-after', '1');
    return next(new HttpProblem(503, 'Service Unavailable', err.message));
  }
  if (err instanceof UnknownKey) return next(new HttpProblem(404, 'Not Found', err.message));
  next(err);
};
