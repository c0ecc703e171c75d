import { z } from 'zod';
import { PolicyInputError } from './amounts.js';
import { parseDuration } from './duration.js';

/**
 * The steps of order to cash that have an SLA, in process order. The same
 * names as the process's StepName (src/process/steps.ts).
 */
export const SLA_STEPS = [
  'credit',
  'allocation',
  'release',
  'pick-pack',
  'carrier-booking',
  'dispatch',
  'delivery',
  'invoice',
  'payment',
] as const;
export type SlaStep = (typeof SLA_STEPS)[number];

/** What an order's step is matched on: the order's customer, EDI partner, carrier and shipping warehouse. */
export interface SlaContext {
  /** Customer code (Party.ref, e.g. C00042), else its Odoo partner id. */
  customerId?: string | null;
  /** EDI trading-partner profile id (infra/partners/<id>.yaml), when the order came by EDI. */
  partnerId?: string | null;
  /** Carrier code as the order or booking names it (SCAC or Odoo carrier code). */
  carrierCode?: string | null;
  /** Shipping warehouse code (Odoo stock.warehouse code, e.g. WH). */
  warehouseCode?: string | null;
}

/**
 * Override dimensions in precedence order, most specific first: a customer's
 * contract beats the EDI partner's agreement (a partner can cover several
 * customers), which beats the carrier's and then the warehouse's usual times
 * (each covers many customers). The step's `default` applies when none match.
 */
export const SLA_PRECEDENCE = ['customers', 'partners', 'carriers', 'warehouses'] as const;
type Dimension = (typeof SLA_PRECEDENCE)[number];
const CONTEXT_FIELD: Record<Dimension, keyof SlaContext> = {
  customers: 'customerId',
  partners: 'partnerId',
  carriers: 'carrierCode',
  warehouses: 'warehouseCode',
};

const durationMs = z
  .string({
    error: (i) => (i.input === undefined ? 'required: a duration like 30m' : 'expected a duration like 30m (a string: 90s, 30m, 4h, 1d)'),
  })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (typeof ms === 'number') return ms;
    ctx.issues.push({ code: 'custom', message: ms.problem, input: text });
    return z.NEVER;
  });

const code = z.string().regex(/^\S(.{0,62}\S)?$/, 'a code of 1 to 64 characters without leading or trailing spaces');
const overrides = z.record(code, durationMs).optional();

const stepSla = z.strictObject({
  /** How long the step may take before it is overdue. */
  default: durationMs,
  customers: overrides,
  partners: overrides,
  carriers: overrides,
  warehouses: overrides,
});

const stepShape = Object.fromEntries(SLA_STEPS.map((s) => [s, stepSla])) as Record<SlaStep, typeof stepSla>;

/** infra/orchestrator/sla.yaml */
export const slaFileSchema = z.strictObject({ steps: z.strictObject(stepShape) });

/** One step's SLA in milliseconds: the default and the overrides by dimension. */
export interface StepSla {
  defaultMs: number;
  overrides: Record<Dimension, ReadonlyMap<string, number>>;
}
export interface SlaPolicy {
  steps: Record<SlaStep, StepSla>;
}

/** The validated file as the policy functions read it. */
export function compileSlaPolicy(file: z.output<typeof slaFileSchema>): SlaPolicy {
  const steps = {} as Record<SlaStep, StepSla>;
  for (const step of SLA_STEPS) {
    const s = file.steps[step];
    steps[step] = {
      defaultMs: s.default,
      overrides: {
        customers: new Map(Object.entries(s.customers ?? {})),
        partners: new Map(Object.entries(s.partners ?? {})),
        carriers: new Map(Object.entries(s.carriers ?? {})),
        warehouses: new Map(Object.entries(s.warehouses ?? {})),
      },
    };
  }
  return { steps };
}

/**
 * How long `step` may take for an order, in ms: the first override that
 * matches in {@link SLA_PRECEDENCE} order (customer, partner, carrier,
 * warehouse), else the step's default. Pure.
 */
export function slaFor(step: SlaStep, ctx: SlaContext, policy: { sla: SlaPolicy }): number {
  if (!Object.hasOwn(policy.sla.steps, step))
    throw new PolicyInputError(`slaFor: unknown step ${JSON.stringify(step)} (one of ${SLA_STEPS.join(', ')})`);
  const s = policy.sla.steps[step];
  for (const dim of SLA_PRECEDENCE) {
    const key = ctx[CONTEXT_FIELD[dim]];
    if (key === undefined || key === null) continue;
    const ms = s.overrides[dim].get(key);
    if (ms !== undefined) return ms;
  }
  return s.defaultMs;
}
