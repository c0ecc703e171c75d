import { z } from 'zod';

const text = (max: number) => z.string().trim().min(1).max(max);

export const placeSchema = z.object({
  postalCode: text(20),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'ISO 3166-1 alpha-2 code, e.g. DE'),
  city: z.string().max(100).optional(),
});

export const addressSchema = placeSchema.extend({
  name: z.string().max(200).optional(),
  company: z.string().max(200).optional(),
  street1: z.string().max(200).optional(),
  street2: z.string().max(200).optional(),
  region: z.string().max(50).optional(),
  phone: z.string().max(50).optional(),
});

export const parcelSchema = z.object({
  /** Our package id (WMS LPN or SSCC), echoed back. */
  packageId: z.string().max(64).optional(),
  weightKg: z.number().positive().max(5_000),
  lengthCm: z.number().positive().max(2_000),
  widthCm: z.number().positive().max(2_000),
  heightCm: z.number().positive().max(2_000),
});

export const serviceLevelSchema = z.enum(['economy', 'standard', 'express', 'freight']);

/** Body of `POST /v1/rates`. */
export const rateRequestSchema = z.object({
  shipFrom: placeSchema,
  shipTo: placeSchema,
  packages: z.array(parcelSchema).min(1).max(200),
  serviceLevel: serviceLevelSchema.optional(),
  shipDate: z.iso.date().optional(),
  reference: z.string().max(100).optional(),
});

/** Body of `POST /v1/shipments`: a quote id, or carrier + service with the shipment's details. */
export const bookingRequestSchema = z
  .object({
    reference: text(100),
    orderRef: z.string().max(100).optional(),
    quoteId: z.string().max(100).optional(),
    carrier: z.string().max(20).optional(),
    service: z.string().max(50).optional(),
    shipFrom: addressSchema.optional(),
    shipTo: addressSchema.optional(),
    packages: z.array(parcelSchema).min(1).max(200).optional(),
    shipDate: z.iso.date().optional(),
  })
  .superRefine((body, ctx) => {
    if (body.quoteId !== undefined) return;
    for (const field of ['carrier', 'service', 'shipFrom', 'shipTo', 'packages'] as const) {
      if (body[field] === undefined) ctx.addIssue({ code: 'custom', path: [field], message: `required when no quoteId is given` });
    }
  });

export type RateRequest = z.output<typeof rateRequestSchema>;
export type BookingRequest = z.output<typeof bookingRequestSchema>;
export type ShipmentAddress = z.output<typeof addressSchema>;
export type ParcelInput = z.output<typeof parcelSchema>;

export interface Money {
  /** Decimal string, two places. */
  amount: string;
  /** ISO 4217 */
  currency: string;
}

export interface CarrierRef {
  code: string;
  name: string;
  scac: string;
}

export interface ServiceRef {
  code: string;
  name: string;
  level: string;
}

export interface RateQuote {
  quoteId: string;
  carrier: CarrierRef;
  service: ServiceRef;
  price: Money;
  transitDays: number;
  estimatedDeliveryDate: string;
  billableWeightKg: number;
  expiresAt: string;
}

export type TrackingStatus = 'picked_up' | 'in_transit' | 'out_for_delivery' | 'delivered' | 'exception';
export type ShipmentStatus = 'booked' | 'voided' | TrackingStatus;

export interface TrackingEvent {
  eventId: string;
  status: TrackingStatus;
  occurredAt: string;
  description: string;
  location: { facility: string | null; city: string | null; postalCode: string | null; countryCode: string | null };
  /** Set on `exception`: DELAYED, ADDRESS_ISSUE, DAMAGED, REFUSED, LOST. */
  exceptionCode: string | null;
}

export interface ShipmentPackage {
  packageNumber: number;
  packageId: string | null;
  trackingNumber: string;
  weightKg: number;
  dimensions: { lengthCm: number; widthCm: number; heightCm: number };
}

export interface Shipment {
  id: string;
  /** The client's reference; one booking per reference. */
  reference: string;
  orderRef: string | null;
  status: ShipmentStatus;
  carrier: CarrierRef;
  service: ServiceRef;
  quoteId: string | null;
  /** Master tracking number (parcel) or PRO number (LTL). */
  trackingNumber: string;
  packages: ShipmentPackage[];
  label: { reference: string; url: string; format: 'PDF' };
  cost: Money;
  transitDays: number;
  shipFrom: ShipmentAddress;
  shipTo: ShipmentAddress;
  estimatedPickupAt: string;
  estimatedDeliveryAt: string;
  events: TrackingEvent[];
  version: number;
  createdAt: string;
  updatedAt: string;
  voidedAt: string | null;
}
