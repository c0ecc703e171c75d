// What the fold asks of the orchestrator's policy (src/policy implements it:
// credit rules, allocation rules, SLA per step). The fold only sees this port,
// so its unit tests can pass a policy of their own.
import type { StepName } from './steps.js';

export interface CreditCheck {
  /** Customer code (Party.ref), else the Odoo partner id. */
  customerId: string;
  orderTotal: string;
  currency: string | null;
  openReceivables: string;
  creditLimit: string | null;
}

export interface CreditOutcome {
  decision: 'approve' | 'hold';
  rule: string;
  detail: string;
}

/** A product's kind as allocation sees it (src/policy ProductKind). */
export type ProductKindName = 'storable' | 'consumable' | 'service';

export interface AllocLine {
  sku: string;
  qty: string;
  lineId: string;
  uom: string;
  description: string;
  productId: string | null;
}

export type AllocOutcome =
  | { kind: 'allocated'; parts: Array<{ warehouseCode: string; lines: AllocLine[] }> }
  | { kind: 'short'; missing: Array<{ sku: string; qty: string }>; reason?: string };

export interface SlaScope {
  customerId?: string | null;
  partnerId?: string | null;
  carrierCode?: string | null;
  warehouseCode?: string | null;
}

export interface ProcessPolicy {
  decideCredit(input: CreditCheck): CreditOutcome;
  /** `products`: kind per SKU (ProductUpserted); lines of consumables and services need no stock; an unknown SKU is storable. */
  allocate(input: {
    lines: AllocLine[];
    customerId: string;
    stock: ReadonlyMap<string, string>;
    products?: ReadonlyMap<string, ProductKindName>;
  }): AllocOutcome;
  /** The step's SLA in ms for this order. */
  slaMs(step: StepName, scope: SlaScope): number;
  /** False when the credit decision needs no limit or receivables (the Odoo read is skipped). @default always true */
  creditFactsNeeded?(order: { customerId: string; orderTotal: string; currency: string | null }): boolean;
}

/** A customer's credit position, read before the fold (Odoo: credit_limit, unpaid posted invoices). */
export interface CreditFacts {
  openReceivables: string;
  /** null: no limit of its own. */
  creditLimit: string | null;
}
