import type { RateQuote, TmsServiceLevel } from '../tms/tms-types.js';

/**
 * - `cheapest-on-time` (default): the cheapest quote that arrives by the promised date
 *   (and within the order's service level when it names one); when none does, the fastest.
 * - `cheapest`: the cheapest quote of the service level, ignoring the promise.
 * - `fastest`: the earliest delivery, cheapest among equals.
 */
export type RatePolicy = 'cheapest-on-time' | 'cheapest' | 'fastest';
export const RATE_POLICIES: readonly RatePolicy[] = ['cheapest-on-time', 'cheapest', 'fastest'];

export interface RateConstraints {
  /** Latest acceptable delivery date (YYYY-MM-DD), from the order's promised (or requested) delivery date. */
  deliverBy: string | null;
  /** Most transit days allowed (a configured ceiling), or null. */
  maxTransitDays: number | null;
  /** Only quotes of this TMS service level, or null for any. */
  serviceLevel: TmsServiceLevel | null;
  /** Carriers (TMS codes) never to use. */
  excludedCarriers: readonly string[];
}

export type RateChoice = { ok: true; quote: RateQuote; onTime: boolean; reason: string } | { ok: false; reason: string };

const cents = (q: RateQuote): number => Math.round(Number(q.price.amount) * 100);

function byPrice(a: RateQuote, b: RateQuote): number {
  return cents(a) - cents(b) || a.transitDays - b.transitDays || a.quoteId.localeCompare(b.quoteId);
}

function bySpeed(a: RateQuote, b: RateQuote): number {
  return a.estimatedDeliveryDate.localeCompare(b.estimatedDeliveryDate) || a.transitDays - b.transitDays || byPrice(a, b);
}

/** True when the quote arrives by `deliverBy` and within `maxTransitDays`. */
export function meetsPromise(q: RateQuote, c: Pick<RateConstraints, 'deliverBy' | 'maxTransitDays'>): boolean {
  if (c.deliverBy !== null && q.estimatedDeliveryDate.slice(0, 10) > c.deliverBy) return false;
  if (c.maxTransitDays !== null && q.transitDays > c.maxTransitDays) return false;
  return true;
}

/** Picks one quote by the policy. Pure and deterministic (ties broken by quote id). */
export function chooseRate(quotes: readonly RateQuote[], policy: RatePolicy, c: RateConstraints): RateChoice {
  const excluded = new Set(c.excludedCarriers.map((x) => x.toUpperCase()));
  let pool = quotes.filter((q) => !excluded.has(q.carrier.code.toUpperCase()));
  if (pool.length === 0)
    return { ok: false, reason: quotes.length === 0 ? 'the TMS offered no rates' : 'every offered carrier is excluded' };
  if (c.serviceLevel !== null) {
    const levelled = pool.filter((q) => q.service.level === c.serviceLevel);
    if (levelled.length > 0) pool = levelled;
  }
  if (policy === 'fastest') {
    const quote = [...pool].sort(bySpeed)[0]!;
    return { ok: true, quote, onTime: meetsPromise(quote, c), reason: 'fastest' };
  }
  if (policy === 'cheapest') {
    const quote = [...pool].sort(byPrice)[0]!;
    return { ok: true, quote, onTime: meetsPromise(quote, c), reason: 'cheapest' };
  }
  const onTime = pool.filter((q) => meetsPromise(q, c)).sort(byPrice);
  if (onTime.length > 0) return { ok: true, quote: onTime[0]!, onTime: true, reason: 'cheapest meeting the promise' };
  const quote = [...pool].sort(bySpeed)[0]!;
  return { ok: true, quote, onTime: false, reason: 'no quote meets the promise: fastest' };
}

/** The order's requested service (free text: GROUND, 2DAY, EXPRESS, LTL, ...) as a TMS level, or null. */
export function toTmsServiceLevel(serviceLevel: string | null | undefined, map: Record<string, string> = {}): TmsServiceLevel | null {
  if (!serviceLevel) return null;
  const key = serviceLevel.trim().toUpperCase();
  // Own keys only: a level named "constructor" must not find Object.prototype's.
  const own = (m: Record<string, string>, k: string): string | undefined => (Object.hasOwn(m, k) ? m[k] : undefined);
  const mapped = (own(map, key) ?? own(map, serviceLevel) ?? own(DEFAULT_LEVELS, key) ?? '').toLowerCase();
  return (['economy', 'standard', 'express', 'freight'] as const).find((l) => l === mapped) ?? null;
}

const DEFAULT_LEVELS: Record<string, string> = {
  ECONOMY: 'economy',
  SAVER: 'economy',
  STANDARD: 'standard',
  GROUND: 'standard',
  PARCEL: 'standard',
  EXPRESS: 'express',
  '2DAY': 'express',
  NEXTDAY: 'express',
  OVERNIGHT: 'express',
  PRIORITY: 'express',
  FREIGHT: 'freight',
  LTL: 'freight',
  FTL: 'freight',
};
