import { catalogTopicName, compileCatchUpOptions, envVar, parseEnv, type CompiledCatchUpOptions } from '@odx/runtime';
import { z } from 'zod';
import { RATE_POLICIES, type RatePolicy } from './booking/choose-rate.js';
import type { TmsPlace } from './tms/tms-types.js';

const place = z
  .string()
  .trim()
  .regex(/^[A-Z]{2}:[^:,=]+(:[^:,=]+)?$/, 'looks like COUNTRY:POSTAL[:CITY], e.g. DE:10115:Berlin')
  .transform((s): TmsPlace => {
    const [countryCode, postalCode, city] = s.split(':') as [string, string, string | undefined];
    return { countryCode, postalCode, ...(city ? { city } : {}) };
  });

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0),
);

const shipFromMap = list
  .pipe(z.array(z.string().regex(/^[^=\s]+=[A-Z]{2}:[^:,=]+(:[^:,=]+)?$/, 'entries look like WAREHOUSE=COUNTRY:POSTAL[:CITY]')))
  .transform((pairs) =>
    Object.fromEntries(
      pairs.map((p) => {
        const [wh, rest] = p.split('=') as [string, string];
        return [wh, place.parse(rest)];
      }),
    ),
  );

const levelMap = list
  .pipe(
    z.array(
      z.string().regex(/^[^=\s]+=(economy|standard|express|freight)$/, 'entries look like ODX_LEVEL=economy|standard|express|freight'),
    ),
  )
  .transform((pairs) =>
    Object.fromEntries(
      pairs.map((p) => {
        const [k, v] = p.split('=') as [string, string];
        return [k.toUpperCase(), v];
      }),
    ),
  );

const delays = list.transform((xs) => xs.map(Number)).pipe(z.array(z.number().int().positive()).min(1, 'must name at least one delay'));

const dims = z
  .string()
  .regex(/^\d+(\.\d+)?x\d+(\.\d+)?x\d+(\.\d+)?$/, 'looks like LxWxH in cm, e.g. 40x30x20')
  .transform((s) => {
    const [lengthCm, widthCm, heightCm] = s.split('x').map(Number) as [number, number, number];
    return { lengthCm, widthCm, heightCm };
  });

const schema = z.object({
  TMS_URL: envVar.url().default('http://127.0.0.1:8071'),
  TMS_API_KEY: z.string().min(1).optional(),
  TMS_TIMEOUT_MS: envVar.positiveInt().default(10_000),
  TMS_WEBHOOK_SECRET: envVar.webhookSecret(),
  TMS_WEBHOOK_TOLERANCE_SECONDS: envVar.positiveInt().default(300),
  TMS_CIRCUIT_RESET_MS: envVar.positiveInt().default(10_000),
  TMS_CIRCUIT_ERROR_PERCENT: envVar.positiveInt().default(50),
  TMS_CIRCUIT_VOLUME: envVar.positiveInt().default(5),
  /** Rate choice: cheapest-on-time (default), cheapest, fastest. */
  TMS_RATE_POLICY: z.enum(RATE_POLICIES as [RatePolicy, ...RatePolicy[]]).default('cheapest-on-time'),
  /** A ceiling on transit days for every shipment (besides the order's promised date). */
  TMS_MAX_TRANSIT_DAYS: envVar.positiveInt().optional(),
  /** TMS carrier codes never booked, e.g. NRL. */
  TMS_EXCLUDED_CARRIERS: list.default([]),
  /** Order service level (GROUND, 2DAY, LTL, ...) to TMS level; common names are built in. */
  TMS_SERVICE_LEVEL_MAP: levelMap.optional(),
  /** ODX warehouse code to its dispatch place. */
  TMS_SHIP_FROM: shipFromMap.optional(),
  TMS_DEFAULT_SHIP_FROM: place.default({ countryCode: 'DE', postalCode: '10115', city: 'Berlin' }),
  /** Dimensions of packages the WMS packed without any. */
  TMS_DEFAULT_PACKAGE_CM: dims.default({ lengthCm: 40, widthCm: 30, heightCm: 20 }),
  /** Watchdog: a booked shipment with no tracking news for this long raises ShipmentException (DELAYED); 0 turns it off. */
  TMS_MILESTONE_TIMEOUT_MS: envVar.nonNegativeInt().default(48 * 3_600_000),
  TMS_WATCHDOG_INTERVAL_MS: envVar.positiveInt().default(60_000),
  ODX_TMS_BRIDGE_GROUP: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - (it names retry and DLQ topics)')
    .default('tms-bridge'),
  ODX_TMS_BRIDGE_ORDERS_TOPIC: z.string().min(1).optional(),
  ODX_TMS_BRIDGE_SHIPMENTS_TOPIC: z.string().min(1).optional(),
  ODX_TMS_BRIDGE_RETRY_DELAYS_MS: delays.default([1_000, 10_000, 60_000]),
  ODX_TMS_BRIDGE_PARTITION_CONCURRENCY: envVar.positiveInt().default(3),
  /** Catch-up for lost tracking webhooks: pause between runs over the TMS's changed shipments; 0 = only on demand (POST /v1/catch-up). */
  ODX_TMS_BRIDGE_CATCHUP_INTERVAL_MS: envVar.nonNegativeInt().default(60_000),
  /** Each run re-reads this far behind its cursor (clock skew, late commits in the TMS). */
  ODX_TMS_BRIDGE_CATCHUP_OVERLAP_MS: envVar.nonNegativeInt().default(30_000),
  /** Shipments per page of GET /v1/shipments (the TMS allows up to 1000). */
  ODX_TMS_BRIDGE_CATCHUP_PAGE_SIZE: envVar.positiveInt().max(1_000, 'must be at most 1000 (the TMS page limit)').default(100),
  /** How far back the first run reads when no cursor is stored yet. */
  ODX_TMS_BRIDGE_CATCHUP_INITIAL_LOOKBACK_MS: envVar.nonNegativeInt().default(24 * 3_600_000),
  /** Shipments of one page caught up at once. */
  ODX_TMS_BRIDGE_CATCHUP_CONCURRENCY: envVar.positiveInt().max(64, 'must be at most 64').default(4),
  ODX_TMS_BRIDGE_PROVISION_TOPICS: envVar.bool().default(true),
});

