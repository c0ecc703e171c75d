// A subscription: one downstream system's endpoint, what it receives, and the secrets it verifies with.
import { envVar } from '@odx/runtime';
import { isEventType } from '@odx/schemas';
import { z } from 'zod';
import type { SubscriptionFilter } from './subscription-filter.js';

export type SubscriptionStatus = 'active' | 'disabled';

export interface StoredSecret {
  /** Short id to name it in rotation calls (never the secret). */
  id: string;
  secret: string;
  createdAt: Date;
}

export interface SubscriptionDoc extends SubscriptionFilter {
  _id: string;
  /** The downstream system, e.g. `crm` or `shop-eu`. */
  name: string;
  url: string;
  /** One or two: during a rotation both sign every delivery. */
  secrets: StoredSecret[];
  status: SubscriptionStatus;
  disabledReason: string | null;
  disabledAt: Date | null;
  /** When it was created or last enabled: failed attempts before this do not count towards the retry schedule. */
  activeSince: Date;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string;
}

/** A subscription as the API shows it: secrets only by id and a short prefix. */
export interface SubscriptionView extends Omit<SubscriptionDoc, '_id' | 'secrets'> {
  id: string;
  secrets: Array<{ id: string; prefix: string; createdAt: Date }>;
}

export function viewOf(s: SubscriptionDoc): SubscriptionView {
  const { _id, secrets, ...rest } = s;
  return { id: _id, ...rest, secrets: secrets.map((x) => ({ id: x.id, prefix: `${x.secret.slice(0, 10)}…`, createdAt: x.createdAt })) };
}

/** Caps that keep one subscription's filter cheap to evaluate for every event. */
export const FILTER_LIMITS = { eventTypes: 100, keys: 1_000, keyLength: 256, fieldValues: 100, valueLength: 256, pathDepth: 10 } as const;

const eventTypeName = z
  .string()
  .max(100)
  .refine((t) => isEventType(t), { message: 'is not an ODX event type (simple name, e.g. OrderConfirmed)' });

/** A `whsec_` secret of at least 24 bytes (the runtime's rule for inbound webhook secrets). */
export const secretSchema = envVar.webhookSecret().refine((s) => s.startsWith('whsec_'), { message: 'must be whsec_ followed by base64' });

const fieldPath = z
  .string()
  .max(200)
  .regex(
    new RegExp(`^[A-Za-z_][A-Za-z0-9_]{0,63}(\\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,${FILTER_LIMITS.pathDepth - 1}}$`),
    `a dotted path of at most ${FILTER_LIMITS.pathDepth} field names, e.g. order.customer.ref`,
  );

const filterFields = {
  /** `["*"]` for every type. */
  eventTypes: z.union([z.tuple([z.literal('*')]), z.array(eventTypeName).min(1).max(FILTER_LIMITS.eventTypes)]),
  keys: z.array(z.string().min(1).max(FILTER_LIMITS.keyLength)).min(1).max(FILTER_LIMITS.keys).optional(),
  field: z
    .strictObject({
      path: fieldPath,
      in: z.array(z.string().max(FILTER_LIMITS.valueLength)).min(1).max(FILTER_LIMITS.fieldValues),
    })
    .optional(),
};

export const createSubscriptionSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, 'letters, digits, space, . _ -'),
  url: z.string().min(1).max(2_048),
  ...filterFields,
  /** Absent: one is generated and answered once. */
  secret: secretSchema.optional(),
});
export type CreateSubscription = z.infer<typeof createSubscriptionSchema>;

export const updateSubscriptionSchema = z
  .strictObject({
    name: createSubscriptionSchema.shape.name.optional(),
    url: z.string().min(1).max(2_048).optional(),
    eventTypes: filterFields.eventTypes.optional(),
    keys: filterFields.keys.nullable(),
    field: filterFields.field.nullable(),
  })
  .partial();
export type UpdateSubscription = z.infer<typeof updateSubscriptionSchema>;

/** `["*"]` is stored as an empty list (every type). */
export function storedEventTypes(types: readonly string[]): string[] {
  return types.length === 1 && types[0] === '*' ? [] : [...new Set(types)];
}
