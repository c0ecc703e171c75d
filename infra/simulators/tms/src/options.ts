import { MAX_JSON_DEPTH, type DeliveryPolicy, type FaultConfigInput } from '@odx/sim-wms/kit';

/** Delays between tracking milestones after a booking. */
export interface TrackingDelays {
  /** booked → picked_up */
  pickupMs: number;
  /** picked_up → in_transit */
  inTransitMs: number;
  /** in_transit → out_for_delivery */
  outForDeliveryMs: number;
  /** out_for_delivery → delivered */
  deliveredMs: number;
}

/** Everything optional; see `compileTmsOptions` for the defaults. */
export interface TmsSimulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 8071 */
  port?: number;
  /** Bearer token of `/sim/admin`. @default 'sim-admin' */
  adminToken?: string;
  /** Subscribes this URL to every event at start. */
  webhookUrl?: string;
  /** Standard Webhooks secret (`whsec_` + base64). @default DEFAULT_WEBHOOK_SECRET */
  webhookSecret?: string;
  /** @default { pickupMs: 30000, inTransitMs: 30000, outForDeliveryMs: 30000, deliveredMs: 30000 } */
  tracking?: Partial<TrackingDelays>;
  /** Emit tracking milestones on timers; when false only the admin advance endpoint moves shipments. @default true */
  autoAdvance?: boolean;
  /** Chance that a shipment in transit reports a DELAYED exception before going on. @default 0 */
  exceptionRate?: number;
  /** How long a quote can be booked. @default 900000 (15 min) */
  quoteTtlMs?: number;
  /** @default 'EUR' */
  currency?: string;
  /** @default { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 60000, timeoutMs: 10000 } */
  delivery?: Partial<DeliveryPolicy>;
  /** Faults active from the start (and after reset). @default {} */
  faults?: FaultConfigInput;
  /** Randomness of fault injection and exceptions. @default Math.random */
  random?: () => number;
  /** @default 10000 */
  maxDeliveryLog?: number;
  /** Objects/arrays within each other in a JSON body (deeper: 400 `json_too_deep`). @default 64 */
  maxJsonDepth?: number;
}

export interface CompiledTmsOptions {
  host: string;
  port: number;
  adminToken: string;
  webhookUrl: string | null;
  webhookSecret: string;
  tracking: TrackingDelays;
  autoAdvance: boolean;
  exceptionRate: number;
  quoteTtlMs: number;
  currency: string;
  delivery: DeliveryPolicy;
  faults: FaultConfigInput;
  random: () => number;
  maxDeliveryLog: number;
  maxJsonDepth: number;
}

/** A development secret; override it anywhere that is not a laptop. */
export const DEFAULT_WEBHOOK_SECRET = 'whsec_b2R4LXNpbXVsYXRvci13ZWJob29rLXNlY3JldC1kZXY=';

/** Millisecond timings for tests. */
export const TEST_TIMINGS = {
  tracking: { pickupMs: 30, inTransitMs: 30, outForDeliveryMs: 30, deliveredMs: 30 },
  delivery: { maxAttempts: 8, initialDelayMs: 20, maxDelayMs: 200, timeoutMs: 5000 },
} as const;

export function compileTmsOptions(options: TmsSimulatorOptions = {}): CompiledTmsOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8071,
    adminToken: options.adminToken ?? 'sim-admin',
    webhookUrl: options.webhookUrl ?? null,
    webhookSecret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET,
    tracking: { pickupMs: 30_000, inTransitMs: 30_000, outForDeliveryMs: 30_000, deliveredMs: 30_000, ...options.tracking },
    autoAdvance: options.autoAdvance ?? true,
    exceptionRate: options.exceptionRate ?? 0,
    quoteTtlMs: options.quoteTtlMs ?? 900_000,
    currency: options.currency ?? 'EUR',
    delivery: { maxAttempts: 5, initialDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 10_000, ...options.delivery },
    faults: options.faults ?? {},
    random: options.random ?? Math.random,
    maxDeliveryLog: options.maxDeliveryLog ?? 10_000,
    maxJsonDepth: options.maxJsonDepth ?? MAX_JSON_DEPTH,
  };
}