export interface TmsBridgeConfig {
  tms: { url: string; apiKey: string | null; timeoutMs: number };
  circuit: { resetTimeoutMs: number; errorThresholdPercentage: number; volumeThreshold: number };
  webhook: { secret: string; toleranceSeconds: number };
  rating: {
    policy: RatePolicy;
    maxTransitDays: number | null;
    excludedCarriers: string[];
    serviceLevelMap: Record<string, string>;
    shipFrom: Record<string, TmsPlace>;
    defaultShipFrom: TmsPlace;
    defaultPackageCm: { lengthCm: number; widthCm: number; heightCm: number };
  };
  watchdog: { milestoneTimeoutMs: number; intervalMs: number };
  topics: { orders: string; shipments: string };
  consumer: { groupId: string; retryDelaysMs: number[]; partitionConcurrency: number };
  /** Catch-up over the TMS's changed shipments (webhooks are lossy). */
  catchUp: CompiledCatchUpOptions;
  provisionTopics: boolean;
}

/** The bridge's own settings, fully defaulted (ODX_* runtime settings are read by the runtime). */
export function loadBridgeConfig(env: NodeJS.ProcessEnv = process.env): TmsBridgeConfig {
  const e = parseEnv(schema, env);
  return {
    tms: { url: e.TMS_URL.replace(/\/+$/, ''), apiKey: e.TMS_API_KEY ?? null, timeoutMs: e.TMS_TIMEOUT_MS },
    circuit: {
      resetTimeoutMs: e.TMS_CIRCUIT_RESET_MS,
      errorThresholdPercentage: e.TMS_CIRCUIT_ERROR_PERCENT,
      volumeThreshold: e.TMS_CIRCUIT_VOLUME,
    },
    webhook: { secret: e.TMS_WEBHOOK_SECRET, toleranceSeconds: e.TMS_WEBHOOK_TOLERANCE_SECONDS },
    rating: {
      policy: e.TMS_RATE_POLICY,
      maxTransitDays: e.TMS_MAX_TRANSIT_DAYS ?? null,
      excludedCarriers: e.TMS_EXCLUDED_CARRIERS,
      serviceLevelMap: e.TMS_SERVICE_LEVEL_MAP ?? {},
      shipFrom: e.TMS_SHIP_FROM ?? {},
      defaultShipFrom: e.TMS_DEFAULT_SHIP_FROM,
      defaultPackageCm: e.TMS_DEFAULT_PACKAGE_CM,
    },
    watchdog: { milestoneTimeoutMs: e.TMS_MILESTONE_TIMEOUT_MS, intervalMs: e.TMS_WATCHDOG_INTERVAL_MS },
    topics: {
      orders: e.ODX_TMS_BRIDGE_ORDERS_TOPIC ?? catalogTopicName('odx.orders.v1', env),
      shipments: e.ODX_TMS_BRIDGE_SHIPMENTS_TOPIC ?? catalogTopicName('odx.shipments.v1', env),
    },
    consumer: {
      groupId: e.ODX_TMS_BRIDGE_GROUP,
      retryDelaysMs: e.ODX_TMS_BRIDGE_RETRY_DELAYS_MS,
      partitionConcurrency: e.ODX_TMS_BRIDGE_PARTITION_CONCURRENCY,
    },
    catchUp: compileCatchUpOptions({
      intervalMs: e.ODX_TMS_BRIDGE_CATCHUP_INTERVAL_MS,
      overlapMs: e.ODX_TMS_BRIDGE_CATCHUP_OVERLAP_MS,
      pageSize: e.ODX_TMS_BRIDGE_CATCHUP_PAGE_SIZE,
      initialLookbackMs: e.ODX_TMS_BRIDGE_CATCHUP_INITIAL_LOOKBACK_MS,
      concurrency: e.ODX_TMS_BRIDGE_CATCHUP_CONCURRENCY,
    }),
    provisionTopics: e.ODX_TMS_BRIDGE_PROVISION_TOPICS,
  };
}
