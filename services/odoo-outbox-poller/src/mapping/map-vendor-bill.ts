import { deterministicEventId } from '@odx/runtime';
import type { VendorBillLine, VendorBillMismatchDetected, VendorBillPosted } from '@odx/schemas';
import { decimal, idList, m2oId, m2oName, m2oRef, num, odooDate, str } from '../odoo/odoo-values.js';
import { MOVE_LINE_FIELDS } from './map-accounting.js';
import { party, type OdooRecord } from './map-sale-order.js';
import { threeWayMatch, toleranceRecord, type CompiledMatchTolerances, type MatchBillLine, type MatchPoLine } from './three-way-match.js';

export const VENDOR_BILL_LINE_FIELDS = [...MOVE_LINE_FIELDS, 'purchase_line_id', 'purchase_order_id', 'display_type'];
export const BILL_MOVE_TYPES = new Set(['in_invoice', 'in_refund']);

/** Related records a batch of vendor bills needs. */
export interface VendorBillContext {
  lines: Map<number, OdooRecord>;
  partners: Map<number, OdooRecord>;
  products: Map<number, OdooRecord>;
  /** The PO lines the bills' lines bill, and every other line of their POs (for line numbers). */
  purchaseLines: Map<number, OdooRecord>;
  purchaseOrders: Map<number, OdooRecord>;
  /** The bills in_refunds reverse (reversed_entry_id), for their names. */
  reversed: Map<number, OdooRecord>;
  tolerances: CompiledMatchTolerances;
  company: string;
}

const netPrice = (line: OdooRecord): number => num(line['price_unit']) * (1 - num(line['discount']) / 100);

/** purchase.order.line id -> its 1-based number among the PO's product lines, as PurchaseOrderLine.lineNumber. */
export function purchaseLineNumbers(orders: Iterable<OdooRecord>, lines: ReadonlyMap<number, OdooRecord>): Map<number, number> {
  const numbers = new Map<number, number>();
  for (const po of orders) {
    let n = 0;
    for (const id of idList(po['order_line'])) {
      const l = lines.get(id);
      if (!l || str(l['display_type'])) continue;
      numbers.set(id, ++n);
    }
  }
  return numbers;
}

function productLines(bill: OdooRecord, ctx: VendorBillContext): OdooRecord[] {
  return idList(bill['invoice_line_ids'])
    .map((id) => ctx.lines.get(id))
    .filter((l): l is OdooRecord => !!l && (!str(l['display_type']) || l['display_type'] === 'product'));
}

function purchaseOrderOf(line: OdooRecord, ctx: VendorBillContext): number | null {
  return m2oId(line['purchase_order_id']) ?? m2oId(ctx.purchaseLines.get(m2oId(line['purchase_line_id']) ?? -1)?.['order_id']);
}

/** The purchase orders a bill bills, in the order of its lines (the first is the event key). */
export function billPurchaseOrders(bill: OdooRecord, ctx: VendorBillContext): number[] {
  const ids: number[] = [];
  for (const l of productLines(bill, ctx)) {
    const po = purchaseOrderOf(l, ctx);
    if (po !== null && !ids.includes(po)) ids.push(po);
  }
  return ids;
}

/** A posted vendor bill or refund on at least one PO -> VendorBillPosted (once per posting), keyed by its first PO. */
export function mapVendorBill(bill: OdooRecord, ctx: VendorBillContext): VendorBillPosted | null {
  const moveType = str(bill['move_type']);
  if (str(bill['state']) !== 'posted' || !BILL_MOVE_TYPES.has(moveType ?? '')) return null;
  const [poId] = billPurchaseOrders(bill, ctx);
  if (poId === undefined) return null; // not procure-to-pay
  const numbers = purchaseLineNumbers(ctx.purchaseOrders.values(), ctx.purchaseLines);
  const lines: VendorBillLine[] = productLines(bill, ctx).map((l) => {
    const productId = m2oId(l['product_id']);
    const purchaseLineId = m2oId(l['purchase_line_id']);
    const subtotal = num(l['price_subtotal']);
    const total = typeof l['price_total'] === 'number' ? l['price_total'] : subtotal;
    const po = purchaseOrderOf(l, ctx);
    return {
      lineId: String(l.id),
      purchaseOrderId: po !== null ? String(po) : null,
      purchaseLineId: purchaseLineId !== null ? String(purchaseLineId) : null,
      lineNumber: purchaseLineId !== null ? (numbers.get(purchaseLineId) ?? null) : null,
      sku: str(ctx.products.get(productId ?? -1)?.['default_code']),
      productId: productId !== null ? String(productId) : null,
      vendorProductCode: null,
      description: str(l['name']) ?? m2oName(l['product_id']) ?? '',
      quantity: decimal(l['quantity'], 4),
      uom: m2oName(l['product_uom_id']),
      unitPrice: decimal(l['price_unit'], 6),
      discountPercent: decimal(l['discount'], 4),
      taxCodes: idList(l['tax_ids']).map(String),
      subtotal: decimal(subtotal, 4),
      taxAmount: decimal(total - subtotal, 4),
      total: decimal(total, 4),
    };
  });
  const postedAt = odooDate(bill['write_date']) ?? new Date(0);
  const reversedId = m2oId(bill['reversed_entry_id']);
  return {
    meta: {
      eventId: deterministicEventId('account.move', bill.id, 'VendorBillPosted', String(bill['name'] ?? '')),
      occurredAt: postedAt,
      source: 'odoo',
      correlationId: `purchase.order:${poId}`,
      causationId: null,
      company: ctx.company,
    },
    purchaseOrderId: String(poId),
    bill: {
      billId: String(bill.id),
      name: str(bill['name']) ?? `bill ${bill.id}`,
      moveType: moveType!,
      state: 'posted',
      paymentState: str(bill['payment_state']),
      vendor: party(ctx.partners.get(m2oId(bill['partner_id']) ?? -1), m2oName(bill['partner_id'])),
      vendorRef: str(bill['ref']),
      origin: str(bill['invoice_origin']),
      invoiceDate: odooDate(bill['invoice_date']) ?? postedAt,
      dueDate: odooDate(bill['invoice_date_due']),
      currency: m2oName(bill['currency_id']) ?? 'EUR',
      lines,
      amountUntaxed: decimal(bill['amount_untaxed'], 4),
      amountTax: decimal(bill['amount_tax'], 4),
      amountTotal: decimal(bill['amount_total'], 4),
      amountResidual: decimal(bill['amount_residual'], 4),
      paymentTerm: m2oName(bill['invoice_payment_term_id']),
      paymentReference: str(bill['payment_reference']),
      reversedBillId: m2oRef(bill['reversed_entry_id']),
      reversedBillName: str(ctx.reversed.get(reversedId ?? -1)?.['name']) ?? m2oName(bill['reversed_entry_id']),
    },
    postedAt,
  };
}

