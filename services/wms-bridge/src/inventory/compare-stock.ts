import { deterministicEventId } from '@odx/runtime';
import type { InventoryMismatchDetected } from '@odx/schemas';
import { toOdxWarehouse, type WarehouseMapping } from '../mapping/warehouse-codes.js';

/** Odoo's stock of one SKU in one warehouse, as the last InventoryLevelChanged reported it. */
export interface OdooLevel {
  eventId: string;
  sku: string;
  /** ODX (Odoo) warehouse code. */
  warehouseCode: string;
  productId: string | null;
  uom: string;
  /** decimal(14,4) string. */
  onHand: string;
  asOf: Date;
  occurredAt: Date;
}

/** One row of the WMS inventory API. */
export interface WmsStock {
  /** WMS warehouse code. */
  warehouse: string;
  sku: string;
  onHand: number;
}

export interface StockDelta {
  sku: string;
  warehouseCode: string;
  productId: string | null;
  uom: string;
  odooOnHand: string;
  wmsOnHand: string;
  /** wmsOnHand − odooOnHand. */
  difference: string;
}

export interface StockComparison {
  /** SKU/warehouse pairs compared. */
  compared: number;
  /** Pairs whose difference exceeds the tolerance. */
  mismatches: StockDelta[];
  /** WMS rows with no InventoryLevelChanged seen: Odoo's figure is unknown, so they are not judged. */
  unknownToOdoo: Array<{ sku: string; warehouseCode: string; wmsOnHand: string }>;
}

const SCALE = 10_000n;
const DECIMAL = /^(-?)(\d{1,10})(?:\.(\d{1,4}))?$/;

/** A decimal(14,4) string as ten-thousandths; throws on anything else. */
export function toUnits(value: string): bigint {
  const m = DECIMAL.exec(value.trim());
  if (!m) throw new RangeError(`"${value}" is not a decimal with at most 4 places`);
  const units = BigInt(m[2]!) * SCALE + BigInt((m[3] ?? '').padEnd(4, '0'));
  return m[1] === '-' ? -units : units;
}

/** A WMS quantity (a JSON number) as ten-thousandths. */
export function numberToUnits(n: number): bigint {
  if (!Number.isFinite(n)) throw new RangeError(`${n} is not a finite quantity`);
  return BigInt(Math.round(n * 10_000));
}

export function formatUnits(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  return `${neg ? '-' : ''}${abs / SCALE}.${(abs % SCALE).toString().padStart(4, '0')}`;
}

const pairKey = (warehouseCode: string, sku: string): string => `${warehouseCode}\u0000${sku}`;

/** The latest level per SKU and warehouse: by `asOf`, then `occurredAt`, then event id (deterministic). Pure. */
export function latestLevels(levels: readonly OdooLevel[]): OdooLevel[] {
  const latest = new Map<string, OdooLevel>();
  for (const l of levels) {
    const k = pairKey(l.warehouseCode, l.sku);
    const cur = latest.get(k);
    if (!cur || newer(l, cur)) latest.set(k, l);
  }
  return [...latest.values()];
}

function newer(a: OdooLevel, b: OdooLevel): boolean {
  const byTime = a.asOf.getTime() - b.asOf.getTime() || a.occurredAt.getTime() - b.occurredAt.getTime();
  return byTime !== 0 ? byTime > 0 : a.eventId > b.eventId;
}

/**
 * Odoo's last known levels against the WMS's stock, in ODX warehouse codes.
 * A level with no WMS row counts as 0 in the WMS; a WMS row with no level is
 * reported as unknown to Odoo rather than judged. Pure.
 */
export function compareStock(
  levels: readonly OdooLevel[],
  wms: readonly WmsStock[],
  o: { tolerance: bigint; warehouses: WarehouseMapping },
): StockComparison {
  const wmsByPair = new Map<string, bigint>();
  for (const row of wms) {
    const k = pairKey(toOdxWarehouse(o.warehouses, row.warehouse), row.sku);
    wmsByPair.set(k, (wmsByPair.get(k) ?? 0n) + numberToUnits(row.onHand));
  }
  const mismatches: StockDelta[] = [];
  const seen = new Set<string>();
  for (const l of latestLevels(levels)) {
    const k = pairKey(l.warehouseCode, l.sku);
    seen.add(k);
    const odoo = toUnits(l.onHand);
    const inWms = wmsByPair.get(k) ?? 0n;
    const diff = inWms - odoo;
    if ((diff < 0n ? -diff : diff) > o.tolerance) {
      mismatches.push({
        sku: l.sku,
        warehouseCode: l.warehouseCode,
        productId: l.productId,
        uom: l.uom,
        odooOnHand: formatUnits(odoo),
        wmsOnHand: formatUnits(inWms),
        difference: formatUnits(diff),
      });
    }
  }
  const unknownToOdoo = [...wmsByPair]
    .filter(([k]) => !seen.has(k))
    .map(([k, units]) => {
      const [warehouseCode, sku] = k.split('\u0000') as [string, string];
      return { sku, warehouseCode, wmsOnHand: formatUnits(units) };
    });
  mismatches.sort((a, b) => a.warehouseCode.localeCompare(b.warehouseCode) || a.sku.localeCompare(b.sku));
  return { compared: seen.size, mismatches, unknownToOdoo };
}

/** The event for one delta; its id depends on the run, warehouse and SKU, so a re-published run is the same events. Pure. */
export function mismatchEvent(
  d: StockDelta,
  run: { runId: string; company: string; tolerance: bigint; detectedAt: Date },
): InventoryMismatchDetected {
  return {
    meta: {
      eventId: deterministicEventId('wms-bridge', 'reconciliation', run.runId, d.warehouseCode, d.sku),
      occurredAt: run.detectedAt,
      source: 'odx',
      correlationId: run.runId,
      causationId: null,
      company: run.company,
    },
    sku: d.sku,
    productId: d.productId,
    warehouseCode: d.warehouseCode,
    uom: d.uom,
    odooOnHand: d.odooOnHand,
    wmsOnHand: d.wmsOnHand,
    difference: d.difference,
    tolerance: formatUnits(run.tolerance),
    reconciliationRunId: run.runId,
    detectedAt: run.detectedAt,
  };
}
