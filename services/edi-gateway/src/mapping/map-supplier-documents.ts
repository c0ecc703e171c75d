import { deterministicEventId } from '@odx/runtime';
import type { EventMeta, PurchaseOrderAckLine, PurchaseOrderAcknowledged, VendorBillLine } from '@odx/schemas';
import type { ShipNoticeReceived, VendorBillReceived } from '../model/supplier-events.js';
import type {
  PurchaseOrderFacts,
  SupplierAcknowledgment,
  SupplierInvoice,
  SupplierLine,
  SupplierShipNotice,
} from '../model/supplier-documents.js';
import type { PartnerProfile } from '../partners/partner-profile.js';
import { ACCEPTED_LINE_CODES, REJECTED_LINE_CODES } from '../x12/validate-855.js';
import { formatScaled, multiplyScaled, parseX12Decimal } from '../x12/x12-numbers.js';

export interface SupplierMappingContext {
  profile: PartnerProfile;
  documentId: string;
  company: string;
  receivedAt: Date;
}

/** BAK02 codes that reject the whole order. */
const ORDER_REJECTED = new Set(['RJ', 'RD']);

const meta = (type: string, po: PurchaseOrderFacts, ctx: SupplierMappingContext, ...key: string[]): EventMeta => ({
  // The same document gives the same id: a resent or resumed interchange publishes nothing new.
  eventId: deterministicEventId(type, ctx.documentId, ...key),
  occurredAt: ctx.receivedAt,
  source: 'edi',
  correlationId: po.purchaseOrderId,
  causationId: null,
  company: ctx.company,
});

const same = (a: string | null, b: string | null, scale: number): boolean =>
  a !== null && b !== null && parseX12Decimal(a, scale) === parseX12Decimal(b, scale);
const vendorCode = (l: SupplierLine): string | null => l.productIds['VP'] ?? l.ordered?.vendorProductCode ?? null;

/**
 * 855 -> PurchaseOrderAcknowledged. A line is rejected by its ACK01 (IR, ID,
 * R1-R4) or, without an ACK, by BAK02 RJ/RD; accepted when its ACK01 (or,
 * without one, BAK02) accepts and the quantity and price are those ordered;
 * changed otherwise. The order: rejected when BAK02 rejects it or every line
 * is rejected, accepted when every line is, changed otherwise (a header-only
 * acknowledgment is accepted unless BAK02 rejects).
 */
export function mapPoAcknowledgment(ack: SupplierAcknowledgment, ctx: SupplierMappingContext): PurchaseOrderAcknowledged {
  const po = ack.purchaseOrder;
  const orderRejected = ORDER_REJECTED.has(ack.ackType);
  const lines: PurchaseOrderAckLine[] = ack.lines.map((l) => {
    const code = l.statusCode;
    const rejected = code !== null ? REJECTED_LINE_CODES.has(code) : orderRejected;
    const priceChanged = l.unitPrice !== null && l.ordered !== null && !same(l.unitPrice, l.ordered.unitPrice, 6);
    const quantityChanged = l.ordered !== null && !same(l.quantity, l.ordered.quantity, 4);
    const accepts = code !== null ? ACCEPTED_LINE_CODES.has(code) : !orderRejected;
    const status = rejected ? 'rejected' : accepts && !priceChanged && !quantityChanged && l.ordered !== null ? 'accepted' : 'changed';
    return {
      lineNumber: l.lineNumber ?? 0,
      lineId: l.ordered?.lineId ?? null,
      sku: l.sku,
      vendorProductCode: vendorCode(l),
      status,
      statusCode: code,
      quantityOrdered: l.quantityOrdered,
      quantity: rejected ? '0.0000' : l.quantity,
      uom: l.uom,
      unitPriceOrdered: l.ordered?.unitPrice ?? null,
      unitPrice: priceChanged ? l.unitPrice : null,
      deliveryDate: l.deliveryDate,
      reason: null,
    };
  });
  const status =
    orderRejected || (lines.length > 0 && lines.every((l) => l.status === 'rejected'))
      ? 'rejected'
      : lines.every((l) => l.status === 'accepted')
        ? 'accepted'
        : 'changed';
  return {
    meta: meta('PurchaseOrderAcknowledged', po, ctx),
    purchaseOrderId: po.purchaseOrderId,
    purchaseOrderName: po.name,
    vendor: po.vendor,
    status,
    ackTypeCode: ack.ackType,
    vendorOrderRef: ack.vendorOrderRef,
    acknowledgedAt: ack.acknowledgedAt ?? ctx.receivedAt,
    lines,
    sourceDocumentId: ctx.documentId,
    notes: ack.notes,
  };
}

