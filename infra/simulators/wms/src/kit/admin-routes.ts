import { Router } from 'express';
import { z } from 'zod';
import type { FaultController } from './faults.js';
import { problem, sendProblem, validationProblem } from './problem.js';
import type { WebhookDispatcher } from './webhook-dispatcher.js';

const subscriptionSchema = z
  .object({
    url: z.url({ protocol: /^https?$/ }),
    events: z.array(z.string().min(1).max(100)).max(50).optional(),
    secret: z.string().min(1).max(500).optional(),
  })
  .strict();

const downtimeSchema = z.union([
  z.object({ seconds: z.number().positive().max(86_400) }).strict(),
  z.object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) }).strict(),
]);

const deliveriesQuery = z.object({
  eventType: z.string().max(100).optional(),
  status: z.enum(['scheduled', 'succeeded', 'failed', 'cancelled']).optional(),
  webhookId: z.string().max(100).optional(),
  subscriptionId: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

const replaySchema = z.object({ ageSeconds: z.number().int().min(0).max(10 * 365 * 86_400).optional() }).strict();

/** Admin routes every simulator shares: faults, downtime, subscriptions, deliveries, reset. */
export function adminRouter(deps: { faults: FaultController; webhooks: WebhookDispatcher; onReset: () => void }): Router {
  const { faults, webhooks } = deps;
  const router = Router();

  router.get('/faults', (_req, res) => {
    res.json(faults.snapshot());
  });
  for (const method of ['put', 'patch'] as const) {
    router[method]('/faults', (req, res) => {
      try {
        if (method === 'put') faults.replace(req.body ?? {});
        else faults.patch(req.body ?? {});
      } catch (err) {
        if (err instanceof z.ZodError) {
          sendProblem(res, validationProblem(err, 'Invalid fault settings'));
          return;
        }
        throw err;
      }
      res.json(faults.snapshot());
    });
  }

  router.post('/downtime', (req, res) => {
    const parsed = downtimeSchema.safeParse(req.body);
    if (!parsed.success) {
      sendProblem(res, validationProblem(parsed.error, 'Give {"seconds": n} or {"from": iso, "to": iso}'));
      return;
    }
    const window =
      'seconds' in parsed.data
        ? { from: new Date(), to: new Date(Date.now() + parsed.data.seconds * 1000) }
        : { from: new Date(parsed.data.from), to: new Date(parsed.data.to) };
    if (!(window.from < window.to)) {
      sendProblem(res, problem(422, 'validation_failed', '"from" must be before "to"', [{ field: 'to', message: 'must be after from', code: 'invalid_range' }]));
      return;
    }
    faults.addDowntime(window);
    res.status(201).json(faults.snapshot());
  });
  router.delete('/downtime', (_req, res) => {
    faults.clearDowntime();
    res.json(faults.snapshot());
  });

  router.get('/subscriptions', (_req, res) => {
    res.json({ items: webhooks.subscriptions() });
  });
  router.post('/subscriptions', (req, res) => {
    const parsed = subscriptionSchema.safeParse(req.body);
    if (!parsed.success) {
      sendProblem(res, validationProblem(parsed.error));
      return;
    }
    res.status(201).json(webhooks.subscribe(parsed.data));
  });
  router.put('/subscriptions', (req, res) => {
    const parsed = z.object({ items: z.array(subscriptionSchema).max(50) }).strict().safeParse(req.body);
    if (!parsed.success) {
      sendProblem(res, validationProblem(parsed.error));
      return;
    }
    res.json({ items: webhooks.setSubscriptions(parsed.data.items) });
  });
  router.delete('/subscriptions/:id', (req, res) => {
    if (!webhooks.unsubscribe(req.params.id)) {
      sendProblem(res, problem(404, 'not_found', `No subscription ${req.params.id}`));
      return;
    }
    res.status(204).end();
  });

  router.get('/deliveries', (req, res) => {
    const parsed = deliveriesQuery.safeParse(req.query);
    if (!parsed.success) {
      sendProblem(res, validationProblem(parsed.error, 'Invalid query'));
      return;
    }
    res.json({ items: webhooks.deliveries(parsed.data) });
  });
  router.get('/deliveries/:id', (req, res) => {
    const delivery = webhooks.delivery(req.params.id);
    if (delivery === undefined) {
      sendProblem(res, problem(404, 'not_found', `No delivery ${req.params.id}`));
      return;
    }
    res.json(delivery);
  });
  router.post('/deliveries/:id/replay', (req, res) => {
    const parsed = replaySchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      sendProblem(res, validationProblem(parsed.error));
      return;
    }
    const replay = webhooks.replay(req.params.id, parsed.data.ageSeconds);
    if (replay === undefined) {
      sendProblem(res, problem(404, 'not_found', `No delivery or webhook-id ${req.params.id}`));
      return;
    }
    res.status(202).json(replay);
  });

  router.post('/reset', (_req, res) => {
    faults.reset();
    webhooks.reset();
    deps.onReset();
    res.json({ status: 'reset' });
  });

  return router;
}
