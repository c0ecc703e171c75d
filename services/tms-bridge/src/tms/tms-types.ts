import { z } from 'zod';

/** A place as the TMS rates it. */
export interface TmsPlace {
  postalCode: string;
  countryCode: string;
  city?: string;
}

/** A full address for the booking (label). */
export interface TmsAddress extends TmsPlace {
  name?: string;
  company?: string;
  street1?: string;
  street2?: string;
  region?: string;
  phone?: string;
}

export interface TmsParcel {
  packageId?: string;
  weightKg: number;
  lengthCm: number;
  widthCm: number;
  heightCm: number;
}

export type TmsServiceLevel = 'economy' | 'standard' | 'express' | 'freight';
export const TMS_SERVICE_LEVELS: readonly TmsServiceLevel[] = ['economy', 'standard', 'express', 'freight'];

/** Body of `POST /v1/rates`. */
export interface RateRequest {
  shipFrom: TmsPlace;
  shipTo: TmsPlace;
  packages: TmsParcel[];
  serviceLevel?: TmsServiceLevel;
  shipDate?: string;
  reference?: string;
}

/** Body of `POST /v1/shipments` (by quote). */
export interface BookingRequest {
  reference: string;
  orderRef?: string;
  quoteId: string;
  shipTo?: TmsAddress;
}

const money = z.object({ amount: z.string(), currency: z.string() });
const carrier = z.object({ code: z.string(), name: z.string().optional(), scac: z.string().optional() });
const service = z.object({ code: z.string(), name: z.string().optional(), level: z.string() });

export const rateQuoteSchema = z.object({
  quoteId: z.string(),
  carrier,
  service,
  price: money,
  transitDays: z.number().int().nonnegative(),
  estimatedDeliveryDate: z.string(),
  expiresAt: z.string().optional(),
});
export type RateQuote = z.output<typeof rateQuoteSchema>;

export const rateResponseSchema = z.object({
  requestId: z.string().optional(),
  rates: z.array(rateQuoteSchema),
  messages: z
    .array(
      z.object({
        carrier: z.string().optional(),
        service: z.string().optional(),
        code: z.string().optional(),
        text: z.string().optional(),
      }),
    )
    .optional(),
});
export type RateResponse = z.output<typeof rateResponseSchema>;

export const tmsShipmentSchema = z.object({
  id: z.string(),
  reference: z.string(),
  orderRef: z.string().nullable().optional(),
  status: z.string(),
  carrier,
  service,
  trackingNumber: z.string(),
  packages: z.array(z.object({ packageNumber: z.number(), packageId: z.string().nullable().optional(), trackingNumber: z.string() })),
  label: z.object({ reference: z.string(), url: z.string() }).nullable().optional(),
  cost: money,
  transitDays: z.number().optional(),
  estimatedPickupAt: z.string().nullable().optional(),
  estimatedDeliveryAt: z.string().nullable().optional(),
  createdAt: z.string().optional(),
});
export type TmsShipment = z.output<typeof tmsShipmentSchema>;

const location = z.object({
  facility: z.string().nullable().optional(),
  city: z.string().nullable().optional(),
  postalCode: z.string().nullable().optional(),
  countryCode: z.string().nullable().optional(),
});

export const TRACKING_TYPES = [
  'tracking.picked_up',
  'tracking.in_transit',
  'tracking.out_for_delivery',
  'tracking.delivered',
  'tracking.exception',
] as const;
export type TrackingType = (typeof TRACKING_TYPES)[number];

export const trackingWebhookSchema = z.object({
  type: z.enum(TRACKING_TYPES),
  timestamp: z.string().optional(),
  data: z.object({
    shipmentId: z.string(),
    reference: z.string(),
    orderRef: z.string().nullable().optional(),
    trackingNumber: z.string().nullable().optional(),
    carrier,
    service: service.optional(),
    status: z.string(),
    event: z.object({
      eventId: z.string(),
      status: z.string(),
      occurredAt: z.string(),
      description: z.string().nullable().optional(),
      exceptionCode: z.string().nullable().optional(),
      location: location.nullable().optional(),
    }),
    estimatedDeliveryAt: z.string().nullable().optional(),
    version: z.number().optional(),
  }),
});
export type TrackingWebhook = z.output<typeof trackingWebhookSchema>;
