import { z } from 'zod';
import { formatUnits, PolicyInputError, toUnits } from './amounts.js';

const warehouseCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/, 'a warehouse code (Odoo stock.warehouse code, e.g. WH)');
const customerCode = z.string().regex(/^\S(.{0,62}\S)?$/, 'a customer code of 1 to 64 characters without leading or trailing spaces');

/** infra/orchestrator/allocation.yaml */
export const allocationFileSchema = z
  .strictObject({
    /** The warehouses allocation may ship from, most preferred first. */
    warehouses: z.array(warehouseCode).min(1, 'list at least one warehouse'),
    /** Whether an order may ship from several warehouses when no single one has it all. */
    split: z.boolean({ error: 'expected true or false' }),
    /** Per customer (customer code): a preferred warehouse and/or whether its orders may be split. */
    customers: z
      .record(
        customerCode,
        z.strictObject({ preferredWarehouse: warehouseCode.optional(), split: z.boolean({ error: 'expected true or false' }).optional() }),
      )
      .default({}),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.warehouses.forEach((w, i) => {
      if (seen.has(w)) ctx.addIssue({ code: 'custom', path: ['warehouses', i], message: `${w} is listed twice` });
      seen.add(w);
    });
    for (const [customer, c] of Object.entries(f.customers)) {
      if (c.preferredWarehouse !== undefined && !seen.has(c.preferredWarehouse))
        ctx.addIssue({
          code: 'custom',
          path: ['customers', customer, 'preferredWarehouse'],
          message: `${c.preferredWarehouse} is not one of warehouses (${f.warehouses.join(', ')})`,
        });
    }
  });

export interface AllocationPolicy {
  /** Most preferred first. */
  warehouses: readonly string[];
  split: boolean;
  customers: ReadonlyMap<string, { preferredWarehouse: string | null; split: boolean | null }>;
}

export function compileAllocationPolicy(file: z.output<typeof allocationFileSchema>): AllocationPolicy {
  return {
    warehouses: [...file.warehouses],
    split: file.split,
    customers: new Map(
      Object.entries(file.customers).map(([id, c]) => [id, { preferredWarehouse: c.preferredWarehouse ?? null, split: c.split ?? null }]),
    ),
  };
}

/** Key of the stock map: `${sku}|${warehouseCode}`. */
export type StockKey = `${string}|${string}`;
export const stockKey = (sku: string, warehouseCode: string): StockKey => `${sku}|${warehouseCode}`;

/** An order line to allocate; any other fields (lineId, uom...) are carried into the result. */
export interface AllocationLine {
  sku: string;
  /** Decimal string, e.g. "12" or "2.5000". */
  qty: string;
}

/**
 * What a product is to allocation (ProductUpserted's productType): `storable` products have stock levels;
 * `consumable` and `service` products have none and need no stock.
 */
export type ProductKind = 'storable' | 'consumable' | 'service';

/** Whether lines of a product need stock; a product of unknown kind does (counts as storable). */
export const needsStock = (kind: ProductKind | undefined): boolean => kind !== 'consumable' && kind !== 'service';

export interface AllocationInput<L extends AllocationLine> {
  lines: readonly L[];
  customerId: string;
  /** Available quantity (decimal string; below 0 counts as 0) per SKU and warehouse: the latest levels (see StockView). */
  stock: ReadonlyMap<string, string>;
  /** Kind per SKU (see ProductView); a SKU not in it counts as storable. @default every SKU storable */
  products?: ReadonlyMap<string, ProductKind>;
}

export interface AllocationPart<L extends AllocationLine> {
  warehouseCode: string;
  /** The order's lines (or the share of a line) this warehouse ships, in order-line order; `qty` is the share. */
  lines: L[];
}

export type AllocationResult<L extends AllocationLine> =
  | { kind: 'allocated'; parts: AllocationPart<L>[] }
  | {
      kind: 'short';
      /**
       * `insufficient-stock`: all allowed warehouses together lack `missing`.
       * `split-not-allowed`: together they have it, but no single one does and
       * the customer's orders may not be split; `missing` is what the closest
       * warehouse lacks.
       */
      reason: 'insufficient-stock' | 'split-not-allowed';
      missing: { sku: string; qty: string }[];
      /** The warehouse that lacks the least (first in preference on a tie). */
      closestWarehouse: string;
      detail: string;
    };

/** The warehouses for a customer, most preferred first: its own preference, then the policy's order. */
export function warehouseOrder(customerId: string, policy: { allocation: AllocationPolicy }): string[] {
  const a = policy.allocation;
  const preferred = a.customers.get(customerId)?.preferredWarehouse ?? null;
  return preferred === null ? [...a.warehouses] : [preferred, ...a.warehouses.filter((w) => w !== preferred)];
}

