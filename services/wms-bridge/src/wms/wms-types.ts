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

/** A webhook body: the Standard Webhooks envelope the WMS posts. */
export const webhookEnvelopeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['order.picked', 'order.packed', 'order.shipped']), timestamp: z.string(), data: outboundOrderSchema }),
  z.object({ type: z.literal('inventory.adjusted'), timestamp: z.string(), data: inventoryAdjustmentSchema }),
]);
export type WmsWebhook = z.output<typeof webhookEnvelopeSchema>;

/** Event types the bridge turns into canonical events. */
export const HANDLED_WEBHOOK_TYPES: ReadonlySet<string> = new Set(['order.picked', 'order.packed', 'order.shipped', 'inventory.adjusted']);

/** `GET /v1/inventory`: stock per warehouse and SKU. */
export const inventoryListSchema = z.object({
  items: z.array(z.looseObject({ warehouse: z.string().min(1).max(50), sku: z.string().min(1).max(64), onHand: num })).max(1_000_000),
});
export type WmsStockRow = z.output<typeof inventoryListSchema>['items'][number];
