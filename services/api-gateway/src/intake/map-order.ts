import { deterministicEventId } from '@odx/runtime';
import type { Address, OrderLine, OrderReceived } from '@odx/schemas';
import type { Partner } from '../keys/api-key.js';
import { formatAmount, lineSubtotalUnits } from './order-amounts.js';
import type { OrderRequest } from './order-request.js';

const ORDER_ID_PREFIX = 'odx:api:';

/** The ODX order id of a partner's order: stable, prefixed (like EDI's `odx:edi:`) so the poller keys the order's later events the same way. */
export function apiOrderId(partnerId: string, orderRef: string): string {
  return `${ORDER_ID_PREFIX}${partnerId}:${orderRef}`;
}

/** Whether an order id is one this API created. */
export function isApiOrderId(orderId: string): boolean {
  return orderId.startsWith(ORDER_ID_PREFIX);
}

/** The event id of an intake: the same (partner, Idempotency-Key) gives the same id, so a re-publish after a crash is dropped downstream. */
export function intakeEventId(partnerId: string, idempotencyKey: string): string {
  return deterministicEventId('OrderReceived', 'api', partnerId, idempotencyKey);
}

export interface MapOrderContext {
  partner: Partner;
  idempotencyKey: string;
  receivedAt: Date;
  company: string;
}

const dateOnly = (d: string | undefined): Date | null => (d ? new Date(`${d}T00:00:00.000Z`) : null);

function address(a: OrderRequest['shipTo'], locationCode: string | null = null): Address {
  return {
    addressId: null,
    name: a.name,
    companyName: a.companyName ?? null,
    street1: a.street1,
    street2: a.street2 ?? null,
    city: a.city,
    region: a.region ?? null,
    postalCode: a.postalCode,
    countryCode: a.countryCode,
    locationCode,
    phone: a.phone ?? null,
    email: a.email ?? null,
  };
}

/**
 * A validated order request -> OrderReceived, filled the way edi-gateway fills
 * it for an 850: the partner's order number as clientOrderRef (the write-back
 * finds an existing sale order by customer + clientOrderRef), the partner's
 * Odoo customer as sold-to, draft state, untaxed amounts (Odoo computes tax).
 */
export function mapOrderReceived(req: OrderRequest, ctx: MapOrderContext): OrderReceived {
  const orderId = apiOrderId(ctx.partner.partnerId, req.orderRef);
  let untaxed = 0n;
  const lines: OrderLine[] = req.lines.map((l, i) => {
    const subtotal = lineSubtotalUnits(l);
    untaxed += subtotal;
    return {
      lineId: `${orderId}:${i + 1}`,
      lineNumber: i + 1,
      sku: l.sku,
      productId: null,
      customerItemCode: l.customerItemCode ?? null,
      gtin: null,
      description: l.description ?? l.sku,
      quantity: l.quantity,
      uom: l.uom,
      unitPrice: l.unitPrice,
      discountPercent: '0.0000',
      taxCodes: [],
      subtotal: formatAmount(subtotal),
      taxAmount: '0.0000',
      total: formatAmount(subtotal),
      warehouseCode: null,
      requestedDate: dateOnly(l.requestedDate ?? req.requestedDeliveryDate),
      promisedDate: null,
    };
  });
  const amount = formatAmount(untaxed);
  const c = ctx.partner.customer;
  return {
    meta: {
      eventId: intakeEventId(ctx.partner.partnerId, ctx.idempotencyKey),
      occurredAt: ctx.receivedAt,
      source: 'api',
      correlationId: orderId,
      causationId: null,
      company: ctx.company,
    },
    order: {
      orderId,
      odooId: null,
      name: null,
      clientOrderRef: req.orderRef,
      channel: 'api',
      state: 'draft',
      orderDate: req.orderDate ? new Date(req.orderDate) : ctx.receivedAt,
      customer: { partyId: c.partyId, ref: c.ref, name: c.name, vatNumber: null, gln: null, ediPartnerId: null, email: null, phone: null },
      shipTo: address(req.shipTo),
      billTo: req.billTo ? address(req.billTo) : null,
      warehouseCode: req.warehouse ?? null,
      currency: req.currency,
      lines,
      amountUntaxed: amount,
      amountTax: '0.0000',
      amountTotal: amount,
      requestedDeliveryDate: dateOnly(req.requestedDeliveryDate),
      promisedDeliveryDate: null,
      paymentTerm: null,
      incoterm: null,
      carrierCode: req.carrierCode ?? null,
      serviceLevel: req.serviceLevel ?? null,
      notes: req.notes ?? null,
    },
    sourceDocumentId: `api:${ctx.partner.partnerId}:${req.orderRef}`,
  };
}
