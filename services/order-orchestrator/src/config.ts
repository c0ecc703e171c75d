import { catalogTopicName, envVar, parseEnv, type TokenSettings } from '@odx/runtime';
import { z } from 'zod';
import { DEFAULT_POLICY_DIR } from './policy/index.js';

/** Where the orchestrator listens unless ODX_HTTP_PORT says otherwise (the demo's port plan). */
export const DEFAULT_ORCHESTRATOR_PORT = 8107;

const delays = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0)
      .map(Number),
  )
  .pipe(z.array(z.number().int().min(0)).min(1, 'must name at least one delay'));

const optionalUrl = z
  .string()
  .trim()
  .transform((s) => (s === '' || s === 'none' ? null : s.replace(/\/+$/, '')))
  .pipe(z.url({ message: 'must be a URL, or none' }).nullable());

const audiences = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  )
  .pipe(
    z
      .array(z.string().regex(/^[\x21-\x7e]+$/, 'an audience has no spaces or control characters'))
      .min(1, 'must name at least one audience'),
  );

const schema = z.object({
  ODX_ORCHESTRATOR_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (it names the consumer groups)')
    .default('order-orchestrator'),
  /** fulfillment-requested: the orchestrator releases allocated orders to the WMS (wms-bridge with ODX_WMS_BRIDGE_RELEASE_ON=fulfillment-requested); observe: wms-bridge releases on OrderConfirmed and the orchestrator follows. */
  ODX_ORCHESTRATOR_RELEASE_MODE: z.enum(['fulfillment-requested', 'observe']).default('fulfillment-requested'),
  /** Delay after each catch-up-and-retry of an overdue step before it is judged again; their count is the retries before a case. */
  ODX_ORCHESTRATOR_RETRY_DELAYS_MS: delays.default([60_000, 300_000, 900_000]),
  ODX_ORCHESTRATOR_POLICY_DIR: z.string().min(1).default(DEFAULT_POLICY_DIR),
  ODX_ORCHESTRATOR_TIMER_SCAN_MS: envVar.positiveInt().default(5_000),
  /** Width of a due-index bucket's time slot. */
  ODX_ORCHESTRATOR_TIMER_SLOT_MS: envVar.positiveInt().default(10_000),
  /** A due timer still in the index this long after it was sent is sent again. */
  ODX_ORCHESTRATOR_TIMER_REFIRE_MS: envVar.positiveInt().default(60_000),
  ODX_ORCHESTRATOR_WMS_BRIDGE_URL: optionalUrl.default('http://127.0.0.1:8102'),
  ODX_ORCHESTRATOR_TMS_BRIDGE_URL: optionalUrl.default('http://127.0.0.1:8103'),
  /** Bearer token for the bridges' catch-up route, when their API asks for one. */
  ODX_ORCHESTRATOR_BRIDGE_TOKEN: z.string().min(1).optional(),
  ODX_ORCHESTRATOR_CATCHUP_TIMEOUT_MS: envVar.positiveInt().default(30_000),
  ODX_ORCHESTRATOR_PARTITION_CONCURRENCY: envVar.positiveInt().default(3),
  /** Processes kept in memory per instance. */
  ODX_ORCHESTRATOR_CACHE_SIZE: envVar.positiveInt().default(50_000),
  /** How often the stored stock levels and products are read again. */
  ODX_ORCHESTRATOR_STOCK_REFRESH_MS: envVar.positiveInt().default(5_000),
  /** Where the credit check reads customers' limits and open receivables: odoo (JSON-RPC, ODOO_*), or none (nothing owed, no limit). */
  ODX_ORCHESTRATOR_CREDIT_SOURCE: z.enum(['odoo', 'none']).default('odoo'),
  ODOO_URL: envVar.url().default('http://127.0.0.1:8069'),
  ODOO_DB: z.string().min(1).default('odx'),
  ODOO_USERNAME: z.string().min(1).default('admin'),
  ODOO_PASSWORD: z.string().min(1).default('admin'),
  ODOO_TIMEOUT_MS: envVar.positiveInt().default(5_000),
  /** How long a customer's credit figures are reused. */
  ODX_ORCHESTRATOR_CREDIT_CACHE_MS: envVar.positiveInt().default(30_000),
  /** How long a completed or cancelled process is kept (GET /v1/orders/:ref/process answers from it). */
  ODX_ORCHESTRATOR_CLOSED_RETENTION_MS: envVar.positiveInt().default(30 * 24 * 3_600_000),
  ODX_ORCHESTRATOR_SWEEP_INTERVAL_MS: envVar.positiveInt().default(3_600_000),
  ODX_ORCHESTRATOR_JWT_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)'),
  ODX_ORCHESTRATOR_JWT_ISSUER: z.string().min(1).default('odx'),
  /** Audiences whose tokens the API accepts, comma-separated; the first is the one tokens are minted for. The default also takes replay-dlq's, so one `odx token` serves both ops APIs. */
  ODX_ORCHESTRATOR_JWT_AUDIENCE: audiences.default(['odx-orchestrator', 'odx-replay-dlq']),
  /** Create the catalog topics at start (off when the topics are managed elsewhere). */
  ODX_ORCHESTRATOR_PROVISION_TOPICS: envVar.bool().default(true),
});