/** 856 -> one ShipNoticeReceived per PO in the shipment. */
export function mapShipNotice(notice: SupplierShipNotice, ctx: SupplierMappingContext): ShipNoticeReceived[] {
  return notice.orders.map(({ purchaseOrder: po, lines }) => ({
    meta: meta('ShipNoticeReceived', po, ctx, po.purchaseOrderId),
    purchaseOrderId: po.purchaseOrderId,
    purchaseOrderName: po.name,
    vendor: po.vendor,
    asnNumber: notice.asnNumber,
    purpose: notice.purpose,
    shippedAt: notice.shippedAt,
    expectedAt: notice.expectedAt,
    carrierCode: notice.carrierCode,
    bookingRef: notice.bookingRef,
    trackingNumber: notice.trackingNumber,
    lines: lines.map((l) => ({
      lineNumber: l.lineNumber ?? l.ordered?.lineNumber ?? null,
      purchaseLineId: l.ordered?.lineId ?? null,
      sku: l.sku,
      vendorProductCode: vendorCode(l),
      gtin: l.productIds['UP'] ?? l.productIds['EN'] ?? l.ordered?.gtin ?? null,
      quantity: l.quantity,
      uom: l.uom,
      lots: l.lots.map((lot) => ({ ...lot, expiryDate: null })),
    })),
    sourceDocumentId: ctx.documentId,
  }));
}

/** 810 -> VendorBillReceived: a draft vendor bill (in_invoice, or in_refund for a credit memo) with the supplier's lines and charges. */
export function mapSupplierInvoice(inv: SupplierInvoice, ctx: SupplierMappingContext): VendorBillReceived {
  const po = inv.purchaseOrder;
  const lines: VendorBillLine[] = inv.lines.map((l, i) => {
    const subtotal = formatScaled(multiplyScaled(parseX12Decimal(l.quantity, 4)!, 4, parseX12Decimal(l.unitPrice, 6)!, 6, 4), 4);
    return {
      lineId: `${ctx.documentId}:${i + 1}`,
      purchaseOrderId: l.ordered ? po.purchaseOrderId : null,
      purchaseLineId: l.ordered?.lineId ?? null,
      lineNumber: l.lineNumber ?? l.ordered?.lineNumber ?? null,
      sku: l.sku,
      productId: l.ordered?.productId ?? null,
      vendorProductCode: vendorCode(l),
      description: l.description ?? l.ordered?.description ?? l.sku ?? vendorCode(l) ?? `line ${i + 1}`,
      quantity: l.quantity,
      uom: l.uom,
      unitPrice: l.unitPrice,
      discountPercent: '0.0000',
      taxCodes: [],
      subtotal,
      taxAmount: '0.0000',
      total: subtotal,
    };
  });
  const charges: VendorBillLine[] = inv.charges.map((c, i) => ({
    lineId: `${ctx.documentId}:sac:${i + 1}`,
    purchaseOrderId: null,
    purchaseLineId: null,
    lineNumber: null,
    sku: null,
    productId: null,
    vendorProductCode: null,
    description: c.description ?? `SAC ${c.code}`,
    quantity: '1.0000',
    uom: null,
    unitPrice: `${c.amount}00`,
    discountPercent: '0.0000',
    taxCodes: [],
    subtotal: c.amount,
    taxAmount: '0.0000',
    total: c.amount,
  }));
  const all = [...lines, ...charges];
  const untaxed = all.reduce((n, l) => n + parseX12Decimal(l.subtotal, 4)!, 0n);
  return {
    meta: meta('VendorBillReceived', po, ctx),
    purchaseOrderId: po.purchaseOrderId,
    purchaseOrderName: po.name,
    bill: {
      billId: `odx:edi:${ctx.profile.id}:${inv.invoiceNumber}`,
      name: '/',
      moveType: inv.credit ? 'in_refund' : 'in_invoice',
      state: 'draft',
      paymentState: null,
      vendor: po.vendor,
      vendorRef: inv.invoiceNumber,
      origin: po.name,
      invoiceDate: inv.invoiceDate,
      dueDate: inv.dueDate,
      currency: inv.currency,
      lines: all,
      amountUntaxed: formatScaled(untaxed, 4),
      amountTax: inv.taxAmount,
      // The supplier's TDS total, checked against the lines within a cent per line when the 810 was read.
      amountTotal: inv.totalAmount,
      amountResidual: inv.totalAmount,
      paymentTerm: inv.paymentTerm,
      paymentReference: inv.invoiceNumber,
      reversedBillId: null,
      reversedBillName: null,
    },
    sourceDocumentId: ctx.documentId,
  };
}
