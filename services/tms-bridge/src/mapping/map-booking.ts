import { deterministicEventId } from '@odx/runtime';
import type { Address, ShipmentBooked, ShipmentPacked } from '@odx/schemas';
import type { TmsAddress, TmsParcel, TmsPlace, TmsShipment } from '../tms/tms-types.js';

const dec4 = (amount: string): string => Number(amount).toFixed(4);

/** The ShipmentBooked for a TMS booking; the event id depends only on the shipment and the TMS booking id. Pure. */
export function mapShipmentBooked(packed: ShipmentPacked, booking: TmsShipment): ShipmentBooked {
  const occurredAt = booking.createdAt ? new Date(booking.createdAt) : new Date();
  const packageTrackingNumbers: Record<string, string> = {};
  for (const p of booking.packages) if (p.packageId) packageTrackingNumbers[p.packageId] = p.trackingNumber;
  return {
    meta: {
      eventId: deterministicEventId('tms', 'booked', packed.shipmentId, booking.id),
      occurredAt,
      source: 'tms',
      correlationId: packed.meta.correlationId,
      causationId: packed.meta.eventId,
      company: packed.meta.company,
    },
    shipmentId: packed.shipmentId,
    orderId: packed.orderId,
    carrierCode: booking.carrier.code,
    serviceLevel: booking.service.code,
    bookingRef: booking.id,
    trackingNumber: booking.trackingNumber,
    packageTrackingNumbers,
    labelUri: booking.label?.url ?? null,
    freightCost: dec4(booking.cost.amount),
    currency: booking.cost.currency,
    estimatedPickupAt: booking.estimatedPickupAt ? new Date(booking.estimatedPickupAt) : null,
    estimatedDeliveryAt: booking.estimatedDeliveryAt ? new Date(booking.estimatedDeliveryAt) : null,
  };
}

export interface ParcelDefaults {
  /** Used for packages without dimensions. */
  dimensionsCm: { lengthCm: number; widthCm: number; heightCm: number };
}

/** ShipmentPacked packages as TMS parcels (numbers; default dimensions where the WMS gave none). Pure. */
export function toParcels(packed: ShipmentPacked, d: ParcelDefaults): TmsParcel[] {
  return packed.packages.map((p) => ({
    packageId: p.packageId,
    weightKg: Math.max(0.01, Number(p.weightKg)),
    lengthCm: p.dimensions ? Number(p.dimensions.lengthCm) : d.dimensionsCm.lengthCm,
    widthCm: p.dimensions ? Number(p.dimensions.widthCm) : d.dimensionsCm.widthCm,
    heightCm: p.dimensions ? Number(p.dimensions.heightCm) : d.dimensionsCm.heightCm,
  }));
}

/** A canonical address as a TMS address, or null when it lacks postal code or country. Pure. */
export function toTmsAddress(a: Address): TmsAddress | null {
  if (!a.postalCode || !a.countryCode) return null;
  const out: TmsAddress = { postalCode: a.postalCode, countryCode: a.countryCode.toUpperCase() };
  const set = <K extends keyof TmsAddress>(k: K, v: string | null): void => {
    if (v) out[k] = v as TmsAddress[K];
  };
  set('city', a.city);
  set('name', a.name);
  set('company', a.companyName);
  set('street1', a.street1);
  set('street2', a.street2);
  set('region', a.region);
  set('phone', a.phone);
  return out;
}

export function toPlace(a: TmsAddress): TmsPlace {
  return { postalCode: a.postalCode, countryCode: a.countryCode, ...(a.city ? { city: a.city } : {}) };
}