export interface OrchestratorConfig {
  groupId: string;
  releaseMode: 'fulfillment-requested' | 'observe';
  retryDelaysMs: number[];
  policyDir: string;
  timers: { scanMs: number; slotMs: number; refireMs: number };
  bridges: { wms: { url: string | null; token: string | null }; tms: { url: string | null; token: string | null }; timeoutMs: number };
  partitionConcurrency: number;
  cacheSize: number;
  stockRefreshMs: number;
  /** Closed processes are deleted `retentionMs` after they closed, checked every `intervalMs`. */
  sweep: { retentionMs: number; intervalMs: number };
  /** null: no credit source (nothing owed, no limit). */
  odoo: { url: string; db: string; username: string; password: string; timeoutMs: number; cacheTtlMs: number } | null;
  auth: TokenSettings;
  /** Topic names as deployed (ODX_TOPIC_PREFIX applied). */
  topics: {
    orders: string;
    shipments: string;
    inventory: string;
    products: string;
    invoices: string;
    payments: string;
    process: string;
    inbox: string;
  };
  provisionTopics: boolean;
}

/** The orchestrator's own settings, fully defaulted (ODX_* runtime settings are read by the runtime; ODX_CASES_* by the desk). */
export function loadOrchestratorConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const e = parseEnv(schema, env);
  const token = e.ODX_ORCHESTRATOR_BRIDGE_TOKEN ?? null;
  return {
    groupId: e.ODX_ORCHESTRATOR_GROUP,
    releaseMode: e.ODX_ORCHESTRATOR_RELEASE_MODE,
    retryDelaysMs: e.ODX_ORCHESTRATOR_RETRY_DELAYS_MS,
    policyDir: e.ODX_ORCHESTRATOR_POLICY_DIR,
    timers: {
      scanMs: e.ODX_ORCHESTRATOR_TIMER_SCAN_MS,
      slotMs: e.ODX_ORCHESTRATOR_TIMER_SLOT_MS,
      refireMs: e.ODX_ORCHESTRATOR_TIMER_REFIRE_MS,
    },
    bridges: {
      wms: { url: e.ODX_ORCHESTRATOR_WMS_BRIDGE_URL, token },
      tms: { url: e.ODX_ORCHESTRATOR_TMS_BRIDGE_URL, token },
      timeoutMs: e.ODX_ORCHESTRATOR_CATCHUP_TIMEOUT_MS,
    },
    partitionConcurrency: e.ODX_ORCHESTRATOR_PARTITION_CONCURRENCY,
    cacheSize: e.ODX_ORCHESTRATOR_CACHE_SIZE,
    stockRefreshMs: e.ODX_ORCHESTRATOR_STOCK_REFRESH_MS,
    sweep: { retentionMs: e.ODX_ORCHESTRATOR_CLOSED_RETENTION_MS, intervalMs: e.ODX_ORCHESTRATOR_SWEEP_INTERVAL_MS },
    odoo:
      e.ODX_ORCHESTRATOR_CREDIT_SOURCE === 'odoo'
        ? {
            url: e.ODOO_URL,
            db: e.ODOO_DB,
            username: e.ODOO_USERNAME,
            password: e.ODOO_PASSWORD,
            timeoutMs: e.ODOO_TIMEOUT_MS,
            cacheTtlMs: e.ODX_ORCHESTRATOR_CREDIT_CACHE_MS,
          }
        : null,
    auth: { secret: e.ODX_ORCHESTRATOR_JWT_SECRET, issuer: e.ODX_ORCHESTRATOR_JWT_ISSUER, audience: e.ODX_ORCHESTRATOR_JWT_AUDIENCE },
    topics: {
      orders: catalogTopicName('odx.orders.v1', env),
      shipments: catalogTopicName('odx.shipments.v1', env),
      inventory: catalogTopicName('odx.inventory.v1', env),
      products: catalogTopicName('odx.products.v1', env),
      invoices: catalogTopicName('odx.invoices.v1', env),
      payments: catalogTopicName('odx.payments.v1', env),
      process: catalogTopicName('odx.process.v1', env),
      inbox: catalogTopicName('odx.orchestrator.inbox.v1', env),
    },
    provisionTopics: e.ODX_ORCHESTRATOR_PROVISION_TOPICS,
  };
}
