// The body of POST /v1/orders and its Idempotency-Key header: validated at the
// edge (zod), and the source of the OpenAPI document's schemas.
import { z } from 'zod';
import 'zod-openapi';
import { MAX_AMOUNT_UNITS, lineSubtotalUnits } from './order-amounts.js';

const DECIMAL = /^\d+(\.\d+)?$/;
const text = (max: number) => z.string().trim().min(1).max(max);
const decimal = (intDigits: number, scale: number, example: string) =>
  z
    .string()
    .regex(
      new RegExp(`^\\d{1,${intDigits}}(\\.\\d{1,${scale}})?$`),
      `a decimal string with at most ${intDigits} digits before and ${scale} after the point, e.g. "${example}"`,
    )
    .meta({ example });

/** An Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): 8-255 visible ASCII characters, e.g. a UUID. */
export const idempotencyKeySchema = z
  .string({ error: 'the Idempotency-Key header is required' })
  .min(8, 'Idempotency-Key must be at least 8 characters (a UUID is a good key)')
  .max(255, 'Idempotency-Key must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'Idempotency-Key must be visible ASCII characters only (no spaces)')
  .meta({ description: 'A unique key per order submission (e.g. a UUID v4). Repeats with the same key get the first answer.' });

export const addressSchema = z
  .strictObject({
    name: text(200),
    companyName: text(200).optional(),
    street1: text(200),
    street2: text(200).optional(),
    city: text(100),
    region: text(50).optional(),
    postalCode: text(20),
    countryCode: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 code, e.g. "DE"'),
    phone: text(50).optional(),
    email: z.email().max(254).optional(),
  })
  .meta({ id: 'Address' });

export const orderLineSchema = z
  .strictObject({
    sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'a SKU is 1-64 of A-Z, a-z, 0-9, . _ / -'),
    quantity: decimal(10, 4, '3').refine((q) => /[1-9]/.test(q), 'quantity must be greater than 0'),
    uom: z
      .string()
      .regex(/^[A-Za-z0-9]{1,10}$/, 'a unit code such as EA')
      .default('EA'),
    unitPrice: decimal(12, 6, '19.90'),
    description: text(500).optional(),
    customerItemCode: text(64).optional(),
    requestedDate: z.iso.date().optional(),
  })
  .meta({ id: 'OrderLine' });

export const orderRequestSchema = z
  .strictObject({
    orderRef: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an order reference is 1-64 of A-Z, a-z, 0-9, . _ -')
      .meta({ description: "The shop's own order number; GET /v1/orders/{orderRef} reads the order's status by it." }),
    currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code, e.g. "EUR"'),
    orderDate: z.iso.datetime({ offset: true }).optional(),
    warehouse: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,20}$/)
      .optional()
      .meta({ description: 'Odoo warehouse code to ship from; Odoo decides when absent.' }),
    requestedDeliveryDate: z.iso.date().optional(),
    shipTo: addressSchema,
    billTo: addressSchema.optional(),
    lines: z.array(orderLineSchema).min(1).max(200),
    carrierCode: text(50).optional(),
    serviceLevel: text(50).optional(),
    notes: text(2000).optional(),
  })
  .superRefine((o, ctx) => {
    // Malformed decimals were reported by their own fields; the total is only checked on valid ones.
    if (!o.lines.every((l) => DECIMAL.test(l.quantity) && DECIMAL.test(l.unitPrice))) return;
    const total = o.lines.reduce((sum, l) => sum + lineSubtotalUnits(l), 0n);
    if (total > MAX_AMOUNT_UNITS)
      ctx.addIssue({
        code: 'custom',
        path: ['lines'],
        message: 'the order total (quantity x unitPrice summed) exceeds 99999999999999.9999',
      });
  })
  .meta({ id: 'OrderRequest' });

export type OrderRequest = z.infer<typeof orderRequestSchema>;
export type OrderLineRequest = OrderRequest['lines'][number];

export const orderAcceptedSchema = z
  .object({
    orderId: z.string().meta({ example: 'odx:api:acme-shop:A-1001' }),
    orderRef: z.string(),
    status: z.literal('received'),
    eventId: z.uuid(),
    receivedAt: z.iso.datetime(),
    currency: z.string(),
    amountTotal: z.string().meta({ example: '59.7000' }),
    lines: z.number().int(),
    links: z.object({ status: z.string().meta({ example: '/v1/orders/A-1001' }) }),
  })
  .meta({ id: 'OrderAccepted' });
export type OrderAccepted = z.infer<typeof orderAcceptedSchema>;
