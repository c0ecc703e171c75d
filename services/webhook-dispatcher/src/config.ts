import { catalogTopicName, envVar, parseEnv } from '@odx/runtime';
import { loadCatalog } from '@odx/schemas';
import { z } from 'zod';
import { DEFAULT_RETRY_SCHEDULE_MS, parseRetrySchedule } from './delivery/retry-schedule.js';

/** The port webhook-dispatcher listens on when ODX_HTTP_PORT is unset (the `odx webhooks` default URL). */
export const DEFAULT_WEBHOOKS_PORT = 8109;

const retrySchedule = z.string().transform((text, ctx) => {
  try {
    return parseRetrySchedule(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

const schema = z.object({
  /** HS256 secret for bearer tokens (at least 32 characters); `odx token` mints with the same secret. */
  ODX_WEBHOOKS_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  ODX_WEBHOOKS_JWT_ISSUER: z.string().min(1).default('odx'),
  ODX_WEBHOOKS_JWT_AUDIENCE: z.string().min(1).default('odx-webhook-dispatcher'),
  ODX_WEBHOOKS_GROUP: z
    .string()
    .regex(/^[a-zA-Z0-9._-]+$/, 'letters, digits, . _ -')
    .default('webhook-dispatcher'),
  /** Topics read; default every topic of the catalog. */
  ODX_WEBHOOKS_TOPICS: envVar.list().optional(),
  ODX_WEBHOOKS_PARTITION_CONCURRENCY: envVar.positiveInt().default(6),
  ODX_WEBHOOKS_RETRY_SCHEDULE: retrySchedule.optional(),
  ODX_WEBHOOKS_TIMEOUT_MS: envVar.positiveInt().max(120_000).default(10_000),
  ODX_WEBHOOKS_CONCURRENCY: envVar.positiveInt().max(1_000).default(64),
  ODX_WEBHOOKS_MEMORY_ITEMS: envVar.positiveInt().min(10).default(20_000),
  ODX_WEBHOOKS_LEASE_MS: envVar.positiveInt().min(1_000).default(15_000),
  ODX_WEBHOOKS_POLL_MS: envVar.positiveInt().min(100).default(2_000),
  ODX_WEBHOOKS_WATERMARK_MARGIN_MS: envVar.nonNegativeInt().default(5_000),
  ODX_WEBHOOKS_RETENTION_DAYS: envVar.positiveInt().max(365).default(7),
  ODX_WEBHOOKS_RECOVER_MAX: envVar.positiveInt().default(100_000),
  /** Dev and tests only: private, loopback and link-local targets allowed. */
  ODX_WEBHOOKS_ALLOW_PRIVATE_TARGETS: envVar.bool().default(false),
});

export interface WebhookDispatcherConfig {
  auth: { secret: string; issuer: string; audience: string };
  consumer: { groupId: string; topics: string[]; partitionConcurrency: number };
  delivery: {
    retryScheduleMs: number[];
    timeoutMs: number;
    concurrency: number;
    memoryItems: number;
    leaseMs: number;
    pollMs: number;
    watermarkMarginMs: number;
    retentionMs: number;
    allowPrivateTargets: boolean;
  };
  recoverMax: number;
}

/** The service's own settings, fully defaulted (ODX_* runtime settings are read by the runtime). */
export function loadWebhookDispatcherConfig(env: NodeJS.ProcessEnv = process.env): WebhookDispatcherConfig {
  const e = parseEnv(schema, env);
  return {
    auth: { secret: e.ODX_WEBHOOKS_JWT_SECRET, issuer: e.ODX_WEBHOOKS_JWT_ISSUER, audience: e.ODX_WEBHOOKS_JWT_AUDIENCE },
    consumer: {
      groupId: e.ODX_WEBHOOKS_GROUP,
      // By default the topics the catalog lists this service as a consumer of: the public ones, not an internal inbox.
      topics:
        e.ODX_WEBHOOKS_TOPICS && e.ODX_WEBHOOKS_TOPICS.length > 0
          ? e.ODX_WEBHOOKS_TOPICS
          : loadCatalog()
              .topics.filter((t) => t.consumers.includes('webhook-dispatcher'))
              .map((t) => catalogTopicName(t.name, env)),
      partitionConcurrency: e.ODX_WEBHOOKS_PARTITION_CONCURRENCY,
    },
    delivery: {
      retryScheduleMs: e.ODX_WEBHOOKS_RETRY_SCHEDULE ?? [...DEFAULT_RETRY_SCHEDULE_MS],
      timeoutMs: e.ODX_WEBHOOKS_TIMEOUT_MS,
      concurrency: e.ODX_WEBHOOKS_CONCURRENCY,
      memoryItems: e.ODX_WEBHOOKS_MEMORY_ITEMS,
      leaseMs: e.ODX_WEBHOOKS_LEASE_MS,
      pollMs: e.ODX_WEBHOOKS_POLL_MS,
      watermarkMarginMs: e.ODX_WEBHOOKS_WATERMARK_MARGIN_MS,
      retentionMs: e.ODX_WEBHOOKS_RETENTION_DAYS * 86_400_000,
      allowPrivateTargets: e.ODX_WEBHOOKS_ALLOW_PRIVATE_TARGETS,
    },
    recoverMax: e.ODX_WEBHOOKS_RECOVER_MAX,
  };
}
