import { principalOf, requireRole, type ClusterAdmin } from '@odx/runtime';
import type { Router } from 'express';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit-log.js';
import { dlqFilterSchema } from '../dlq/dlq-filter.js';
import type { DlqService } from '../dlq/dlq-service.js';
import { resetStrategySchema } from '../groups/reset-plan.js';
import { assertGroupId, type GroupService } from '../groups/group-service.js';
import { requireTopic } from '../kafka/topics.js';
import { replayRequestSchema } from '../replay/replay-plan.js';
import type { ReplayService } from '../replay/replay-service.js';
import { domainErrorsAsProblems } from './problems.js';

const offsetString = z
  .union([z.string().regex(/^\d{1,19}$/, 'an offset is a non-negative integer'), z.number().int().nonnegative()])
  .transform((v) => BigInt(v).toString());
const partition = z.coerce.number().int().nonnegative().max(100_000);
const bodyCursor = z.record(z.string().regex(/^\d{1,6}$/, 'partition numbers'), offsetString);
/** `0:120,1:98` in a query string. */
const queryCursor = z
  .string()
  .max(100_000)
  .regex(/^\d{1,6}:\d{1,19}(,\d{1,6}:\d{1,19})*$/, 'looks like PARTITION:OFFSET[,PARTITION:OFFSET...]')
  .transform((s) => Object.fromEntries(s.split(',').map((pair) => pair.split(':') as [string, string])));
const partitionList = z
  .string()
  .regex(/^\d{1,6}(,\d{1,6})*$/, 'comma-separated partition numbers')
  .transform((s) => s.split(',').map(Number));

const browseQuery = dlqFilterSchema.extend({
  partitions: partitionList.optional(),
  cursor: queryCursor.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(50),
  maxScan: z.coerce.number().int().min(1).max(1_000_000).default(100_000),
});

const redriveBody = z
  .strictObject({
    selection: z
      .array(z.strictObject({ partition, offset: offsetString }))
      .min(1)
      .max(10_000)
      .optional(),
    filter: dlqFilterSchema.optional(),
    cursor: bodyCursor.optional(),
    limit: z.number().int().min(1).max(1_000_000).optional(),
    targetTopic: z.string().min(1).max(249).optional(),
    payload: z.unknown().optional(),
    execute: z.boolean().default(false),
    force: z.boolean().default(false),
  })
  .refine((b) => !(b.selection && (b.filter || b.cursor)), { message: 'use either selection or filter/cursor', path: ['selection'] });

const purgeBody = z.strictObject({
  /** Delete records below these offsets (per partition); absent = everything. */
  before: bodyCursor.optional(),
  execute: z.boolean().default(false),
});

const resetBody = z.strictObject({
  topic: z.string().min(1).max(249),
  partitions: z.array(partition).min(1).max(10_000).optional(),
  strategy: resetStrategySchema,
  execute: z.boolean().default(false),
});

const auditQuery = z.strictObject({
  action: z.enum(['dlq.redrive', 'dlq.purge', 'replay.start', 'replay.cancel', 'groups.reset']).optional(),
  actor: z.string().max(200).optional(),
  target: z.string().max(300).optional(),
  since: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
});

const jobsQuery = z.strictObject({
  status: z.enum(['running', 'completed', 'cancelled', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(50),
});
const jobId = z.uuid();

export interface RouteDeps {
  dlq: DlqService;
  replay: ReplayService;
  groups: GroupService;
  audit: AuditLog;
  cluster: ClusterAdmin;
}

/** Every endpoint with the role it needs (tests walk this table for 401/403). */
export const ENDPOINTS = [
  { method: 'GET', path: '/whoami', role: 'viewer' },
  { method: 'GET', path: '/dlq', role: 'viewer' },
  { method: 'GET', path: '/dlq/:topic/messages', role: 'viewer' },
  { method: 'POST', path: '/dlq/:topic/redrive', role: 'operator' },
  { method: 'POST', path: '/dlq/:topic/purge', role: 'admin' },
  { method: 'POST', path: '/replays', role: 'operator' },
  { method: 'GET', path: '/replays', role: 'viewer' },
  { method: 'GET', path: '/replays/:id', role: 'viewer' },
  { method: 'POST', path: '/replays/:id/cancel', role: 'operator' },
  { method: 'GET', path: '/groups/:group', role: 'viewer' },
  { method: 'POST', path: '/groups/:group/reset', role: 'operator' },
  { method: 'GET', path: '/audit', role: 'viewer' },
] as const;

/** Mounts the API on the runtime's authenticated router; the services' domain errors are answered as problems here. */
export function mountRoutes(api: Router, d: RouteDeps): void {
  const viewer = requireRole('viewer');
  const operator = requireRole('operator');
  const admin = requireRole('admin');

  api.get('/whoami', viewer, (_req, res) => {
    res.json(principalOf(res));
  });

  api.get('/dlq', viewer, async (req, res) => {
    const q = z.strictObject({ originalTopic: z.string().max(249).optional(), group: z.string().max(255).optional() }).parse(req.query);
    res.json({ topics: await d.dlq.list(q) });
  });

  api.get('/dlq/:topic/messages', viewer, async (req, res) => {
    const { partitions, cursor, limit, maxScan, ...filter } = browseQuery.parse(req.query);
    res.json(await d.dlq.browse(req.params['topic'] as string, { filter, partitions, cursor, limit, maxScan }));
  });

  api.post('/dlq/:topic/redrive', operator, async (req, res) => {
    const body = redriveBody.parse(req.body ?? {});
    res.json(await d.dlq.redrive(req.params['topic'] as string, body, principalOf(res)));
  });

  api.post('/dlq/:topic/purge', admin, async (req, res) => {
    const body = purgeBody.parse(req.body ?? {});
    res.json(await d.dlq.purge(req.params['topic'] as string, body, principalOf(res)));
  });

  api.post('/replays', operator, async (req, res) => {
    const body = replayRequestSchema.parse(req.body ?? {});
    const { dryRun, job } = await d.replay.start(body, principalOf(res));
    res.status(dryRun ? 200 : 201).json({ dryRun, job });
  });

  api.get('/replays', viewer, async (req, res) => {
    res.json({ jobs: await d.replay.list(jobsQuery.parse(req.query)) });
  });

  api.get('/replays/:id', viewer, async (req, res) => {
    res.json(await d.replay.get(jobId.parse(req.params['id'])));
  });

  api.post('/replays/:id/cancel', operator, async (req, res) => {
    res.json(await d.replay.cancel(jobId.parse(req.params['id']), principalOf(res)));
  });

  api.get('/groups/:group', viewer, async (req, res) => {
    const { topic } = z.strictObject({ topic: z.string().max(249).optional() }).parse(req.query);
    const group = req.params['group'] as string;
    assertGroupId(group);
    if (topic) await requireTopic(d.cluster, topic);
    res.json(await d.groups.describe(group, topic));
  });

  api.post('/groups/:group/reset', operator, async (req, res) => {
    const body = resetBody.parse(req.body ?? {});
    res.json(await d.groups.reset(req.params['group'] as string, body, principalOf(res)));
  });

  api.get('/audit', viewer, async (req, res) => {
    res.json({ entries: await d.audit.list(auditQuery.parse(req.query)) });
  });

  api.use(domainErrorsAsProblems);
}
