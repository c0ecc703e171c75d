import { z } from 'zod';
import { decimalProblem, formatUnits, toUnits } from './amounts.js';

const amount = z
  .string({
    error: (i) =>
      i.input === undefined
        ? 'required: a decimal amount as a string, e.g. "500.00"'
        : `expected a decimal amount as a string, e.g. "500.00"${typeof i.input === 'number' ? ' (quote it: YAML reads bare numbers as floats)' : ''}`,
  })
  .superRefine((text, ctx) => {
    const problem = decimalProblem(text);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    else if (text.trim().startsWith('-')) ctx.addIssue({ code: 'custom', message: `must not be negative, got "${text}"` });
  });

const customerCode = z.string().regex(/^\S(.{0,62}\S)?$/, 'a customer code of 1 to 64 characters without leading or trailing spaces');

/** infra/orchestrator/credit.yaml */
export const creditFileSchema = z.strictObject({
  /** ISO 4217 code of the company currency, which Odoo keeps credit limits and receivables in. */
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code, e.g. USD'),
  /** Orders whose total is under this amount are approved without a check; "0" checks every order. */
  approveBelow: amount,
  /** Customers approved whatever they owe (customer codes, e.g. C00042). */
  autoApproveCustomers: z.array(customerCode).default([]),
  /** What to do for a customer without a credit limit of its own (Odoo credit_limit 0): approve or hold. */
  withoutLimit: z.enum(['approve', 'hold'], { error: 'expected approve or hold' }),
});

export interface CreditPolicy {
  currency: string;
  approveBelow: string;
  autoApproveCustomers: ReadonlySet<string>;
  withoutLimit: 'approve' | 'hold';
}

export function compileCreditPolicy(file: z.output<typeof creditFileSchema>): CreditPolicy {
  return {
    currency: file.currency,
    approveBelow: file.approveBelow.trim(),
    autoApproveCustomers: new Set(file.autoApproveCustomers),
    withoutLimit: file.withoutLimit,
  };
}

export interface CreditInput {
  /** Customer code (Party.ref), else its Odoo partner id: what autoApproveCustomers lists. */
  customerId: string;
  /** The order's total, tax included, as a decimal string. */
  orderTotal: string;
  /** The order's currency; absent means the company currency. */
  currency?: string | null;
  /** Posted, not fully paid customer invoices minus open credit notes, in the company currency. */
  openReceivables: string;
  /** Odoo's credit_limit; null (or "0", as Odoo stores "no limit") when the customer has none of its own. */
  creditLimit: string | null;
}

/** Which rule decided; stable names for metrics, case reasons and tests. */
export type CreditRule =
  'auto-approved-customer' | 'below-threshold' | 'other-currency' | 'no-credit-limit' | 'within-credit-limit' | 'over-credit-limit';

export interface CreditDecision {
  decision: 'approve' | 'hold';
  rule: CreditRule;
  /** One sentence for the process history and the case, with the amounts compared. */
  detail: string;
}

/**
 * The credit check of one order. In order: listed customers are approved;
 * an order in another currency is held (limits and the threshold are in the
 * company currency and the policy converts nothing); orders under
 * `approveBelow` are approved; a customer without a limit is approved or
 * held as `withoutLimit` says; otherwise the order is held when open
 * receivables plus the order exceed the limit (equal is within). Exact decimal
 * comparisons. Pure; throws PolicyInputError when an amount is not a decimal
 * string.
 */
export function decideCredit(input: CreditInput, policy: { credit: CreditPolicy }): CreditDecision {
  const early = decideWithoutFacts(input, policy.credit);
  if (early) return early;
  const p = policy.credit;
  const total = toUnits(input.orderTotal, 'decideCredit orderTotal');
  const open = toUnits(input.openReceivables, 'decideCredit openReceivables');
  const limit = input.creditLimit === null ? null : toUnits(input.creditLimit, 'decideCredit creditLimit');
  const money = (units: bigint): string => `${formatUnits(units)} ${p.currency}`;
  if (limit === null || limit === 0n) {
    return {
      decision: p.withoutLimit,
      rule: 'no-credit-limit',
      detail: `customer ${input.customerId} has no credit limit of its own; the policy says ${p.withoutLimit} (withoutLimit)`,
    };
  }
  const exposure = open + total;
  const sum = `open receivables ${money(open)} + order ${money(total)} = ${money(exposure)}`;
  if (exposure > limit) {
    return {
      decision: 'hold',
      rule: 'over-credit-limit',
      detail: `${sum} exceeds the credit limit ${money(limit)} by ${money(exposure - limit)}`,
    };
  }
  return { decision: 'approve', rule: 'within-credit-limit', detail: `${sum} is within the credit limit ${money(limit)}` };
}

/**
 * Whether deciding this order needs the customer's limit and receivables: false when a rule
 * that reads neither decides (listed customer, other currency, under the threshold), so the
 * caller can skip the Odoo read. Pure.
 */
export function creditFactsNeeded(
  order: Pick<CreditInput, 'customerId' | 'orderTotal' | 'currency'>,
  policy: { credit: CreditPolicy },
): boolean {
  return decideWithoutFacts(order, policy.credit) === null;
}

/** The rules that need neither the limit nor the receivables; null when none decides. */
function decideWithoutFacts(input: Pick<CreditInput, 'customerId' | 'orderTotal' | 'currency'>, p: CreditPolicy): CreditDecision | null {
  const total = toUnits(input.orderTotal, 'decideCredit orderTotal');
  if (p.autoApproveCustomers.has(input.customerId)) {
    return {
      decision: 'approve',
      rule: 'auto-approved-customer',
      detail: `customer ${input.customerId} is approved without a credit check (autoApproveCustomers)`,
    };
  }
  if (input.currency && input.currency !== p.currency) {
    return {
      decision: 'hold',
      rule: 'other-currency',
      detail: `order total ${formatUnits(total)} ${input.currency} is not in ${p.currency}, the currency of credit limits; review it by hand`,
    };
  }
  const threshold = toUnits(p.approveBelow, 'credit policy approveBelow');
  if (total < threshold) {
    return {
      decision: 'approve',
      rule: 'below-threshold',
      detail: `order total ${formatUnits(total)} ${p.currency} is under the approval threshold ${formatUnits(threshold)} ${p.currency}`,
    };
  }
  return null;
}
