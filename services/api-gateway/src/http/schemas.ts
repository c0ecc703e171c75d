// Request and response schemas of the routes that are not order intake; all of them feed the OpenAPI document.
import { z } from 'zod';
import 'zod-openapi';
import { PARTNER_KINDS, SCOPES, partnerIdSchema } from '../keys/api-key.js';
import { ORDER_STATUSES } from '../status/order-status.js';

export const orderRefParam = z.strictObject({
  ref: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'an order reference is 1-64 of A-Z, a-z, 0-9, . _ -'),
});

export const availabilityQuery = z.strictObject({
  sku: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$/, 'a SKU is 1-64 of A-Z, a-z, 0-9, . _ / -'),
  warehouse: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,20}$/, 'a warehouse code is 1-20 of A-Z, a-z, 0-9, _ -')
    .optional(),
});

export const availabilitySchema = z
  .object({
    sku: z.string(),
    warehouses: z.array(z.object({ warehouse: z.string(), available: z.string().meta({ example: '42.0000' }), asOf: z.iso.datetime() })),
    /** Sum over the listed warehouses. */
    available: z.string(),
  })
  .meta({ id: 'Availability' });

export const orderStatusSchema = z
  .object({
    orderId: z.string(),
    orderRef: z.string(),
    status: z.enum(ORDER_STATUSES),
    timeline: z.array(
      z.object({
        at: z.iso.datetime(),
        eventType: z.string(),
        status: z.enum(ORDER_STATUSES).nullable(),
        detail: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'OrderStatus' });

export const createKeyBody = z
  .strictObject({
    partnerId: partnerIdSchema,
    kind: z.enum(PARTNER_KINDS),
    customer: z.strictObject({
      partyId: z.string().min(1).max(64),
      ref: z.string().min(1).max(64).nullable().default(null),
      name: z.string().min(1).max(200),
    }),
    scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length),
    label: z.string().min(1).max(200).default('api key'),
    rateLimit: z.number().int().min(1).max(100_000).nullable().default(null),
  })
  .meta({ id: 'CreateApiKey' });

export const keyIdParam = z.strictObject({ keyId: z.string().regex(/^[0-9a-f]{16}$/, 'a key id is 16 hex digits') });
export const listKeysQuery = z.strictObject({ partnerId: partnerIdSchema.optional() });

export const keyViewSchema = z
  .object({
    keyId: z.string(),
    partnerId: z.string(),
    kind: z.enum(PARTNER_KINDS),
    customer: z.object({ partyId: z.string(), ref: z.string().nullable(), name: z.string() }),
    scopes: z.array(z.enum(SCOPES)),
    label: z.string(),
    rateLimit: z.number().nullable(),
    createdAt: z.iso.datetime(),
    createdBy: z.string(),
    revokedAt: z.iso.datetime().nullable(),
    revokedBy: z.string().nullable(),
  })
  .meta({ id: 'ApiKey' });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });
