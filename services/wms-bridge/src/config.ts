import { catalogTopicName, compileCatchUpOptions, envVar, parseEnv, type CompiledCatchUpOptions } from '@odx/runtime';
import { z } from 'zod';
import { toUnits } from './inventory/compare-stock.js';

const warehouseMap = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0),
  )
  .pipe(z.array(z.string().regex(/^[^=\s]+=[^=\s]+$/, 'entries look like ODOO_CODE=WMS_CODE, e.g. WH1=WH')))
  .transform((pairs) => Object.fromEntries(pairs.map((p) => p.split('=') as [string, string])));

const delays = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0)
      .map(Number),
  )
  .pipe(z.array(z.number().int().positive()).min(1, 'must name at least one delay'));

const schema = z.object({
  WMS_URL: envVar.url().default('http://127.0.0.1:8070'),
  /** Sent as `Authorization: Bearer <key>` when set. */
  WMS_API_KEY: z.string().min(1).optional(),
  WMS_TIMEOUT_MS: envVar.positiveInt().default(10_000),
  /** Standard Webhooks secret (`whsec_` + base64, or any string used as UTF-8 bytes). */
  WMS_WEBHOOK_SECRET: envVar.webhookSecret(),
  WMS_WEBHOOK_TOLERANCE_SECONDS: envVar.positiveInt().default(300),
  /** ODX (Odoo stock.warehouse) code to WMS warehouse code; unmapped codes pass through. */
  WMS_WAREHOUSE_MAP: warehouseMap.optional(),
  /** WMS warehouse for orders that name none. */
  WMS_DEFAULT_WAREHOUSE: z.string().min(1).default('WH'),
  WMS_CIRCUIT_RESET_MS: envVar.positiveInt().default(10_000),
  WMS_CIRCUIT_ERROR_PERCENT: envVar.positiveInt().default(50),
  WMS_CIRCUIT_VOLUME: envVar.positiveInt().default(5),
  ODX_WMS_BRIDGE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (it names retry and DLQ topics)')
    .default('wms-bridge'),
  ODX_WMS_BRIDGE_ORDERS_TOPIC: z.string().min(1).optional(),
  ODX_WMS_BRIDGE_SHIPMENTS_TOPIC: z.string().min(1).optional(),
  ODX_WMS_BRIDGE_INVENTORY_TOPIC: z.string().min(1).optional(),
  ODX_WMS_BRIDGE_PURCHASING_TOPIC: z.string().min(1).optional(),
  ODX_WMS_BRIDGE_RETURNS_TOPIC: z.string().min(1).optional(),
  ODX_WMS_BRIDGE_RETRY_DELAYS_MS: delays.default([1_000, 10_000, 60_000]),
  ODX_WMS_BRIDGE_PARTITION_CONCURRENCY: envVar.positiveInt().default(3),
  /** Which events release work to the WMS: OrderConfirmed (odx.orders.v1), FulfillmentRequested (odx.shipments.v1), or both. */
  ODX_WMS_BRIDGE_RELEASE_ON: z.enum(['order-confirmed', 'fulfillment-requested', 'both']).default('order-confirmed'),
  /** Scheduled inventory reconciliation; 0 = only on demand (POST /v1/reconciliations). */
  WMS_RECONCILE_INTERVAL_MS: envVar.nonNegativeInt().default(6 * 3_600_000),
  /** Largest |WMS − Odoo| on-hand difference that is not reported. */
  WMS_RECONCILE_TOLERANCE: z
    .string()
    .trim()
    .regex(/^\d{1,10}(\.\d{1,4})?$/, 'a non-negative decimal with at most 4 places, e.g. 0 or 0.5')
    .default('0'),
  /** How long per-order state (WMS refs, cancellations, published stages) is kept. */
  ODX_WMS_BRIDGE_STATE_RETENTION_MS: envVar.positiveInt().default(30 * 24 * 3_600_000),
  ODX_WMS_BRIDGE_SWEEP_INTERVAL_MS: envVar.positiveInt().default(3_600_000),
  /** Catch-up for lost webhooks: pause between runs over the WMS's changed orders; 0 = only on demand (POST /v1/catch-up). */
  ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS: envVar.nonNegativeInt().default(60_000),
  /** Each run re-reads this far behind its cursor (clock skew, late commits in the WMS). */
  ODX_WMS_BRIDGE_CATCHUP_OVERLAP_MS: envVar.nonNegativeInt().default(30_000),
  /** Orders per page of GET /v1/outbound-orders (the WMS allows up to 1000). */
  ODX_WMS_BRIDGE_CATCHUP_PAGE_SIZE: envVar.positiveInt().max(1_000, 'must be at most 1000 (the WMS page limit)').default(100),
  /** How far back the first run reads when no cursor is stored yet. */
  ODX_WMS_BRIDGE_CATCHUP_INITIAL_LOOKBACK_MS: envVar.nonNegativeInt().default(24 * 3_600_000),
  /** Orders of one page caught up at once. */
  ODX_WMS_BRIDGE_CATCHUP_CONCURRENCY: envVar.positiveInt().max(64, 'must be at most 64').default(4),
  /** Create the catalog topics at start (off when the topics are managed elsewhere, and in tests). */
  ODX_WMS_BRIDGE_PROVISION_TOPICS: envVar.bool().default(true),
});

export interface WmsBridgeConfig {
  wms: { url: string; apiKey: string | null; timeoutMs: number };
  circuit: { resetTimeoutMs: number; errorThresholdPercentage: number; volumeThreshold: number };
  webhook: { secret: string; toleranceSeconds: number };
  warehouses: { map: Record<string, string>; defaultWarehouse: string };
  topics: { orders: string; shipments: string; inventory: string; purchasing: string; returns: string };
  consumer: { groupId: string; retryDelaysMs: number[]; partitionConcurrency: number };
  releaseOn: ReleaseMode;
  reconciliation: { intervalMs: number; tolerance: bigint };
  state: { retentionMs: number; sweepIntervalMs: number };
  /** Catch-up over the WMS's changed orders (webhooks are lossy). */
  catchUp: CompiledCatchUpOptions;
  provisionTopics: boolean;
}

export type ReleaseMode = 'order-confirmed' | 'fulfillment-requested' | 'both';

/** The bridge's own settings, fully defaulted (ODX_* runtime settings are read by the runtime). */
export function loadBridgeConfig(env: NodeJS.ProcessEnv = process.env): WmsBridgeConfig {
  const e = parseEnv(schema, env);
  return {
    wms: { url: e.WMS_URL.replace(/\/+$/, ''), apiKey: e.WMS_API_KEY ?? null, timeoutMs: e.WMS_TIMEOUT_MS },
    circuit: {
      resetTimeoutMs: e.WMS_CIRCUIT_RESET_MS,
      errorThresholdPercentage: e.WMS_CIRCUIT_ERROR_PERCENT,
      volumeThreshold: e.WMS_CIRCUIT_VOLUME,
    },
    webhook: { secret: e.WMS_WEBHOOK_SECRET, toleranceSeconds: e.WMS_WEBHOOK_TOLERANCE_SECONDS },
    warehouses: { map: e.WMS_WAREHOUSE_MAP ?? {}, defaultWarehouse: e.WMS_DEFAULT_WAREHOUSE },
    topics: {
      orders: e.ODX_WMS_BRIDGE_ORDERS_TOPIC ?? catalogTopicName('odx.orders.v1', env),
      shipments: e.ODX_WMS_BRIDGE_SHIPMENTS_TOPIC ?? catalogTopicName('odx.shipments.v1', env),
      inventory: e.ODX_WMS_BRIDGE_INVENTORY_TOPIC ?? catalogTopicName('odx.inventory.v1', env),
      purchasing: e.ODX_WMS_BRIDGE_PURCHASING_TOPIC ?? catalogTopicName('odx.purchasing.v1', env),
      returns: e.ODX_WMS_BRIDGE_RETURNS_TOPIC ?? catalogTopicName('odx.returns.v1', env),
    },
    consumer: {
      groupId: e.ODX_WMS_BRIDGE_GROUP,
      retryDelaysMs: e.ODX_WMS_BRIDGE_RETRY_DELAYS_MS,
      partitionConcurrency: e.ODX_WMS_BRIDGE_PARTITION_CONCURRENCY,
    },
    releaseOn: e.ODX_WMS_BRIDGE_RELEASE_ON,
    reconciliation: { intervalMs: e.WMS_RECONCILE_INTERVAL_MS, tolerance: toUnits(e.WMS_RECONCILE_TOLERANCE) },
    state: { retentionMs: e.ODX_WMS_BRIDGE_STATE_RETENTION_MS, sweepIntervalMs: e.ODX_WMS_BRIDGE_SWEEP_INTERVAL_MS },
    catchUp: compileCatchUpOptions({
      intervalMs: e.ODX_WMS_BRIDGE_CATCHUP_INTERVAL_MS,
      overlapMs: e.ODX_WMS_BRIDGE_CATCHUP_OVERLAP_MS,
      pageSize: e.ODX_WMS_BRIDGE_CATCHUP_PAGE_SIZE,
      initialLookbackMs: e.ODX_WMS_BRIDGE_CATCHUP_INITIAL_LOOKBACK_MS,
      concurrency: e.ODX_WMS_BRIDGE_CATCHUP_CONCURRENCY,
    }),
    provisionTopics: e.ODX_WMS_BRIDGE_PROVISION_TOPICS,
  };
}
