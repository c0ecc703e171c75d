import type { EventMeta, Party, ReceiptLot, VendorBill } from '@odx/schemas';

/**
 * Events the schemas do not have yet, shaped as Avro records would be
 * (proposed-schemas/*.avsc next to this service). The gateway builds them
 * for the supplier's 856 and 810 and keeps them in MongoDB
 * (edi_ship_notices, edi_vendor_bills) until the schemas carry them; nothing
 * goes on Kafka for them but the document's EdiDocumentReceived.
 */

/** A supplier announced goods on the way for one of our POs (856 ASN): the receipt to expect. One per (ASN, PO). */
export interface ShipNoticeReceived {
  meta: EventMeta;
  purchaseOrderId: string;
  purchaseOrderName: string | null;
  vendor: Party;
  /** BSN02. */
  asnNumber: string;
  /** BSN01: 00 original, 05 replace, ... */
  purpose: string;
  shippedAt: Date | null;
  expectedAt: Date | null;
  carrierCode: string | null;
  bookingRef: string | null;
  trackingNumber: string | null;
  lines: ShipNoticeLine[];
  /** EdiDocument.documentId of the 856. */
  sourceDocumentId: string;
}

export interface ShipNoticeLine {
  /** Our PO line number (LIN01), when the supplier quotes it. */
  lineNumber: number | null;
  /** purchase.order.line id, when matched. */
  purchaseLineId: string | null;
  sku: string | null;
  vendorProductCode: string | null;
  gtin: string | null;
  /** decimal(14,4): quantity shipped, in uom. */
  quantity: string;
  uom: string;
  lots: ReceiptLot[];
}

/** A supplier's invoice (810) for one of our POs, to be created as a draft vendor bill in Odoo (state draft, no Odoo id yet). */
export interface VendorBillReceived {
  meta: EventMeta;
  purchaseOrderId: string;
  purchaseOrderName: string | null;
  /** billId is the gateway's `odx:edi:<partner>:<invoice number>` until Odoo creates it; name "/" as Odoo names a draft. */
  bill: VendorBill;
  /** EdiDocument.documentId of the 810. */
  sourceDocumentId: string;
}
