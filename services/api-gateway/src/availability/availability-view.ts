import { formatDecimal, parseDecimal } from '@odx/schemas';
import type { StockLevelDoc } from '@odx/runtime';

/** What the view needs of an InventoryLevelChanged: the stored stock level without its key. */
export type LevelFact = Omit<StockLevelDoc, '_id'>;

interface Seen {
  asOf: number;
  eventId: string;
  units: bigint;
}

export interface WarehouseAvailability {
  warehouse: string;
  /** Available to promise: on hand minus reserved, never below zero. */
  available: string;
  asOf: string;
}

const QTY = { precision: 14, scale: 4 } as const;

/**
 * Available to promise per SKU and warehouse, folded from InventoryLevelChanged
 * levels: a warehouse total (no location, no lot) is the level; bin or lot
 * levels are summed, each its latest, only where no total is known. Latest is
 * the greatest `asOf`, then the greatest event id, so any order of the same
 * facts gives the same view. Over-reserved stock (negative) promises 0.
 */
export class AvailabilityView {
  private readonly bySku = new Map<string, Map<string, { total?: Seen; parts: Map<string, Seen> }>>();

  /** Applies one level; false when the view already holds a newer one (or the quantity is not a decimal). */
  apply(f: LevelFact): boolean {
    let units: bigint;
    try {
      units = parseDecimal(f.available, QTY);
    } catch {
      return false;
    }
    const seen: Seen = { asOf: new Date(f.asOf).getTime(), eventId: f.eventId, units };
    let warehouses = this.bySku.get(f.sku);
    if (!warehouses) this.bySku.set(f.sku, (warehouses = new Map()));
    let w = warehouses.get(f.warehouseCode);
    if (!w) warehouses.set(f.warehouseCode, (w = { parts: new Map() }));
    if (f.locationCode === null && f.lotNumber === null) {
      if (w.total && newerOrSame(w.total, seen)) return false;
      w.total = seen;
      return true;
    }
    const part = `${f.locationCode ?? ''}|${f.lotNumber ?? ''}`;
    const cur = w.parts.get(part);
    if (cur && newerOrSame(cur, seen)) return false;
    w.parts.set(part, seen);
    return true;
  }

  /** The SKU's availability per warehouse (one warehouse when given); empty when nothing is known. */
  lookup(sku: string, warehouse?: string): WarehouseAvailability[] {
    const warehouses = this.bySku.get(sku);
    if (!warehouses) return [];
    const out: WarehouseAvailability[] = [];
    for (const [code, w] of [...warehouses].sort(([a], [b]) => a.localeCompare(b))) {
      if (warehouse !== undefined && code !== warehouse) continue;
      const parts = [...w.parts.values()];
      const units = w.total ? w.total.units : parts.reduce((s, p) => s + p.units, 0n);
      const asOf = w.total ? w.total.asOf : Math.max(...parts.map((p) => p.asOf));
      out.push({ warehouse: code, available: formatDecimal(units > 0n ? units : 0n, 4), asOf: new Date(asOf).toISOString() });
    }
    return out;
  }
}

function newerOrSame(cur: Seen, next: Seen): boolean {
  return cur.asOf > next.asOf || (cur.asOf === next.asOf && cur.eventId >= next.eventId);
}
