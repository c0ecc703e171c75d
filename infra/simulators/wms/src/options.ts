import { MAX_JSON_DEPTH } from '@odx/runtime/http';
import type { DeliveryPolicy, FaultConfigInput } from './kit/index.js';

/** Delays between the steps of an outbound order. */
export interface StepDelays {
  /** received → picked */
  pickMs: number;
  /** picked → packed */
  packMs: number;
  /** packed → shipped */
  shipMs: number;
}

export interface StockSeed {
  warehouse: string;
  sku: string;
  onHand: number;
}

/** Everything optional; see `compileWmsOptions` for the defaults. */
export interface WmsSimulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** 0 picks a free port. @default 8070 */
  port?: number;
  /** Bearer token of `/sim/admin`. @default 'sim-admin' */
  adminToken?: string;
  /** Subscribes this URL to every event at start. */
  webhookUrl?: string;
  /** Standard Webhooks secret (`whsec_` + base64). @default DEFAULT_WEBHOOK_SECRET */
  webhookSecret?: string;
  /** @default { pickMs: 5000, packMs: 5000, shipMs: 10000 } */
  steps?: Partial<StepDelays>;
  /** Advance orders on timers; when false only `POST /sim/admin/orders/:id/advance` moves them. @default true */
  autoAdvance?: boolean;
  /** @default { maxAttempts: 5, initialDelayMs: 1000, maxDelayMs: 60000, timeoutMs: 10000 } */
  delivery?: Partial<DeliveryPolicy>;
  /** Warehouse codes the WMS knows; other codes get 422. @default ['WH', 'WH2'] */
  warehouses?: string[];
  /** Initial stock. @default [] */
  inventory?: StockSeed[];
  /** What an order for a SKU the warehouse has never stocked does. @default 'autoCreate' */
  unknownSku?: 'autoCreate' | 'reject';
  /** On-hand quantity of an auto-created SKU. @default 1000 */
  autoCreateOnHand?: number;
  /** GS1 company prefix in SSCCs. @default '0614141' */
  gs1CompanyPrefix?: string;
  /** Faults active from the start (and after reset). @default {} */
  faults?: FaultConfigInput;
  /** Randomness of fault injection. @default Math.random */
  random?: () => number;
  /** @default 10000 */
  maxDeliveryLog?: number;
  /** Objects/arrays within each other in a JSON body (deeper: 400 `json_too_deep`). @default 64 */
  maxJsonDepth?: number;
}

export interface CompiledWmsOptions {
  host: string;
  port: number;
  adminToken: string;
  webhookUrl: string | null;
  webhookSecret: string;
  steps: StepDelays;
  autoAdvance: boolean;
  delivery: DeliveryPolicy;
  warehouses: string[];
  inventory: StockSeed[];
  unknownSku: 'autoCreate' | 'reject';
  autoCreateOnHand: number;
  gs1CompanyPrefix: string;
  faults: FaultConfigInput;
  random: () => number;
  maxDeliveryLog: number;
  maxJsonDepth: number;
}

/** A development secret; override it anywhere that is not a laptop. */
export const DEFAULT_WEBHOOK_SECRET = 'whsec_b2R4LXNpbXVsYXRvci13ZWJob29rLXNlY3JldC1kZXY=';

/** Millisecond timings for tests: orders move and webhooks retry within a few hundred ms. */
export const TEST_TIMINGS = {
  steps: { pickMs: 30, packMs: 30, shipMs: 30 },
  delivery: { maxAttempts: 8, initialDelayMs: 20, maxDelayMs: 200, timeoutMs: 5000 },
} as const;

export function compileWmsOptions(options: WmsSimulatorOptions = {}): CompiledWmsOptions {
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 8070,
    adminToken: options.adminToken ?? 'sim-admin',
    webhookUrl: options.webhookUrl ?? null,
    webhookSecret: options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET,
    steps: { pickMs: 5_000, packMs: 5_000, shipMs: 10_000, ...options.steps },
    autoAdvance: options.autoAdvance ?? true,
    delivery: { maxAttempts: 5, initialDelayMs: 1_000, maxDelayMs: 60_000, timeoutMs: 10_000, ...options.delivery },
    warehouses: options.warehouses ?? ['WH', 'WH2'],
    inventory: options.inventory ?? [],
    unknownSku: options.unknownSku ?? 'autoCreate',
    autoCreateOnHand: options.autoCreateOnHand ?? 1_000,
    gs1CompanyPrefix: options.gs1CompanyPrefix ?? '0614141',
    faults: options.faults ?? {},
    random: options.random ?? Math.random,
    maxDeliveryLog: options.maxDeliveryLog ?? 10_000,
    maxJsonDepth: options.maxJsonDepth ?? MAX_JSON_DEPTH,
  };
}
