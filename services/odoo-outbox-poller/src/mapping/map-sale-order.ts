import { deterministicEventId } from '@odx/runtime';
import type { Address, OrderCancelled, OrderConfirmed, OrderLine, Party } from '@odx/schemas';
import { decimal, m2oId, m2oName, odooDate, str } from '../odoo/odoo-values.js';
import type { OdooVersionAdapter } from '../odoo/version-adapter.js';

export type OdooRecord = Record<string, unknown> & { id: number };

/** Fields the poller reads from sale.order. */
export const SALE_ORDER_FIELDS = [
  'name',
  'state',
  'client_order_ref',
  'origin',
  'partner_id',
  'partner_invoice_id',
  'partner_shipping_id',
  'date_order',
  'commitment_date',
  'warehouse_id',
  'currency_id',
  'amount_untaxed',
  'amount_tax',
  'amount_total',
  'order_line',
  'carrier_id',
  'note',
  'payment_term_id',
  'incoterm',
  'write_date',
  'write_uid',
];

export function saleOrderLineFields(adapter: OdooVersionAdapter): string[] {
  return [
    'order_id',
    'sequence',
    'product_id',
    'name',
    'product_uom_qty',
    'product_uom',
    'price_unit',
    'discount',
    'price_subtotal',
    'price_total',
    adapter.saleLineTaxField,
    'display_type',
  ];
}

export const PARTNER_FIELDS = [
  'name',
  'ref',
  'vat',
  'email',
  'phone',
  'street',
  'street2',
  'city',
  'zip',
  'state_id',
  'country_id',
  'country_code',
  'parent_id',
  'commercial_partner_id',
];
export const PRODUCT_FIELDS = ['default_code', 'barcode', 'name'];
export const WAREHOUSE_FIELDS = ['code', 'name'];

/** Records related to a batch of orders, read in one call per model. */
export interface SaleOrderContext {
  lines: Map<number, OdooRecord>;
  partners: Map<number, OdooRecord>;
  products: Map<number, OdooRecord>;
  warehouses: Map<number, OdooRecord>;
  adapter: OdooVersionAdapter;
  company: string;
}

export type SaleOrderEvent =
  | { eventType: 'OrderConfirmed'; key: string; payload: OrderConfirmed }
  | { eventType: 'OrderCancelled'; key: string; payload: OrderCancelled };

/** ODX's order id for a sale.order: the one it was received under (kept in `origin`) or the Odoo id. */
export function orderIdOf(order: OdooRecord): string {
  const origin = str(order['origin']);
  return origin?.startsWith('odx:') ? origin : String(order.id);
}

export function party(p: OdooRecord | undefined, fallbackName: string | null): Party {
  return {
    partyId: p ? String(p.id) : 'unknown',
    ref: str(p?.['ref']),
    name: str(p?.['name']) ?? fallbackName ?? 'unknown',
    vatNumber: str(p?.['vat']),
    gln: null,
    ediPartnerId: null,
    email: str(p?.['email']),
    phone: str(p?.['phone']),
  };
}

export function address(p: OdooRecord | undefined, partners: Map<number, OdooRecord>): Address {
  const parentId = m2oId(p?.['parent_id']);
  const parent = parentId !== null ? partners.get(parentId) : undefined;
  return {
    addressId: p ? String(p.id) : null,
    name: str(p?.['name']),
    companyName: str(parent?.['name']) ?? null,
    street1: str(p?.['street']),
    street2: str(p?.['street2']),
    city: str(p?.['city']),
    region: m2oName(p?.['state_id']),
    postalCode: str(p?.['zip']),
    countryCode: str(p?.['country_code']),
    locationCode: str(p?.['ref']),
    phone: str(p?.['phone']),
    email: str(p?.['email']),
  };
}

/**
 * A sale.order to the canonical event its state calls for: `sale`/`done`
 * gives OrderConfirmed, `cancel` OrderCancelled, drafts and quotations nothing.
 * Event ids are derived from the order and its confirmation time, so every
 * later write to a confirmed order (deliveries, invoicing) re-emits the same
 * id and consumers see one confirmation per order.
 */
