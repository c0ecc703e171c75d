import { deterministicEventId } from '@odx/runtime';
import type { OrderLine, OrderReceived } from '@odx/schemas';
import type { PurchaseOrder } from '../model/purchase-order.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { formatScaled, multiplyScaled, parseX12Decimal } from '../x12/x12-numbers.js';
import { ediOrderId } from './edi-order-id.js';

export interface MapPurchaseOrderContext {
  profile: PartnerProfile;
  /** EdiDocument.documentId of the 850 or ORDERS message. */
  documentId: string;
  company: string;
  receivedAt: Date;
}

/** An accepted purchase order (850 or ORDERS) -> OrderReceived: PO number as client order reference, ship-to and lines through the profile. */
export function mapPurchaseOrder(po: PurchaseOrder, ctx: MapPurchaseOrderContext): OrderReceived {
  const orderId = ediOrderId(ctx.profile.id, po.poNumber);
  let untaxed = 0n;
  const lines: OrderLine[] = po.lines.map((l) => {
    const qty = parseX12Decimal(l.quantity, 4)!;
    const price = l.unitPrice === null ? 0n : parseX12Decimal(l.unitPrice, 6)!;
    const subtotal = multiplyScaled(qty, 4, price, 6, 4);
    untaxed += subtotal;
    return {
      lineId: `${orderId}:${l.buyerLineId}`,
      lineNumber: l.lineNumber,
      sku: l.sku,
      productId: null,
      customerItemCode: l.productIds['BP'] ?? l.productIds['IN'] ?? null,
      gtin: l.gtin,
      description: l.description ?? l.sku,
      quantity: l.quantity,
      uom: l.uom,
      unitPrice: formatScaled(price, 6),
      discountPercent: '0.0000',
      taxCodes: [],
      subtotal: formatScaled(subtotal, 4),
      taxAmount: '0.0000',
      total: formatScaled(subtotal, 4),
      warehouseCode: null,
      // The order's requested date applies to every line without its own.
      requestedDate: l.requestedDate ?? po.requestedDeliveryDate,
      promisedDate: null,
    };
  });
  const amount = formatScaled(untaxed, 4);
  const c = ctx.profile.customer;
  // A supplier's profile accepts no 850 (partner-profile.ts), so only a customer's order gets here.
  if (!c) throw new Error(`partner ${ctx.profile.id} is not a customer: it has no customer to book an order on`);
  return {
    meta: {
      eventId: deterministicEventId('OrderReceived', ctx.documentId),
      occurredAt: ctx.receivedAt,
      source: 'edi',
      correlationId: orderId,
      causationId: null,
      company: ctx.company,
    },
    order: {
      orderId,
      odooId: null,
      name: null,
      clientOrderRef: po.poNumber,
      channel: 'edi',
      state: 'draft',
      orderDate: po.poDate,
      customer: {
        partyId: c.partyId,
        ref: c.ref,
        name: c.name,
        vatNumber: null,
        gln: null,
        ediPartnerId: ctx.profile.id,
        email: null,
        phone: null,
      },
      shipTo: {
        addressId: po.shipTo?.locationCode ? (ctx.profile.mappings.shipTo.get(po.shipTo.locationCode)?.addressId ?? null) : null,
        name: po.shipTo?.name ?? null,
        companyName: c.name,
        street1: po.shipTo?.street1 ?? null,
        street2: po.shipTo?.street2 ?? null,
        city: po.shipTo?.city ?? null,
        region: po.shipTo?.region ?? null,
        postalCode: po.shipTo?.postalCode ?? null,
        countryCode: po.shipTo?.countryCode ?? null,
        locationCode: po.shipTo?.locationCode ?? null,
        phone: null,
        email: null,
      },
      billTo: null,
      warehouseCode: ctx.profile.orders.warehouseCode,
      currency: po.currency,
      lines,
      amountUntaxed: amount,
      amountTax: '0.0000',
      amountTotal: amount,
      requestedDeliveryDate: po.requestedDeliveryDate,
      promisedDeliveryDate: null,
      paymentTerm: null,
      incoterm: null,
      carrierCode: null,
      serviceLevel: null,
      notes: po.notes,
    },
    sourceDocumentId: ctx.documentId,
  };
}
