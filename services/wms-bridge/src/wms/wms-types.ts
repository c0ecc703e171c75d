import { z } from 'zod';

/** Ship-to as the WMS takes it. */
export interface WmsAddress {
  name: string;
  company?: string;
  street1: string;
  street2?: string;
  city: string;
  region?: string;
  postalCode: string;
  countryCode: string;
  phone?: string;
  email?: string;
}

/** Body of `POST /v1/outbound-orders`. */
export interface CreateOutboundOrderRequest {
  /** Idempotency key on the WMS side: the ODX order id (plus `~<warehouse>` for lines shipped elsewhere). */
  externalRef: string;
  warehouse: string;
  shipTo: WmsAddress;
  lines: Array<{ lineRef: string; sku: string; qty: number; uom: string }>;
  requestedShipDate: string;
  carrierHint?: string;
}

const num = z.number().finite();

/** The fields of a WMS outbound order the bridge reads (unknown fields are kept and ignored). */
export const outboundOrderSchema = z.looseObject({
  id: z.string().min(1).max(100),
  externalRef: z.string().min(1).max(200),
  warehouse: z.string().min(1).max(50),
  status: z.enum(['received', 'picked', 'packed', 'shipped', 'cancelled']),
  shipTo: z.looseObject({
    name: z.string(),
    company: z.string().nullish(),
    street1: z.string(),
    street2: z.string().nullish(),
    city: z.string(),
    region: z.string().nullish(),
    postalCode: z.string(),
    countryCode: z.string(),
    phone: z.string().nullish(),
    email: z.string().nullish(),
  }),
  lines: z
    .array(
      z.looseObject({
        lineNumber: z.number().int(),
        lineRef: z.string().nullable(),
        sku: z.string().min(1),
        qty: num,
        uom: z.string().min(1),
        pickedQty: num,
        shippedQty: num,
      }),
    )
    .min(1),
  requestedShipDate: z.string().nullish(),
  carrierHint: z.string().nullish(),
  shortPicked: z.boolean(),
  packages: z.array(
    z.looseObject({
      packageId: z.string().min(1),
      sscc: z.string().nullish(),
      packageType: z.string().min(1),
      weightKg: num.nonnegative(),
      dimensions: z.object({ lengthCm: num, widthCm: num, heightCm: num }).nullish(),
      contents: z.array(z.looseObject({ lineNumber: z.number().int(), lineRef: z.string().nullable(), sku: z.string().min(1), qty: num })),
    }),
  ),
  bolNumber: z.string().nullish(),
  version: z.number().int(),
  pickedAt: z.iso.datetime().nullish(),
  packedAt: z.iso.datetime().nullish(),
  shippedAt: z.iso.datetime().nullish(),
  cancelledAt: z.iso.datetime().nullish(),
});
export type WmsOutboundOrder = z.output<typeof outboundOrderSchema>;

/** `data` of an `inventory.adjusted` webhook. */
export const inventoryAdjustmentSchema = z.looseObject({
  adjustmentId: z.string().min(1).max(100),
  warehouse: z.string().min(1).max(50),
  sku: z.string().min(1).max(64),
  delta: num,
  onHand: num,
  reason: z.string().max(200).nullish(),
  adjustedAt: z.iso.datetime(),
});
export type WmsInventoryAdjustment = z.output<typeof inventoryAdjustmentSchema>;

/** What an inbound order expects: a purchase from a supplier, or a customer return. */
export type InboundKind = 'purchase' | 'return';

/** Body of `POST /v1/inbound-orders` (an expected receipt). */
export interface CreateInboundOrderRequest {
  /** Idempotency key on the WMS side: `po:<purchaseOrderId>` or `rma:<returnId>`. */
  externalRef: string;
  type: InboundKind;
  warehouse: string;
  /** The PO name or the RMA number, as the dock sees it on the paperwork. */
  reference?: string;
  sender?: { name: string; code?: string };
  expectedDate?: string;
  lines: Array<{ lineRef: string; sku: string; qty: number; uom: string; lotNumber?: string; expectedCondition?: string }>;
}

/** The fields of a WMS inbound order the bridge reads. */
export const inboundOrderSchema = z.looseObject({
  id: z.string().min(1).max(100),
  externalRef: z.string().min(1).max(200),
  type: z.enum(['purchase', 'return']),
  warehouse: z.string().min(1).max(50),
  status: z.string().min(1).max(30),
});
export type WmsInboundOrder = z.output<typeof inboundOrderSchema>;

/** `data` of a `receipt.completed` webhook: one receipt the dock completed against an inbound order. */
export const receiptSchema = z.looseObject({
  receiptId: z.string().min(1).max(100),
  inboundOrderId: z.string().min(1).max(100),
  externalRef: z.string().min(1).max(200),
  inboundType: z.enum(['purchase', 'return']),
  warehouse: z.string().min(1).max(50),
  receivedBy: z.string().max(200).nullish(),
  completedAt: z.iso.datetime(),
  lines: z
    .array(
      z.looseObject({
        receiptLineId: z.string().min(1).max(200).nullish(),
        lineNumber: z.number().int().positive(),
        lineRef: z.string().min(1).max(200).nullable(),
        sku: z.string().min(1).max(64),
        uom: z.string().min(1).max(10),
        // Whole or decimal units, below the canonical decimal(14,4)'s ceiling.
        qty: num.positive().max(1_000_000_000),
        condition: z.string().min(1).max(30).nullish(),
        location: z.string().max(200).nullish(),
        lots: z
          .array(
            z.looseObject({
              lotNumber: z.string().min(1).max(100),
              qty: num.positive().max(1_000_000_000),
              expiryDate: z.iso.date().nullish(),
            }),
          )
          .max(100)
          .default([]),
      }),
    )
    .min(1)
    .max(500),
});
export type WmsReceipt = z.output<typeof receiptSchema>;

/** A webhook body: the Standard Webhooks envelope the WMS posts. */
export const webhookEnvelopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['order.picked', 'order.packed', 'order.shipped']), timestamp: z.string(), data: outboundOrderSchema }),
  z.object({ type: z.literal('inventory.adjusted'), timestamp: z.string(), data: inventoryAdjustmentSchema }),
  z.object({ type: z.literal('receipt.completed'), timestamp: z.string(), data: receiptSchema }),
]);
export type WmsWebhook = z.output<typeof webhookEnvelopeSchema>;

/** Event types the bridge turns into canonical events. */
export const HANDLED_WEBHOOK_TYPES: ReadonlySet<string> = new Set([
  'order.picked',
  'order.packed',
  'order.shipped',
  'inventory.adjusted',
  'receipt.completed',
]);

/** `GET /v1/inventory`: stock per warehouse and SKU. */
export const inventoryListSchema = z.object({
  items: z.array(z.looseObject({ warehouse: z.string().min(1).max(50), sku: z.string().min(1).max(64), onHand: num })).max(1_000_000),
});
export type WmsStockRow = z.output<typeof inventoryListSchema>['items'][number];
