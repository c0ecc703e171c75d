import type { Party } from '@odx/schemas';

/**
 * What the gateway remembers of a purchase order it sent a supplier (850),
 * to read the supplier's answers (855, 856, 810) against: their documents
 * quote the PO name and our line numbers, and the events they become name
 * Odoo's ids.
 */
export interface PurchaseOrderFacts {
  purchaseOrderId: string;
  /** Odoo PO reference (850 BEG03), what the supplier quotes. */
  name: string;
  vendor: Party;
  currency: string;
  lines: PurchaseOrderFactsLine[];
}

export interface PurchaseOrderFactsLine {
  lineId: string;
  /** 850 PO101. */
  lineNumber: number;
  sku: string;
  productId: string;
  vendorProductCode: string | null;
  gtin: string | null;
  description: string;
  /** decimal(14,4), in `uom`. */
  quantity: string;
  /** Our unit code. */
  uom: string;
  /** decimal(18,6). */
  unitPrice: string;
}

/** The purchase orders a supplier's documents may quote: one partner's, by PO name. */
export type PurchaseOrderLookup = (poName: string) => PurchaseOrderFacts | undefined;

/** A line as a supplier quotes it (855 PO1, 856 LIN/SN1, 810 IT1), matched to our PO line when its number is one. */
export interface SupplierLine {
  /** PO101 / LIN01 / IT101 as a number, null when absent. */
  lineNumber: number | null;
  /** Our PO line it answers, or null (a line the supplier added, or a number we did not send). */
  ordered: PurchaseOrderFactsLine | null;
  /** Product ids by X12 qualifier (VP, BP, UP, ...). */
  productIds: Record<string, string>;
  /** Our SKU: the PO line's, else the profile's mapping of a product id; null when neither knows it. */
  sku: string | null;
  /** decimal(14,4). */
  quantity: string;
  partnerUom: string;
  /** The unit in our code (profile mapping), else as sent. */
  uom: string;
  /** decimal(18,6), null when not sent. */
  unitPrice: string | null;
}

/** A supplier's 855 purchase order acknowledgment, checked and matched to our PO. */
export interface SupplierAcknowledgment {
  purchaseOrder: PurchaseOrderFacts;
  /** BAK02: AC, AD, AE, AK, RD, RJ. */
  ackType: string;
  /** BAK08: the supplier's order number. */
  vendorOrderRef: string | null;
  /** BAK09 (the acknowledgment's date); null when the document has none. */
  acknowledgedAt: Date | null;
  lines: Array<
    SupplierLine & {
      /** ACK01, or null for a PO1 without ACK. */
      statusCode: string | null;
      /** PO102: the ordered quantity as the supplier echoes it. */
      quantityOrdered: string;
      /** ACK05 when ACK04 is 067, 068 or 017 (delivery / ship dates). */
      deliveryDate: Date | null;
    }
  >;
  notes: string | null;
}

/** A supplier's 856 ship notice: one shipment, the goods of each of our POs in it. */
export interface SupplierShipNotice {
  /** BSN02. */
  asnNumber: string;
  /** BSN01: 00 original, 05 replace, ... */
  purpose: string;
  /** DTM 011, else BSN03. */
  shippedAt: Date | null;
  /** DTM 017 (estimated delivery) or 067. */
  expectedAt: Date | null;
  /** TD503 SCAC. */
  carrierCode: string | null;
  /** REF BM. */
  bookingRef: string | null;
  /** REF CN. */
  trackingNumber: string | null;
  orders: Array<{
    purchaseOrder: PurchaseOrderFacts;
    lines: Array<SupplierLine & { lots: Array<{ lotNumber: string; quantity: string }> }>;
  }>;
}

/** A supplier's 810 invoice (or credit memo), matched to our PO. */
export interface SupplierInvoice {
  purchaseOrder: PurchaseOrderFacts;
  /** BIG02. */
  invoiceNumber: string;
  /** BIG01. */
  invoiceDate: Date;
  /** BIG07 CR: a credit memo (vendor refund). */
  credit: boolean;
  currency: string;
  /** DTM 814 (payment due), or ITD06 (net due date). */
  dueDate: Date | null;
  /** ITD12 free-form terms description, else ITD07 net days. */
  paymentTerm: string | null;
  lines: Array<SupplierLine & { unitPrice: string; description: string | null }>;
  /** SAC charges (positive) and allowances (negative), decimal(18,4). */
  charges: Array<{ code: string; amount: string; description: string | null }>;
  /** TXI tax amounts summed, decimal(18,4). */
  taxAmount: string;
  /** TDS01 as a decimal(18,4). */
  totalAmount: string;
}
