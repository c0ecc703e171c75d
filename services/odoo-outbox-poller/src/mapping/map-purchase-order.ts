import { deterministicEventId } from '@odx/runtime';
import type {
  EventMeta,
  PurchaseOrder,
  PurchaseOrderCancelled,
  PurchaseOrderChanged,
  PurchaseOrderConfirmed,
  PurchaseOrderLine,
} from '@odx/schemas';
import { decimal, idList, m2oId, m2oName, num, odooDate, str } from '../odoo/odoo-values.js';
import { party, type OdooRecord } from './map-sale-order.js';

export const PURCHASE_ORDER_FIELDS = [
  'name',
  'state',
  'partner_id',
  'partner_ref',
  'date_order',
  'date_approve',
  'date_planned',
  'picking_type_id',
  'user_id',
  'origin',
  'currency_id',
  'order_line',
  'amount_untaxed',
  'amount_tax',
  'amount_total',
  'receipt_status',
  'invoice_status',
  'payment_term_id',
  'incoterm_id',
  'notes',
  'write_uid',
];
export const PURCHASE_LINE_FIELDS = [
  'order_id',
  'sequence',
  'product_id',
  'name',
  'product_qty',
  'product_uom',
  'price_unit',
  'discount',
  'taxes_id',
  'price_subtotal',
  'price_total',
  'date_planned',
  'qty_received',
  'qty_invoiced',
  'display_type',
];
export const PICKING_TYPE_FIELDS = ['warehouse_id', 'code'];
export const SUPPLIERINFO_FIELDS = ['partner_id', 'product_id', 'product_tmpl_id', 'product_code'];

/** Related records a batch of purchase orders needs, read once per batch and model. */
export interface PurchaseContext {
  lines: Map<number, OdooRecord>;
  partners: Map<number, OdooRecord>;
  products: Map<number, OdooRecord>;
  pickingTypes: Map<number, OdooRecord>;
  warehouses: Map<number, OdooRecord>;
  /** product.supplierinfo rows of the batch's vendors, for the vendor's part numbers. */
  supplierInfo: OdooRecord[];
  company: string;
}

/** What a PurchaseOrderChanged compares: the lines' quantity, price and date, and the order's planned date. */
export interface PurchaseOrderVersion {
  /** Odoo date_approve: a PO set back to draft and confirmed again is a new confirmation, not a change. */
  confirmedAt: string | null;
  plannedDate: string | null;
  lines: Record<string, { quantity: string; unitPrice: string; plannedDate: string | null }>;
}

export type PurchaseOrderEvent =
  | { eventType: 'PurchaseOrderConfirmed'; payload: PurchaseOrderConfirmed }
  | { eventType: 'PurchaseOrderChanged'; payload: PurchaseOrderChanged }
  | { eventType: 'PurchaseOrderCancelled'; payload: PurchaseOrderCancelled };

const CONFIRMED_STATES = new Set(['purchase', 'done']);

function vendorCode(ctx: PurchaseContext, vendorId: number | null, productId: number | null): string | null {
  if (vendorId === null || productId === null) return null;
  const row = ctx.supplierInfo.find(
    (s) => m2oId(s['partner_id']) === vendorId && (m2oId(s['product_id']) === productId || m2oId(s['product_tmpl_id']) === productId),
  );
  return str(row?.['product_code']);
}

/** The canonical purchase order of a purchase.order (section and note lines left out). Pure. */
export function mapPurchaseOrder(po: OdooRecord, ctx: PurchaseContext): PurchaseOrder {
  const vendorId = m2oId(po['partner_id']);
  const pickingType = ctx.pickingTypes.get(m2oId(po['picking_type_id']) ?? -1);
  const warehouse = ctx.warehouses.get(m2oId(pickingType?.['warehouse_id']) ?? -1);
  const lines: PurchaseOrderLine[] = [];
  for (const id of idList(po['order_line'])) {
    const l = ctx.lines.get(id);
    if (!l || str(l['display_type'])) continue;
    const productId = m2oId(l['product_id']);
    const product = ctx.products.get(productId ?? -1);
    const subtotal = num(l['price_subtotal']);
    const total = typeof l['price_total'] === 'number' ? l['price_total'] : subtotal;
    lines.push({
      lineId: String(l.id),
      lineNumber: lines.length + 1,
      sku: str(product?.['default_code']) ?? `odoo-product-${productId ?? 'unknown'}`,
      productId: productId !== null ? String(productId) : 'unknown',
      vendorProductCode: vendorCode(ctx, vendorId, productId),
      gtin: str(product?.['barcode']),
      description: str(l['name']) ?? m2oName(l['product_id']) ?? '',
      quantity: decimal(l['product_qty'], 4),
      uom: m2oName(l['product_uom']) ?? 'Units',
      unitPrice: decimal(l['price_unit'], 6),
      discountPercent: decimal(l['discount'], 4),
      taxCodes: idList(l['taxes_id']).map(String),
      subtotal: decimal(subtotal, 4),
      taxAmount: decimal(total - subtotal, 4),
      total: decimal(total, 4),
      plannedDate: odooDate(l['date_planned']),
      quantityReceived: decimal(l['qty_received'], 4),
      quantityInvoiced: decimal(l['qty_invoiced'], 4),
    });
  }
  return {
    purchaseOrderId: String(po.id),
    name: str(po['name']) ?? `purchase order ${po.id}`,
    state: str(po['state']) ?? 'unknown',
    vendor: party(ctx.partners.get(vendorId ?? -1), m2oName(po['partner_id'])),
    vendorRef: str(po['partner_ref']),
    orderDate: odooDate(po['date_order']) ?? odooDate(po['write_date']) ?? new Date(0),
    approvedAt: odooDate(po['date_approve']),
    plannedDate: odooDate(po['date_planned']),
    warehouseCode: str(warehouse?.['code']),
    shipTo: null,
    billTo: null,
    buyer: m2oName(po['user_id']),
    origin: str(po['origin']),
    currency: m2oName(po['currency_id']) ?? 'EUR',
    lines,
    amountUntaxed: decimal(po['amount_untaxed'], 4),
    amountTax: decimal(po['amount_tax'], 4),
    amountTotal: decimal(po['amount_total'], 4),
    receiptStatus: str(po['receipt_status']),
    invoiceStatus: str(po['invoice_status']),
    paymentTerm: m2oName(po['payment_term_id']),
    incoterm: m2oName(po['incoterm_id']),
    notes: str(po['notes']),
  };
}

