import { createHash } from 'node:crypto';
import type { OrderLine, Package, PackageContent } from './outbound-order.js';

/** Deterministic unit weight per SKU (0.10 to 2.49 kg), standing in for item master data. */
export function unitWeightKg(sku: string): number {
  const n = createHash('sha256').update(sku).digest().readUInt16BE(0);
  return (10 + (n % 240)) / 100;
}

const CARTONS = [
  { maxUnits: 4, dims: { lengthCm: 30, widthCm: 20, heightCm: 15 }, tareKg: 0.25 },
  { maxUnits: 12, dims: { lengthCm: 40, widthCm: 30, heightCm: 25 }, tareKg: 0.45 },
  { maxUnits: 24, dims: { lengthCm: 60, widthCm: 40, heightCm: 40 }, tareKg: 0.8 },
] as const;
const MAX_UNITS = 24;
const MAX_CONTENT_KG = 20;

const round2 = (n: number): number => Math.round(n * 100) / 100;

/**
 * Packs the picked units into cartons (at most 24 units and 20 kg of goods
 * each), choosing the smallest carton that fits. `nextPackage` supplies the
 * LPN and SSCC of each new carton.
 */
export function packLines(lines: readonly OrderLine[], nextPackage: () => { packageId: string; sscc: string }): Package[] {
  const packages: Package[] = [];
  let contents: PackageContent[] = [];
  let units = 0;
  let goodsKg = 0;

  const close = (): void => {
    if (units === 0) return;
    const carton = CARTONS.find((c) => units <= c.maxUnits) ?? CARTONS[CARTONS.length - 1]!;
    packages.push({ ...nextPackage(), packageType: 'CARTON', weightKg: round2(goodsKg + carton.tareKg), dimensions: { ...carton.dims }, contents });
    contents = [];
    units = 0;
    goodsKg = 0;
  };

  for (const line of lines) {
    const weight = unitWeightKg(line.sku);
    for (let remaining = line.pickedQty; remaining > 0; ) {
      const byUnits = MAX_UNITS - units;
      const byWeight = Math.max(units === 0 ? 1 : 0, Math.floor((MAX_CONTENT_KG - goodsKg) / weight));
      const take = Math.min(remaining, byUnits, byWeight);
      if (take <= 0) {
        close();
        continue;
      }
      const last = contents[contents.length - 1];
      if (last !== undefined && last.lineNumber === line.lineNumber) last.qty += take;
      else contents.push({ lineNumber: line.lineNumber, lineRef: line.lineRef, sku: line.sku, qty: take });
      units += take;
      goodsKg += take * weight;
      remaining -= take;
    }
  }
  close();
  return packages;
}
