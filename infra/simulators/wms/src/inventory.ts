import type { StockSeed } from './options.js';

/** Stock of one SKU in one warehouse. `available` = onHand − allocated (may be negative after a count). */
export interface StockLevel {
  warehouse: string;
  sku: string;
  onHand: number;
  allocated: number;
  available: number;
}

/** A stock correction made in the warehouse (cycle count, damage, found stock). */
export interface InventoryAdjustment {
  adjustmentId: string;
  warehouse: string;
  sku: string;
  delta: number;
  onHand: number;
  allocated: number;
  available: number;
  reason: string;
  adjustedAt: string;
}

interface Cell {
  onHand: number;
  allocated: number;
}

export class InventoryError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'InventoryError';
  }
}

const key = (warehouse: string, sku: string): string => `${warehouse}\u0000${sku}`;

/** On-hand and allocated quantities per warehouse and SKU. */
export class Inventory {
  #cells = new Map<string, Cell & { warehouse: string; sku: string }>();
  #adjustments = 0;

  constructor(private readonly seed: readonly StockSeed[]) {
    this.reset();
  }

  reset(): void {
    this.#cells.clear();
    this.#adjustments = 0;
    for (const s of this.seed) this.set(s.warehouse, s.sku, s.onHand);
  }

  has(warehouse: string, sku: string): boolean {
    return this.#cells.has(key(warehouse, sku));
  }

  /** Sets on-hand quietly (seeding, or making the WMS disagree with Odoo on purpose). */
  set(warehouse: string, sku: string, onHand: number): StockLevel {
    const cell = this.#cell(warehouse, sku);
    cell.onHand = onHand;
    return this.level(warehouse, sku);
  }

  level(warehouse: string, sku: string): StockLevel {
    const cell = this.#cells.get(key(warehouse, sku)) ?? { warehouse, sku, onHand: 0, allocated: 0 };
    return { warehouse, sku, onHand: cell.onHand, allocated: cell.allocated, available: cell.onHand - cell.allocated };
  }

  list(filter: { warehouse?: string | undefined; sku?: string | undefined } = {}): StockLevel[] {
    return [...this.#cells.values()]
      .filter(
        (c) => (filter.warehouse === undefined || c.warehouse === filter.warehouse) && (filter.sku === undefined || c.sku === filter.sku),
      )
      .map((c) => this.level(c.warehouse, c.sku))
      .sort((a, b) => a.warehouse.localeCompare(b.warehouse) || a.sku.localeCompare(b.sku));
  }

  /** Reserves up to `qty`; returns what could be reserved (short when stock is short). */
  allocate(warehouse: string, sku: string, qty: number): number {
    const cell = this.#cell(warehouse, sku);
    const granted = Math.max(0, Math.min(qty, cell.onHand - cell.allocated));
    cell.allocated += granted;
    return granted;
  }

  release(warehouse: string, sku: string, qty: number): void {
    const cell = this.#cell(warehouse, sku);
    cell.allocated = Math.max(0, cell.allocated - qty);
  }

  /** Stock leaves the building: the reservation and the on-hand both drop. */
  ship(warehouse: string, sku: string, qty: number): void {
    const cell = this.#cell(warehouse, sku);
    cell.allocated = Math.max(0, cell.allocated - qty);
    cell.onHand = Math.max(0, cell.onHand - qty);
  }

  /** Goods put away to stock (a receipt): on-hand grows. */
  receive(warehouse: string, sku: string, qty: number): void {
    this.#cell(warehouse, sku).onHand += qty;
  }

  /** Applies a correction by `delta` or to an absolute `onHand`. Throws InventoryError below zero. */
  adjust(warehouse: string, sku: string, change: { delta: number } | { onHand: number }, reason: string): InventoryAdjustment {
    const cell = this.#cell(warehouse, sku);
    const target = 'delta' in change ? cell.onHand + change.delta : change.onHand;
    if (target < 0)
      throw new InventoryError(`on-hand of ${sku} in ${warehouse} would be ${target}`, 'delta' in change ? 'delta' : 'onHand');
    const delta = target - cell.onHand;
    cell.onHand = target;
    this.#adjustments += 1;
    return {
      adjustmentId: `ADJ-${String(this.#adjustments).padStart(6, '0')}`,
      ...this.level(warehouse, sku),
      delta,
      reason,
      adjustedAt: new Date().toISOString(),
    };
  }

  #cell(warehouse: string, sku: string): Cell & { warehouse: string; sku: string } {
    const k = key(warehouse, sku);
    let cell = this.#cells.get(k);
    if (cell === undefined) {
      cell = { warehouse, sku, onHand: 0, allocated: 0 };
      this.#cells.set(k, cell);
    }
    return cell;
  }
}
