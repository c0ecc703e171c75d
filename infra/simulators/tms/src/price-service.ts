import { LTL_MIN_KG, PARCEL_MAX_KG, type Carrier, type CarrierService } from './carriers.js';

export interface Place {
  postalCode: string;
  countryCode: string;
}

export interface Parcel {
  weightKg: number;
  lengthCm: number;
  widthCm: number;
  heightCm: number;
}

export interface PriceRequest {
  shipFrom: Place;
  shipTo: Place;
  packages: readonly Parcel[];
  /** YYYY-MM-DD */
  shipDate: string;
}

export type PriceResult =
  | { ok: true; cents: number; transitDays: number; estimatedDeliveryDate: string; billableWeightKg: number }
  | { ok: false; code: string; text: string };

const ZONE_MULTIPLIER = { 1: 1, 2: 1.15, 3: 1.3, 4: 1.8 } as const;
type Zone = keyof typeof ZONE_MULTIPLIER;

/** 1 same postal region … 3 far within a country, 4 cross-border (from the first postal digit). */
export function zoneOf(from: Place, to: Place): Zone {
  if (from.countryCode !== to.countryCode) return 4;
  const a = Number.parseInt(from.postalCode.replace(/\D/g, '').charAt(0) || '0', 10);
  const b = Number.parseInt(to.postalCode.replace(/\D/g, '').charAt(0) || '0', 10);
  const d = Math.abs(a - b);
  return d === 0 ? 1 : d <= 3 ? 2 : 3;
}

/** Parcel billable weight: the greater of actual and volumetric (L×W×H / 5000), up to the next 0.5 kg. */
export function billableKg(p: Parcel): number {
  const volumetric = (p.lengthCm * p.widthCm * p.heightCm) / 5000;
  return Math.ceil(Math.max(p.weightKg, volumetric) * 2) / 2;
}

/** `date` (YYYY-MM-DD) plus `days` working days (Saturday and Sunday skipped). */
export function addBusinessDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  let left = days;
  while (left > 0) {
    d.setUTCDate(d.getUTCDate() + 1);
    const weekday = d.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return d.toISOString().slice(0, 10);
}

/** `1234` → `"12.34"`. */
export function formatCents(cents: number): string {
  return `${Math.trunc(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

/** What `service` of `carrier` would charge, or why it cannot carry the shipment. Deterministic. */
export function priceService(carrier: Carrier, service: CarrierService, request: PriceRequest): PriceResult {
  const zone = zoneOf(request.shipFrom, request.shipTo);
  const totalKg = request.packages.reduce((sum, p) => sum + p.weightKg, 0);
  let cents: number;
  let billable: number;
  if (carrier.mode === 'ltl') {
    if (zone === 4) return { ok: false, code: 'not_serviced', text: `${carrier.name} serves domestic lanes only` };
    if (totalKg < LTL_MIN_KG) return { ok: false, code: 'below_minimum', text: `${carrier.name} quotes from ${LTL_MIN_KG} kg` };
    billable = Math.ceil(totalKg);
    cents = service.baseCents + service.perKgCents * billable;
  } else {
    const heavy = request.packages.findIndex((p) => p.weightKg > PARCEL_MAX_KG);
    if (heavy >= 0) return { ok: false, code: 'package_too_heavy', text: `package ${heavy + 1} exceeds ${PARCEL_MAX_KG} kg for ${carrier.name}` };
    billable = request.packages.reduce((sum, p) => sum + billableKg(p), 0);
    cents = service.baseCents * request.packages.length + service.perKgCents * billable;
  }
  cents = Math.round(cents * ZONE_MULTIPLIER[zone]);
  const extraDays = service.level === 'express' ? (zone === 4 ? 1 : 0) : zone - 1;
  const transitDays = service.baseDays + extraDays;
  return { ok: true, cents, transitDays, estimatedDeliveryDate: addBusinessDays(request.shipDate, transitDays), billableWeightKg: billable };
}