/**
 * The three-way match of a posted bill (in_invoice; refunds are not matched):
 * one VendorBillMismatchDetected per PO of the bill with lines out of
 * tolerance. Lines on no PO line count against the bill's first PO.
 */
export function matchVendorBill(bill: OdooRecord, ctx: VendorBillContext): VendorBillMismatchDetected[] {
  if (str(bill['state']) !== 'posted' || str(bill['move_type']) !== 'in_invoice') return [];
  const pos = billPurchaseOrders(bill, ctx);
  if (pos.length === 0) return [];
  const numbers = purchaseLineNumbers(ctx.purchaseOrders.values(), ctx.purchaseLines);
  const poLines = new Map<string, MatchPoLine>();
  const billLinesByPo = new Map<number, MatchBillLine[]>();
  for (const l of productLines(bill, ctx)) {
    const productId = m2oId(l['product_id']);
    const purchaseLineId = m2oId(l['purchase_line_id']);
    const pl = ctx.purchaseLines.get(purchaseLineId ?? -1);
    const po = purchaseOrderOf(l, ctx) ?? pos[0]!;
    if (pl && purchaseLineId !== null) {
      const plProduct = m2oId(pl['product_id']);
      poLines.set(String(purchaseLineId), {
        purchaseLineId: String(purchaseLineId),
        lineNumber: numbers.get(purchaseLineId) ?? null,
        sku: str(ctx.products.get(plProduct ?? -1)?.['default_code']),
        productId: plProduct !== null ? String(plProduct) : null,
        description: str(pl['name']),
        uom: m2oName(pl['product_uom']),
        quantityOrdered: num(pl['product_qty']),
        quantityReceived: num(pl['qty_received']),
        quantityBilled: num(pl['qty_invoiced']),
        netUnitPrice: netPrice(pl),
      });
    }
    const group = billLinesByPo.get(po) ?? [];
    group.push({
      billLineId: String(l.id),
      purchaseLineId: pl ? String(purchaseLineId) : null,
      sku: str(ctx.products.get(productId ?? -1)?.['default_code']),
      productId: productId !== null ? String(productId) : null,
      description: str(l['name']),
      uom: m2oName(l['product_uom_id']),
      quantity: num(l['quantity']),
      netUnitPrice: netPrice(l),
    });
    billLinesByPo.set(po, group);
  }
  const out: VendorBillMismatchDetected[] = [];
  const detectedAt = odooDate(bill['write_date']) ?? new Date(0);
  for (const [poId, billLines] of billLinesByPo) {
    const lines = threeWayMatch(billLines, poLines, ctx.tolerances);
    if (lines.length === 0) continue;
    const po = ctx.purchaseOrders.get(poId);
    out.push({
      meta: {
        eventId: deterministicEventId('account.move', bill.id, 'VendorBillMismatchDetected', poId, String(bill['name'] ?? '')),
        occurredAt: detectedAt,
        source: 'odoo',
        correlationId: `purchase.order:${poId}`,
        causationId: null,
        company: ctx.company,
      },
      purchaseOrderId: String(poId),
      purchaseOrderName: str(po?.['name']),
      billId: String(bill.id),
      billName: str(bill['name']),
      vendorRef: str(bill['ref']),
      vendor: party(ctx.partners.get(m2oId(bill['partner_id']) ?? -1), m2oName(bill['partner_id'])),
      currency: m2oName(bill['currency_id']) ?? 'EUR',
      lines,
      tolerances: toleranceRecord(ctx.tolerances),
      detectedAt,
    });
  }
  return out;
}