/**
 * Chooses where an order ships from. One warehouse if any has every line
 * (the most preferred such); else, if the customer's orders may be split,
 * each line takes what it can from the warehouses in preference order; else
 * short. Never allocates more than a warehouse has (lines of the same SKU share
 * its stock); when allocated, the parts cover exactly the ordered quantities.
 * Lines of products that are not stocked (consumables, services: see
 * `products`) need no stock: they ship with the order's other lines, from the
 * first (most preferred) warehouse of the allocation, or from the customer's
 * first warehouse when no line is stocked. Zero-quantity lines are left out.
 * Deterministic and pure; throws PolicyInputError for a quantity that is not
 * a decimal or is negative.
 */
export function allocate<L extends AllocationLine>(
  input: AllocationInput<L>,
  policy: { allocation: AllocationPolicy },
): AllocationResult<L> {
  const order = warehouseOrder(input.customerId, policy);
  const split = policy.allocation.customers.get(input.customerId)?.split ?? policy.allocation.split;
  const lines = input.lines
    .map((line, i) => {
      const units = toUnits(line.qty, `allocate lines[${i}].qty (${line.sku})`);
      if (units < 0n) throw new PolicyInputError(`allocate lines[${i}].qty (${line.sku}): must not be negative, got "${line.qty}"`);
      return { line, units };
    })
    .filter((l) => l.units > 0n)
    .map((l) => ({ ...l, stocked: needsStock(input.products?.get(l.line.sku)) }));
  const wanted = new Map<string, bigint>();
  for (const l of lines) if (l.stocked) wanted.set(l.line.sku, (wanted.get(l.line.sku) ?? 0n) + l.units);
  const available = (sku: string, wh: string): bigint => {
    const v = input.stock.get(stockKey(sku, wh));
    if (v === undefined) return 0n;
    const units = toUnits(v, `allocate stock ${stockKey(sku, wh)}`);
    return units > 0n ? units : 0n;
  };
  const shortAt = (wh: string): { sku: string; units: bigint }[] =>
    [...wanted].map(([sku, units]) => ({ sku, units: units - available(sku, wh) })).filter((m) => m.units > 0n);

  if (lines.length === 0) return { kind: 'allocated', parts: [] };
  // Nothing stocked (or all in one warehouse): one part with every line.
  const whole = order.find((wh) => shortAt(wh).length === 0);
  if (whole !== undefined) return { kind: 'allocated', parts: [{ warehouseCode: whole, lines: lines.map((l) => l.line) }] };

  const totalMissing = [...wanted]
    .map(([sku, units]) => ({ sku, units: units - order.reduce((sum, wh) => sum + available(sku, wh), 0n) }))
    .filter((m) => m.units > 0n);
  let closest = order[0]!;
  let closestMissing = shortAt(closest);
  for (const wh of order.slice(1)) {
    const m = shortAt(wh);
    if (sumUnits(m) < sumUnits(closestMissing)) [closest, closestMissing] = [wh, m];
  }
  const asQty = (m: { sku: string; units: bigint }[]): { sku: string; qty: string }[] =>
    m.map((x) => ({ sku: x.sku, qty: formatUnits(x.units) }));
  const list = (m: { sku: string; units: bigint }[]): string => m.map((x) => `${formatUnits(x.units)} × ${x.sku}`).join(', ');
  if (totalMissing.length > 0) {
    return {
      kind: 'short',
      reason: 'insufficient-stock',
      missing: asQty(totalMissing),
      closestWarehouse: closest,
      detail: `not enough stock in ${order.join(', ')} together: missing ${list(totalMissing)}`,
    };
  }
  if (!split) {
    return {
      kind: 'short',
      reason: 'split-not-allowed',
      missing: asQty(closestMissing),
      closestWarehouse: closest,
      detail: `no single warehouse has the whole order (closest: ${closest}, missing ${list(closestMissing)}) and orders of customer ${input.customerId} may not be split`,
    };
  }

  const left = new Map<string, bigint>();
  const takes = lines.map(({ line, units, stocked }) => {
    const mine: { wh: string; take: bigint }[] = [];
    if (!stocked) return mine;
    let need = units;
    for (const wh of order) {
      if (need === 0n) break;
      const key = stockKey(line.sku, wh);
      const have = left.get(key) ?? available(line.sku, wh);
      const take = have < need ? have : need;
      if (take === 0n) continue;
      left.set(key, have - take);
      need -= take;
      mine.push({ wh, take });
    }
    return mine;
  });
  // Lines that need no stock go with the first warehouse that ships stocked lines.
  const home = order.find((wh) => takes.some((t) => t.some((x) => x.wh === wh)))!;
  const parts = new Map<string, L[]>(order.map((wh) => [wh, []]));
  lines.forEach(({ line, units, stocked }, i) => {
    if (!stocked) parts.get(home)!.push(line);
    else for (const { wh, take } of takes[i]!) parts.get(wh)!.push(take === units ? line : { ...line, qty: formatUnits(take) });
  });
  return {
    kind: 'allocated',
    parts: [...parts].filter(([, l]) => l.length > 0).map(([warehouseCode, l]) => ({ warehouseCode, lines: l })),
  };
}

function sumUnits(m: { units: bigint }[]): bigint {
  return m.reduce((s, x) => s + x.units, 0n);
}
