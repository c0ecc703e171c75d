/**
 * A partner's purchase order as the gateway reads it, in neither standard's
 * terms: an X12 850 (x12/validate-850.ts) and an EDIFACT ORDERS
 * (edifact/read-orders.ts) both become one, and the mapping to OrderReceived
 * and the documents answering it (855, 856, DESADV, 810, INVOIC) read only this.
 */
export interface PurchaseOrder {
  purpose: string;
  orderType: string;
  poNumber: string;
  poDate: Date;
  currency: string;
  requestedDeliveryDate: Date | null;
  shipTo: {
    locationCode: string | null;
    name: string | null;
    street1: string | null;
    street2: string | null;
    city: string | null;
    region: string | null;
    postalCode: string | null;
    countryCode: string | null;
  } | null;
  lines: PurchaseOrderLine[];
  notes: string | null;
}

export interface PurchaseOrderLine {
  lineNumber: number;
  /** Buyer's line id as sent (PO101, LIN01). */
  buyerLineId: string;
  /** decimal(14,4). */
  quantity: string;
  partnerUom: string;
  uom: string;
  /** decimal(18,6), null when the partner sent no price. */
  unitPrice: string | null;
  /** Product ids by X12 qualifier, e.g. { UP: '012345000011', BP: 'NW-4' }. */
  productIds: Record<string, string>;
  sku: string;
  gtin: string | null;
  description: string | null;
  /** Line-level requested date. */
  requestedDate: Date | null;
}

/** What the partner's later documents quote of an ordered line: their line id, unit, price and item ids. */
export type PartnerOrderLine = Pick<
  PurchaseOrderLine,
  'lineNumber' | 'buyerLineId' | 'sku' | 'quantity' | 'partnerUom' | 'unitPrice' | 'productIds'
>;

/** The partner's view of an order: PO number and date, and its lines when we received it by EDI (none otherwise). */
export interface PartnerOrder {
  poNumber: string;
  poDate: Date;
  lines: PartnerOrderLine[];
}

/** The partner's view of a purchase order we received, kept to answer it in their terms. */
export function partnerOrderOf(po: PurchaseOrder): PartnerOrder {
  return {
    poNumber: po.poNumber,
    poDate: po.poDate,
    lines: po.lines.map((l) => ({
      lineNumber: l.lineNumber,
      buyerLineId: l.buyerLineId,
      sku: l.sku,
      quantity: l.quantity,
      partnerUom: l.partnerUom,
      unitPrice: l.unitPrice,
      productIds: l.productIds,
    })),
  };
}
