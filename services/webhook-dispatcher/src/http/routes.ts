import { principalOf, requireRole } from '@odx/runtime';
import type { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import { createSubscriptionSchema, secretSchema, updateSubscriptionSchema } from '../subscriptions/subscription.js';
import type { SubscriptionService } from '../subscriptions/subscription-service.js';
import { domainErrorsAsProblems } from './problems.js';

const subscriptionId = z.uuid();
/** `<subscription uuid>:<event id>` plus an optional `~<copy>` suffix. */
const deliveryId = z
  .string()
  .max(300)
  .regex(/^[0-9a-f-]{36}:[^\s/]{1,200}$/, 'a delivery id as the delivery log shows it');
const secretId = z.string().regex(/^[0-9a-f]{8}$/, 'a secret id as the subscription shows it');
const instant = z.union([z.iso.datetime({ offset: true }), z.coerce.number().int().nonnegative()]).transform((v) => new Date(v));

const deliveriesQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  before: z.coerce.number().int().positive().optional(),
});
const disableBody = z.strictObject({ reason: z.string().max(500).optional() });
const secretBody = z.strictObject({ secret: secretSchema.optional() });
const recoverBody = z
  .strictObject({ since: instant, until: instant.optional(), execute: z.boolean().default(false) })
  // zod runs refinements of an object whose fields failed too: check the types here before comparing.
  .refine((b) => !(b.until instanceof Date) || !(b.since instanceof Date) || b.until > b.since, {
    message: 'until must be after since',
    path: ['until'],
  })
  .refine((b) => !(b.since instanceof Date) || b.since.getTime() <= Date.now(), { message: 'since is in the future', path: ['since'] });
const auditQuery = z.strictObject({
  action: z
    .enum([
      'subscription.create',
      'subscription.update',
      'subscription.disable',
      'subscription.enable',
      'subscription.auto-disable',
      'secret.add',
      'secret.remove',
      'subscription.test',
      'delivery.redeliver',
      'subscription.recover',
    ])
    .optional(),
  target: z.string().max(300).optional(),
  since: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

/** Every endpoint with the role it needs (tests walk this table for 401/403). */
export const ENDPOINTS = [
  { method: 'GET', path: '/whoami', role: 'viewer' },
  { method: 'GET', path: '/subscriptions', role: 'viewer' },
  { method: 'POST', path: '/subscriptions', role: 'operator' },
  { method: 'GET', path: '/subscriptions/:id', role: 'viewer' },
  { method: 'PATCH', path: '/subscriptions/:id', role: 'operator' },
  { method: 'POST', path: '/subscriptions/:id/disable', role: 'operator' },
  { method: 'POST', path: '/subscriptions/:id/enable', role: 'operator' },
  { method: 'POST', path: '/subscriptions/:id/secrets', role: 'operator' },
  { method: 'DELETE', path: '/subscriptions/:id/secrets/:secretId', role: 'operator' },
  { method: 'POST', path: '/subscriptions/:id/test', role: 'operator' },
  { method: 'GET', path: '/subscriptions/:id/deliveries', role: 'viewer' },
  { method: 'POST', path: '/subscriptions/:id/recover', role: 'operator' },
  { method: 'GET', path: '/deliveries/:id', role: 'viewer' },
  { method: 'POST', path: '/deliveries/:id/redeliver', role: 'operator' },
  { method: 'GET', path: '/audit', role: 'viewer' },
] as const;

export interface RouteDeps {
  subscriptions: SubscriptionService;
  audit: AuditLog;
}

/** Mounts the admin API on the runtime's authenticated router; domain errors are answered as problems here. */
export function mountRoutes(api: Router, d: RouteDeps): void {
  const viewer = requireRole('viewer');
  const operator = requireRole('operator');
  const idOf = (params: Record<string, unknown>): string => subscriptionId.parse(params['id']);

  api.get('/whoami', viewer, (_req, res) => {
    res.json(principalOf(res));
  });

  api.get('/subscriptions', viewer, async (_req, res) => {
    res.json({ subscriptions: await d.subscriptions.list() });
  });

  api.post('/subscriptions', operator, async (req, res) => {
    const body = createSubscriptionSchema.parse(req.body ?? {});
    res.status(201).json(await d.subscriptions.create(body, principalOf(res)));
  });

  api.get('/subscriptions/:id', viewer, async (req, res) => {
    res.json(await d.subscriptions.get(idOf(req.params)));
  });

  api.patch('/subscriptions/:id', operator, async (req, res) => {
    const id = idOf(req.params);
    res.json(await d.subscriptions.update(id, updateSubscriptionSchema.parse(req.body ?? {}), principalOf(res)));
  });

  api.post('/subscriptions/:id/disable', operator, async (req, res) => {
    const id = idOf(req.params);
    const { reason } = disableBody.parse(req.body ?? {});
    res.json(await d.subscriptions.setEnabled(id, false, principalOf(res), reason));
  });

  api.post('/subscriptions/:id/enable', operator, async (req, res) => {
    const id = idOf(req.params);
    disableBody.parse(req.body ?? {});
    res.json(await d.subscriptions.setEnabled(id, true, principalOf(res)));
  });

  api.post('/subscriptions/:id/secrets', operator, async (req, res) => {
    const id = idOf(req.params);
    const { secret } = secretBody.parse(req.body ?? {});
    res.status(201).json(await d.subscriptions.addSecret(id, secret, principalOf(res)));
  });

  api.delete('/subscriptions/:id/secrets/:secretId', operator, async (req, res) => {
    const id = idOf(req.params);
    res.json(await d.subscriptions.removeSecret(id, secretId.parse(req.params['secretId']), principalOf(res)));
  });

  api.post('/subscriptions/:id/test', operator, async (req, res) => {
    res.json(await d.subscriptions.test(idOf(req.params), principalOf(res)));
  });

  api.get('/subscriptions/:id/deliveries', viewer, async (req, res) => {
    const id = idOf(req.params);
    const q = deliveriesQuery.parse(req.query);
    res.json(await d.subscriptions.deliveries(id, q.limit, q.before));
  });

  api.post('/subscriptions/:id/recover', operator, async (req, res) => {
    const id = idOf(req.params);
    const body = recoverBody.parse(req.body ?? {});
    const result = await d.subscriptions.recover(id, body, principalOf(res));
    res.status(result.dryRun ? 200 : 202).json(result);
  });

  api.get('/deliveries/:id', viewer, async (req, res) => {
    res.json(await d.subscriptions.delivery(deliveryId.parse(req.params['id'])));
  });

  api.post('/deliveries/:id/redeliver', operator, async (req, res) => {
    res.status(202).json(await d.subscriptions.redeliver(deliveryId.parse(req.params['id']), principalOf(res)));
  });

  api.get('/audit', viewer, async (req, res) => {
    res.json({ entries: await d.audit.list(auditQuery.parse(req.query)) });
  });

  api.use(domainErrorsAsProblems);
}
