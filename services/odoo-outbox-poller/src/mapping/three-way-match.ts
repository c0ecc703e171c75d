import type { MatchTolerances, ThreeWayMatchLine } from '@odx/schemas';
import { decimal } from '../odoo/odoo-values.js';

/** Match tolerances as numbers (compiled from settings); `null` absolute bounds are not applied. */
export interface CompiledMatchTolerances {
  /** Allowed over-billing as a percentage of the received quantity. @default 0 */
  quantityPercent: number;
  /** Allowed over-billing in the line's unit. @default null */
  quantityAbsolute: number | null;
  /** Allowed |billed - ordered| net unit price as a percentage of the ordered price. @default 0 */
  pricePercent: number;
  /** Allowed |billed - ordered| net unit price in the bill currency. @default 0.01 */
  priceAbsolute: number | null;
}

export const DEFAULT_MATCH_TOLERANCES: CompiledMatchTolerances = {
  quantityPercent: 0,
  quantityAbsolute: null,
  pricePercent: 0,
  priceAbsolute: 0.01,
};

/** One PO line as Odoo has it after the bill was posted. */
export interface MatchPoLine {
  purchaseLineId: string;
  lineNumber: number | null;
  sku: string | null;
  productId: string | null;
  description: string | null;
  uom: string | null;
  quantityOrdered: number;
  /** qty_received: every done receipt. */
  quantityReceived: number;
  /** qty_invoiced: every posted bill including this one, less vendor refunds. */
  quantityBilled: number;
  /** price_unit after discount. */
  netUnitPrice: number;
}

/** One product line of the bill being matched. */
export interface MatchBillLine {
  billLineId: string;
  purchaseLineId: string | null;
  sku: string | null;
  productId: string | null;
  description: string | null;
  uom: string | null;
  quantity: number;
  /** price_unit after discount. */
  netUnitPrice: number;
}

// Odoo floats carry binary noise (0.1 + 0.2): compare at a millionth of a unit, the finest canonical scale.
const EPSILON = 1e-7;

function allowed(reference: number, percent: number, absolute: number | null): number {
  return Math.max((Math.abs(reference) * percent) / 100, absolute ?? 0) + EPSILON;
}

/**
 * The three-way match of a bill's lines against their PO lines (pure). Lines
 * out of tolerance come back with their reasons:
 * - QUANTITY: billed (over every bill, less refunds) exceeds received by more
 *   than the tolerance. Billing less than received is not a mismatch: the
 *   rest may be billed later.
 * - PRICE: the bill's net unit price differs from the PO's by more than the
 *   tolerance, either way.
 * - NOT_ON_ORDER: a bill line with no PO line (a line the supplier added).
 * Several bill lines for one PO line are compared as one (their quantities
 * summed, the price of the first).
 */
export function threeWayMatch(
  billLines: MatchBillLine[],
  poLines: ReadonlyMap<string, MatchPoLine>,
  tolerances: CompiledMatchTolerances,
): ThreeWayMatchLine[] {
  const out: ThreeWayMatchLine[] = [];
  const byPoLine = new Map<string, MatchBillLine[]>();
  for (const b of billLines) {
    const po = b.purchaseLineId !== null ? poLines.get(b.purchaseLineId) : undefined;
    if (!po) {
      out.push({
        purchaseLineId: b.purchaseLineId,
        billLineId: b.billLineId,
        lineNumber: null,
        sku: b.sku,
        productId: b.productId,
        description: b.description,
        uom: b.uom,
        quantityOrdered: decimal(0, 4),
        quantityReceived: decimal(0, 4),
        quantityBilled: decimal(b.quantity, 4),
        quantityDelta: decimal(b.quantity, 4),
        unitPriceOrdered: null,
        unitPriceBilled: decimal(b.netUnitPrice, 6),
        unitPriceDelta: null,
        reasons: ['NOT_ON_ORDER'],
      });
      continue;
    }
    const group = byPoLine.get(po.purchaseLineId) ?? [];
    group.push(b);
    byPoLine.set(po.purchaseLineId, group);
  }
  for (const [id, group] of byPoLine) {
    const po = poLines.get(id)!;
    const first = group[0]!;
    const quantityDelta = po.quantityBilled - po.quantityReceived;
    const priceDelta = first.netUnitPrice - po.netUnitPrice;
    const reasons: string[] = [];
    if (quantityDelta > allowed(po.quantityReceived, tolerances.quantityPercent, tolerances.quantityAbsolute)) reasons.push('QUANTITY');
    if (Math.abs(priceDelta) > allowed(po.netUnitPrice, tolerances.pricePercent, tolerances.priceAbsolute)) reasons.push('PRICE');
    if (reasons.length === 0) continue;
    out.push({
      purchaseLineId: id,
      billLineId: first.billLineId,
      lineNumber: po.lineNumber,
      sku: po.sku ?? first.sku,
      productId: po.productId ?? first.productId,
      description: po.description ?? first.description,
      uom: po.uom ?? first.uom,
      quantityOrdered: decimal(po.quantityOrdered, 4),
      quantityReceived: decimal(po.quantityReceived, 4),
      quantityBilled: decimal(po.quantityBilled, 4),
      quantityDelta: decimal(quantityDelta, 4),
      unitPriceOrdered: decimal(po.netUnitPrice, 6),
      unitPriceBilled: decimal(first.netUnitPrice, 6),
      unitPriceDelta: decimal(priceDelta, 6),
      reasons,
    });
  }
  return out;
}

/** The tolerances as the event reports them. */
export function toleranceRecord(t: CompiledMatchTolerances): MatchTolerances {
  return {
    quantityPercent: decimal(t.quantityPercent, 4),
    quantityAbsolute: t.quantityAbsolute !== null ? decimal(t.quantityAbsolute, 4) : null,
    pricePercent: decimal(t.pricePercent, 4),
    priceAbsolute: t.priceAbsolute !== null ? decimal(t.priceAbsolute, 6) : null,
  };
}
