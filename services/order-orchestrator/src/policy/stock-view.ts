import type { InventoryLevel } from '@odx/schemas';
import { formatUnits, toUnits } from './amounts.js';
import { stockKey, type StockKey } from './allocation-policy.js';

/** What the view needs of an InventoryLevelChanged: its level and the event's id and time. */
export interface LevelFact {
  level: Pick<InventoryLevel, 'sku' | 'warehouseCode' | 'locationCode' | 'lotNumber' | 'available' | 'asOf'>;
  eventId: string;
}

interface Seen {
  asOf: number;
  eventId: string;
  available: bigint;
}

/**
 * The latest available quantity per SKU and warehouse, folded from
 * InventoryLevelChanged levels (the WMS reports warehouse totals, Odoo one
 * level per stock location). A warehouse total (no location, no lot) is the
 * level; bin or lot levels are summed, each its latest, only for a SKU and
 * warehouse that has no total. Latest means the greatest `asOf`, then the
 * greatest event id, so the same facts in any order give the same view.
 */
export class StockView {
  private readonly totals = new Map<StockKey, Seen>();
  private readonly parts = new Map<StockKey, Map<string, Seen>>();

  /** Applies one level; returns false when it is older than what the view holds (or not a decimal). */
  apply(fact: LevelFact): boolean {
    const l = fact.level;
    let available: bigint;
    try {
      available = toUnits(l.available, `InventoryLevelChanged ${fact.eventId} available`);
    } catch {
      return false;
    }
    const seen: Seen = { asOf: new Date(l.asOf).getTime(), eventId: fact.eventId, available };
    const key = stockKey(l.sku, l.warehouseCode);
    if (l.locationCode === null && l.lotNumber === null) return keepLatest(this.totals, key, seen);
    let bins = this.parts.get(key);
    if (!bins) this.parts.set(key, (bins = new Map()));
    return keepLatest(bins, `${l.locationCode ?? ''}|${l.lotNumber ?? ''}`, seen);
  }

  /** Available quantity of one SKU in one warehouse (decimal string; may be negative when over-reserved). */
  available(sku: string, warehouseCode: string): string {
    return formatUnits(this.units(stockKey(sku, warehouseCode)));
  }

  /** The map `allocate` reads, for the given SKUs (all known ones when omitted). */
  snapshot(skus?: Iterable<string>): Map<string, string> {
    const wanted = skus ? new Set(skus) : null;
    const out = new Map<string, string>();
    for (const key of new Set<StockKey>([...this.totals.keys(), ...this.parts.keys()])) {
      if (wanted && !wanted.has(key.slice(0, key.lastIndexOf('|')))) continue;
      out.set(key, formatUnits(this.units(key)));
    }
    return out;
  }

  private units(key: StockKey): bigint {
    const total = this.totals.get(key);
    if (total) return total.available;
    let sum = 0n;
    for (const s of this.parts.get(key)?.values() ?? []) sum += s.available;
    return sum;
  }
}

function keepLatest<K>(map: Map<K, Seen>, key: K, next: Seen): boolean {
  const cur = map.get(key);
  if (cur && (cur.asOf > next.asOf || (cur.asOf === next.asOf && cur.eventId >= next.eventId))) return false;
  map.set(key, next);
  return true;
}