/** The parts of an order whose change is a PurchaseOrderChanged (received and billed quantities are not). */
export function purchaseOrderVersion(order: PurchaseOrder): PurchaseOrderVersion {
  const lines: PurchaseOrderVersion['lines'] = {};
  for (const l of order.lines)
    lines[l.lineId] = { quantity: l.quantity, unitPrice: l.unitPrice, plannedDate: l.plannedDate?.toISOString() ?? null };
  return { confirmedAt: order.approvedAt?.toISOString() ?? null, plannedDate: order.plannedDate?.toISOString() ?? null, lines };
}

/** What changed between two versions, as PurchaseOrder field paths; empty when nothing did. */
export function changedFields(before: PurchaseOrderVersion, now: PurchaseOrderVersion): string[] {
  const changed = new Set<string>();
  if (before.plannedDate !== now.plannedDate) changed.add('plannedDate');
  const ids = new Set([...Object.keys(before.lines), ...Object.keys(now.lines)]);
  for (const id of ids) {
    const a = before.lines[id];
    const b = now.lines[id];
    if (!a || !b) {
      changed.add('lines');
      continue;
    }
    if (a.quantity !== b.quantity) changed.add('lines.quantity');
    if (a.unitPrice !== b.unitPrice) changed.add('lines.unitPrice');
    if (a.plannedDate !== b.plannedDate) changed.add('lines.plannedDate');
  }
  return [...changed].sort();
}

/** A stable digest of a version, for the event id of the change that produced it. */
export function versionDigest(v: PurchaseOrderVersion): string {
  const lines = Object.keys(v.lines)
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b))
    .map((id) => {
      const l = v.lines[id]!;
      return `${id}=${l.quantity}@${l.unitPrice}/${l.plannedDate ?? ''}`;
    });
  return `${v.plannedDate ?? ''}|${lines.join(';')}`;
}

/**
 * A purchase.order to the events its state and history call for (pure):
 * - confirmed (`purchase`/`done`) and never announced (`before` undefined): PurchaseOrderConfirmed, id from
 *   (order, confirmation time), so every later write re-emits the same id;
 * - confirmed and announced, with lines or dates other than `before`: PurchaseOrderChanged, id from the new
 *   version's digest (a re-poll of the same version emits the same id);
 * - cancelled after it was confirmed (`date_approve` set; an RFQ never went to the supplier): PurchaseOrderCancelled.
 */
export function mapPurchaseOrderEvents(
  po: OdooRecord,
  ctx: PurchaseContext,
  before: PurchaseOrderVersion | undefined,
): { events: PurchaseOrderEvent[]; version: PurchaseOrderVersion | null } {
  const state = str(po['state']);
  const writeDate = odooDate(po['write_date']) ?? new Date(0);
  const meta = (eventType: string, ...parts: string[]): EventMeta => ({
    eventId: deterministicEventId('purchase.order', po.id, eventType, ...parts),
    occurredAt: writeDate,
    source: 'odoo',
    correlationId: `purchase.order:${po.id}`,
    causationId: null,
    company: ctx.company,
  });
  if (state === 'cancel') {
    if (!str(po['date_approve'])) return { events: [], version: null };
    const vendorId = m2oId(po['partner_id']);
    return {
      events: [
        {
          eventType: 'PurchaseOrderCancelled',
          payload: {
            meta: meta('PurchaseOrderCancelled', String(po['date_approve'])),
            purchaseOrderId: String(po.id),
            purchaseOrderName: str(po['name']),
            vendor: party(ctx.partners.get(vendorId ?? -1), m2oName(po['partner_id'])),
            previousState: 'purchase',
            reason: null,
            cancelledBy: m2oName(po['write_uid']),
            cancelledAt: writeDate,
          },
        },
      ],
      version: null,
    };
  }
  if (!CONFIRMED_STATES.has(state ?? '')) return { events: [], version: null };
  const order = mapPurchaseOrder(po, ctx);
  const version = purchaseOrderVersion(order);
  if (!before || before.confirmedAt !== version.confirmedAt) {
    const confirmedAt = order.approvedAt ?? writeDate;
    const m = meta('PurchaseOrderConfirmed', String(po['date_approve'] || ''));
    return {
      events: [
        { eventType: 'PurchaseOrderConfirmed', payload: { meta: { ...m, occurredAt: confirmedAt }, purchaseOrder: order, confirmedAt } },
      ],
      version,
    };
  }
  const changed = changedFields(before, version);
  if (changed.length === 0) return { events: [], version };
  return {
    events: [
      {
        eventType: 'PurchaseOrderChanged',
        payload: {
          meta: meta('PurchaseOrderChanged', versionDigest(version)),
          purchaseOrder: order,
          changedFields: changed,
          reason: null,
          changedAt: writeDate,
        },
      },
    ],
    version,
  };
}
