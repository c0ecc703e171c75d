import { z } from 'zod';

const status = z.union([z.literal(500), z.literal(503), z.literal(429)]);
const routes = z.array(z.string().min(1).max(200)).max(50);

/**
 * Fault-injection settings, as the admin API reads and writes them. Every
 * section has defaults that inject nothing.
 */
export const faultConfigSchema = z
  .object({
    /** Added to every API response: `fixedMs` plus a uniform `0..jitterMs`. */
    latency: z
      .object({
        fixedMs: z.number().int().min(0).max(600_000).default(0),
        jitterMs: z.number().int().min(0).max(600_000).default(0),
      })
      .strict()
      .prefault({}),
    /** A share of API calls fails with one of `statuses`; 429 carries Retry-After. */
    errors: z
      .object({
        rate: z.number().min(0).max(1).default(0),
        statuses: z.array(status).min(1).default([500, 503]),
        retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
        routes: routes.default([]),
      })
      .strict()
      .prefault({}),
    /** The next `count` API calls fail with `status` (deterministic, for tests). */
    failNext: z
      .object({
        count: z.number().int().min(0).max(1_000_000).default(0),
        status: status.default(503),
        retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
        routes: routes.default([]),
      })
      .strict()
      .prefault({}),
    /**
     * Matching requests do their work (the order is created, the shipment is
     * booked) but the answer is lost: `hang` never answers, `late` answers
     * after `lateMs`, `reset` drops the connection. `count` null = every one.
     */
    timeoutButSucceed: z
      .object({
        routes: routes.default([]),
        mode: z.enum(['hang', 'late', 'reset']).default('hang'),
        lateMs: z.number().int().min(0).max(600_000).default(30_000),
        count: z.number().int().min(0).nullable().default(null),
      })
      .strict()
      .prefault({}),
    /**
     * Matching requests do their work but the answer arrives damaged, status
     * 200 all the same (a proxy cutting the stream, a misrouted gateway page):
     * `truncated` sends the first half of the JSON body, `html` an HTML page.
     * `count` null = every one.
     */
    malformedResponses: z
      .object({
        routes: routes.default([]),
        mode: z.enum(['truncated', 'html']).default('truncated'),
        count: z.number().int().min(0).nullable().default(null),
      })
      .strict()
      .prefault({}),
    /** Requests whose body has one of `values` at `field` (`lines.*.sku`) are refused. */
    rejections: z
      .array(
        z
          .object({
            route: z.string().min(1).max(200),
            field: z.string().min(1).max(200),
            values: z.array(z.union([z.string(), z.number()])).min(1).max(1000),
            status: z.number().int().min(400).max(499).default(422),
            message: z.string().max(500).default('rejected by the simulator'),
          })
          .strict(),
      )
      .max(100)
      .default([]),
    /** Webhook delivery disorder. */
    webhooks: z
      .object({
        /** Share of messages delivered twice (same webhook-id). */
        duplicateRate: z.number().min(0).max(1).default(0),
        duplicateDelayMs: z.number().int().min(0).max(600_000).default(20),
        /** Messages created within this window are held and sent newest first. */
        outOfOrderWindowMs: z.number().int().min(0).max(600_000).default(0),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type FaultConfig = z.output<typeof faultConfigSchema>;
export type FaultConfigInput = z.input<typeof faultConfigSchema>;

export interface DowntimeWindow {
  from: Date;
  to: Date;
}

/** How many times each kind of fault was injected since the last reset. */
export interface FaultCounters {
  latency: number;
  errors: number;
  downtime: number;
  timeoutButSucceed: number;
  malformedResponses: number;
  rejections: number;
  webhookDuplicates: number;
  webhookReordered: number;
  webhookReplays: number;
}

function emptyCounters(): FaultCounters {
  return { latency: 0, errors: 0, downtime: 0, timeoutButSucceed: 0, malformedResponses: 0, rejections: 0, webhookDuplicates: 0, webhookReordered: 0, webhookReplays: 0 };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Holds the live fault settings of one simulator. */
export class FaultController {
  #config: FaultConfig;
  #downtime: DowntimeWindow[] = [];
  #counters = emptyCounters();

  constructor(
    private readonly initial: FaultConfigInput = {},
    readonly random: () => number = Math.random,
  ) {
    this.#config = faultConfigSchema.parse(initial);
  }

  get config(): FaultConfig {
    return this.#config;
  }

  get counters(): FaultCounters {
    return this.#counters;
  }

  /** Replaces every section (missing sections go back to defaults). Throws ZodError. */
  replace(input: unknown): FaultConfig {
    this.#config = faultConfigSchema.parse(input);
    return this.#config;
  }

  /** Merges the given sections into the current ones (arrays are replaced). Throws ZodError. */
  patch(input: unknown): FaultConfig {
    if (!isPlainObject(input)) return this.replace(input);
    const current: Record<string, unknown> = { ...this.#config };
    for (const [key, value] of Object.entries(input)) {
      const existing = current[key];
      current[key] = isPlainObject(value) && isPlainObject(existing) ? { ...existing, ...value } : value;
    }
    this.#config = faultConfigSchema.parse(current);
    return this.#config;
  }

  /** Every API call answers 503 between `from` and `to`. */
  addDowntime(window: DowntimeWindow): void {
    this.#downtime.push(window);
  }

  clearDowntime(): void {
    this.#downtime = [];
  }

  /** The active window that ends last, if `now` falls in one. */
  activeDowntime(now = new Date()): DowntimeWindow | undefined {
    let active: DowntimeWindow | undefined;
    for (const w of this.#downtime) {
      if (w.from <= now && now < w.to && (active === undefined || w.to > active.to)) active = w;
    }
    return active;
  }

  get downtimeWindows(): readonly DowntimeWindow[] {
    const now = new Date();
    return this.#downtime.filter((w) => w.to > now);
  }

  count(kind: keyof FaultCounters): void {
    this.#counters[kind] += 1;
  }

  /** Back to the options the simulator started with. */
  reset(): void {
    this.#config = faultConfigSchema.parse(this.initial);
    this.#downtime = [];
    this.#counters = emptyCounters();
  }

  /** What the admin API shows. */
  snapshot(): { config: FaultConfig; downtime: Array<{ from: string; to: string }>; injected: FaultCounters } {
    return {
      config: this.#config,
      downtime: this.downtimeWindows.map((w) => ({ from: w.from.toISOString(), to: w.to.toISOString() })),
      injected: { ...this.#counters },
    };
  }
}