export function mapSaleOrder(order: OdooRecord, ctx: SaleOrderContext): SaleOrderEvent | null {
  const state = str(order['state']);
  const orderId = orderIdOf(order);
  const dateOrder = odooDate(order['date_order']) ?? new Date(0);
  const writeDate = odooDate(order['write_date']) ?? dateOrder;
  const meta = (eventType: string) => ({
    eventId: deterministicEventId('sale.order', order.id, eventType, String(order['date_order'] ?? '')),
    occurredAt: eventType === 'OrderConfirmed' ? dateOrder : writeDate,
    source: 'odoo',
    correlationId: orderId,
    causationId: null,
    company: ctx.company,
  });
  if (state === 'cancel') {
    return {
      eventType: 'OrderCancelled',
      key: orderId,
      payload: {
        meta: meta('OrderCancelled'),
        orderId,
        orderName: str(order['name']),
        clientOrderRef: str(order['client_order_ref']),
        reason: null,
        cancelledBy: m2oName(order['write_uid']),
        cancelledAt: writeDate,
      },
    };
  }
  if (state !== 'sale' && state !== 'done') return null;
  const warehouse = ctx.warehouses.get(m2oId(order['warehouse_id']) ?? -1);
  const warehouseCode = str(warehouse?.['code']);
  const lineIds = Array.isArray(order['order_line']) ? (order['order_line'] as number[]) : [];
  const lines: OrderLine[] = [];
  for (const lineId of lineIds) {
    const l = ctx.lines.get(lineId);
    if (!l || str(l['display_type'])) continue; // section and note lines carry no goods
    const product = ctx.products.get(m2oId(l['product_id']) ?? -1);
    const subtotal = typeof l['price_subtotal'] === 'number' ? l['price_subtotal'] : 0;
    const total = typeof l['price_total'] === 'number' ? l['price_total'] : subtotal;
    const taxes = l[ctx.adapter.saleLineTaxField];
    lines.push({
      lineId: String(l.id),
      lineNumber: lines.length + 1,
      sku: str(product?.['default_code']) ?? `odoo-product-${m2oId(l['product_id']) ?? 'unknown'}`,
      productId: m2oId(l['product_id']) !== null ? String(m2oId(l['product_id'])) : null,
      customerItemCode: null,
      gtin: str(product?.['barcode']),
      description: str(l['name']) ?? m2oName(l['product_id']) ?? '',
      quantity: decimal(l['product_uom_qty'], 4),
      uom: m2oName(l['product_uom']) ?? 'Units',
      unitPrice: decimal(l['price_unit'], 6),
      discountPercent: decimal(l['discount'], 4),
      taxCodes: Array.isArray(taxes) ? taxes.map(String) : [],
      subtotal: decimal(subtotal, 4),
      taxAmount: decimal(total - subtotal, 4),
      total: decimal(total, 4),
      warehouseCode,
      requestedDate: odooDate(order['commitment_date']),
      promisedDate: null,
    });
  }
  const customer = ctx.partners.get(m2oId(order['partner_id']) ?? -1);
  const shipping = ctx.partners.get(m2oId(order['partner_shipping_id']) ?? -1) ?? customer;
  const invoice = ctx.partners.get(m2oId(order['partner_invoice_id']) ?? -1);
  return {
    eventType: 'OrderConfirmed',
    key: orderId,
    payload: {
      meta: meta('OrderConfirmed'),
      order: {
        orderId,
        odooId: String(order.id),
        name: str(order['name']),
        clientOrderRef: str(order['client_order_ref']),
        channel: orderId.startsWith('odx:') ? 'external' : 'odoo',
        state: 'confirmed',
        orderDate: dateOrder,
        customer: party(customer, m2oName(order['partner_id'])),
        shipTo: address(shipping, ctx.partners),
        billTo: invoice ? address(invoice, ctx.partners) : null,
        warehouseCode,
        currency: m2oName(order['currency_id']) ?? str(order['currency_id']) ?? 'EUR',
        lines,
        amountUntaxed: decimal(order['amount_untaxed'], 4),
        amountTax: decimal(order['amount_tax'], 4),
        amountTotal: decimal(order['amount_total'], 4),
        requestedDeliveryDate: odooDate(order['commitment_date']),
        promisedDeliveryDate: null,
        paymentTerm: m2oName(order['payment_term_id']),
        incoterm: m2oName(order['incoterm']),
        carrierCode: m2oName(order['carrier_id']),
        serviceLevel: null,
        notes: str(order['note']),
      },
      confirmedAt: dateOrder,
    },
  };
}
