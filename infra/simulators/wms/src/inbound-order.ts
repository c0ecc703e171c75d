import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

/** What an inbound order expects: goods bought from a supplier, or goods a customer returns. */
export const INBOUND_TYPES = ['purchase', 'return'] as const;
export type InboundType = (typeof INBOUND_TYPES)[number];

/**
 * Condition codes are an open set, as in real WMSs (a site adds QUARANTINE or
 * B_STOCK): upper-case words. Purchase receipts default to GOOD, returns to
 * the line's expected condition, else RESTOCK.
 */
export const conditionCode = z.string().regex(/^[A-Z][A-Z0-9_]{1,29}$/, 'an upper-case condition code, e.g. RESTOCK, SCRAP, GOOD');

/** Conditions whose goods are put away to sellable stock (on-hand grows); the rest go to a location named after the condition. */
export const STOCKED_CONDITIONS: ReadonlySet<string> = new Set(['GOOD', 'RESTOCK']);

/** Body of `POST /v1/inbound-orders` (an expected receipt; an ASN in WMS terms). Unknown fields are ignored. */
export const createInboundOrderSchema = z.object({
  externalRef: text(100),
  type: z.enum(INBOUND_TYPES),
  warehouse: text(20),
  /** The sender's document: the PO number, the RMA number. */
  reference: z.string().max(100).optional(),
  /** Who sends the goods: the supplier, the returning customer. */
  sender: z.object({ name: text(200), code: z.string().max(100).optional() }).optional(),
  expectedDate: z.iso.date().optional(),
  lines: z
    .array(
      z.object({
        lineRef: z.string().max(100).optional(),
        sku: text(64),
        qty: z.number().int().positive().max(1_000_000),
        uom: z.string().min(1).max(10).default('EA'),
        lotNumber: z.string().max(100).optional(),
        expectedCondition: conditionCode.optional(),
      }),
    )
    .min(1)
    .max(500)
    .refine((lines) => lines.reduce((sum, l) => sum + l.qty, 0) <= 1_000_000, 'at most 1000000 units per inbound order'),
});
export type CreateInboundOrder = z.output<typeof createInboundOrderSchema>;

const lotSchema = z
  .object({ lotNumber: text(100), qty: z.number().int().positive().max(1_000_000), expiryDate: z.iso.date().optional() })
  .strict();

/**
 * Body of `POST /sim/admin/inbound-orders/:id/receive`: what the dock counted.
 * Without `lines`, everything still expected is received in its default
 * condition. A line names the inbound line by `lineNumber` or `lineRef`; the
 * same line may appear more than once (3 RESTOCK and 2 SCRAP).
 */
export const receiveSchema = z
  .object({
    lines: z
      .array(
        z
          .object({
            lineNumber: z.number().int().positive().optional(),
            lineRef: z.string().min(1).max(100).optional(),
            qty: z.number().int().positive().max(1_000_000),
            condition: conditionCode.optional(),
            lots: z.array(lotSchema).max(100).optional(),
            location: z.string().min(1).max(100).optional(),
          })
          .strict()
          .refine((l) => l.lineNumber !== undefined || l.lineRef !== undefined, 'name the line by lineNumber or lineRef')
          .refine((l) => l.lots === undefined || l.lots.reduce((s, x) => s + x.qty, 0) === l.qty, 'lot quantities must add up to qty'),
      )
      .min(1)
      .max(500)
      .optional(),
    receivedBy: z.string().min(1).max(100).optional(),
    /** Accept more than expected (real WMSs allow it within a tolerance); off: 422 `over_receipt`. */
    allowOverReceipt: z.boolean().default(false),
  })
  .strict();
export type ReceiveInput = z.output<typeof receiveSchema>;

export type InboundStatus = 'expected' | 'receiving' | 'received' | 'cancelled';

export interface InboundLine {
  lineNumber: number;
  lineRef: string | null;
  sku: string;
  /** Expected quantity. */
  qty: number;
  uom: string;
  lotNumber: string | null;
  expectedCondition: string | null;
  /** Received so far, over every receipt. */
  receivedQty: number;
}

export interface ReceiptLot {
  lotNumber: string;
  qty: number;
  expiryDate: string | null;
}

export interface ReceiptLine {
  /** `<receiptId>/<n>`. */
  receiptLineId: string;
  lineNumber: number;
  lineRef: string | null;
  sku: string;
  uom: string;
  /** The inbound line's expected quantity. */
  expectedQty: number;
  qty: number;
  condition: string;
  lots: ReceiptLot[];
  /** Where the quantity was put: `<warehouse>/STOCK`, or `<warehouse>/<condition>` (WH/SCRAP). */
  location: string;
}

/** One completed receipt (a dock count closed): the `data` of `receipt.completed`. */
export interface Receipt {
  receiptId: string;
  inboundOrderId: string;
  externalRef: string;
  inboundType: InboundType;
  warehouse: string;
  reference: string | null;
  /** The inbound order's status after this receipt: `receiving` (more expected) or `received`. */
  inboundStatus: InboundStatus;
  receivedBy: string;
  completedAt: string;
  lines: ReceiptLine[];
}

export interface InboundOrder {
  id: string;
  externalRef: string;
  type: InboundType;
  warehouse: string;
  status: InboundStatus;
  reference: string | null;
  sender: { name: string; code: string | null } | null;
  expectedDate: string | null;
  lines: InboundLine[];
  receipts: Receipt[];
  cancelReason: string | null;
  /** Increases with every change. */
  version: number;
  createdAt: string;
  updatedAt: string;
  receivedAt: string | null;
  cancelledAt: string | null;
}
