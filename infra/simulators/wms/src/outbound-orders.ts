import { ApiError, pageByUpdatedAt, SequenceIds, type Page, type TimerSet, type WebhookDispatcher } from './kit/index.js';
import type { Inventory } from './inventory.js';
import type { CompiledWmsOptions } from './options.js';
import { nextStatus, type CreateOutboundOrder, type OrderStatus, type OutboundOrder } from './outbound-order.js';
import { packLines } from './packing.js';
import { makeSscc } from './sscc.js';

export interface OutboundOrdersDeps {
  options: CompiledWmsOptions;
  inventory: Inventory;
  webhooks: WebhookDispatcher;
  timers: TimerSet;
}

/** The WMS's outbound orders: creation, the pick/pack/ship timeline, cancellation. */
export class OutboundOrders {
  readonly #deps: OutboundOrdersDeps;
  readonly #orders = new Map<string, OutboundOrder>();
  readonly #byExternalRef = new Map<string, string>();
  readonly #pending = new Map<string, NodeJS.Timeout>();
  readonly #orderIds = new SequenceIds('OB-');
  readonly #lpns = new SequenceIds('LPN', 8);
  readonly #bols = new SequenceIds('BOL', 8);
  #ssccSerial = 1;

  constructor(deps: OutboundOrdersDeps) {
    this.#deps = deps;
  }

  /** Creates the order, or returns the existing one for the same externalRef (`created: false`). */
  create(input: CreateOutboundOrder): { order: OutboundOrder; created: boolean } {
    const existingId = this.#byExternalRef.get(input.externalRef);
    if (existingId !== undefined) return { order: this.#orders.get(existingId)!, created: false };

    const { options, inventory } = this.#deps;
    const errors = [];
    if (!options.warehouses.includes(input.warehouse)) {
      errors.push({ field: 'warehouse', message: `unknown warehouse; known: ${options.warehouses.join(', ')}`, code: 'unknown_warehouse' });
    }
    if (options.unknownSku === 'reject') {
      input.lines.forEach((line, i) => {
        if (!inventory.has(input.warehouse, line.sku)) {
          errors.push({ field: `lines[${i}].sku`, message: `unknown SKU ${line.sku} in warehouse ${input.warehouse}`, code: 'unknown_sku' });
        }
      });
    }
    if (errors.length > 0) throw new ApiError(422, 'validation_failed', 'The order cannot be accepted', errors);

    const now = new Date().toISOString();
    const order: OutboundOrder = {
      id: this.#orderIds.next(),
      externalRef: input.externalRef,
      warehouse: input.warehouse,
      status: 'received',
      shipTo: input.shipTo,
      lines: input.lines.map((line, i) => {
        if (options.unknownSku === 'autoCreate' && !inventory.has(input.warehouse, line.sku)) {
          inventory.set(input.warehouse, line.sku, options.autoCreateOnHand);
        }
        return {
          lineNumber: i + 1,
          lineRef: line.lineRef ?? null,
          sku: line.sku,
          qty: line.qty,
          uom: line.uom,
          allocatedQty: inventory.allocate(input.warehouse, line.sku, line.qty),
          pickedQty: 0,
          shippedQty: 0,
        };
      }),
      requestedShipDate: input.requestedShipDate,
      carrierHint: input.carrierHint ?? null,
      shortPicked: false,
      packages: [],
      bolNumber: null,
      cancelReason: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      pickedAt: null,
      packedAt: null,
      shippedAt: null,
      cancelledAt: null,
    };
    this.#orders.set(order.id, order);
    this.#byExternalRef.set(order.externalRef, order.id);
    this.#schedule(order);
    return { order, created: true };
  }

  get(id: string): OutboundOrder | undefined {
    return this.#orders.get(id);
  }

  list(filter: { externalRef?: string | undefined; status?: OrderStatus | undefined; limit: number }): OutboundOrder[] {
    if (filter.externalRef !== undefined) {
      const id = this.#byExternalRef.get(filter.externalRef);
      const order = id === undefined ? undefined : this.#orders.get(id);
      return order === undefined || (filter.status !== undefined && order.status !== filter.status) ? [] : [order];
    }
    const all = [...this.#orders.values()].filter((o) => filter.status === undefined || o.status === filter.status);
    return all.slice(-filter.limit);
  }

  /**
   * `GET /v1/outbound-orders`: the orders matching the filters, ordered by
   * (updatedAt, id), one page at a time; `updatedSince` keeps those whose last
   * change is at or after it.
   */
  page(filter: { externalRef?: string | undefined; status?: OrderStatus | undefined; updatedSince?: string | undefined; limit: number; pageToken?: string | undefined }): Page<OutboundOrder> {
    const id = filter.externalRef === undefined ? undefined : this.#byExternalRef.get(filter.externalRef);
    const candidates = filter.externalRef === undefined ? this.#orders.values() : id === undefined ? [] : [this.#orders.get(id)!];
    const matching = [...candidates].filter((o) => filter.status === undefined || o.status === filter.status);
    return pageByUpdatedAt(matching, filter);
  }

  /** Cancels an order not yet shipped (idempotent); 409 once shipped. */
  cancel(id: string, reason: string | null): OutboundOrder {
    const order = this.#require(id);
    if (order.status === 'cancelled') return order;
    if (order.status === 'shipped') {
      throw new ApiError(409, 'already_shipped', `Order ${id} shipped at ${order.shippedAt}; it can no longer be cancelled`);
    }
    this.#deps.timers.cancel(this.#pending.get(id));
    this.#pending.delete(id);
    for (const line of order.lines) this.#deps.inventory.release(order.warehouse, line.sku, line.allocatedQty);
    order.status = 'cancelled';
    order.cancelReason = reason;
    order.cancelledAt = new Date().toISOString();
    this.#touch(order);
    return order;
  }

  /** Moves the order one step now (admin); 409 when it has nowhere to go. */
  advance(id: string): OutboundOrder {
    const order = this.#require(id);
    if (nextStatus(order.status) === null) throw new ApiError(409, 'no_next_step', `Order ${id} is ${order.status}`);
    this.#deps.timers.cancel(this.#pending.get(id));
    this.#pending.delete(id);
    this.#step(order);
    return order;
  }

  reset(): void {
    for (const handle of this.#pending.values()) this.#deps.timers.cancel(handle);
    this.#pending.clear();
    this.#orders.clear();
    this.#byExternalRef.clear();
    this.#orderIds.reset();
    this.#lpns.reset();
    this.#bols.reset();
    this.#ssccSerial = 1;
  }

  #require(id: string): OutboundOrder {
    const order = this.#orders.get(id);
    if (order === undefined) throw new ApiError(404, 'not_found', `No outbound order ${id}`);
    return order;
  }

  #schedule(order: OutboundOrder): void {
    const { autoAdvance, steps } = this.#deps.options;
    const next = nextStatus(order.status);
    if (!autoAdvance || next === null) return;
    const delay = next === 'picked' ? steps.pickMs : next === 'packed' ? steps.packMs : steps.shipMs;
    const handle = this.#deps.timers.after(delay, () => {
      this.#pending.delete(order.id);
      this.#step(order);
    });
    this.#pending.set(order.id, handle);
  }

  #step(order: OutboundOrder): void {
    const now = new Date().toISOString();
    const { inventory, webhooks, options } = this.#deps;
    switch (order.status) {
      case 'received':
        for (const line of order.lines) line.pickedQty = line.allocatedQty;
        order.shortPicked = order.lines.some((l) => l.pickedQty < l.qty);
        order.status = 'picked';
        order.pickedAt = now;
        break;
      case 'picked':
        order.packages = packLines(order.lines, () => ({ packageId: this.#lpns.next(), sscc: makeSscc(options.gs1CompanyPrefix, this.#ssccSerial++) }));
        order.status = 'packed';
        order.packedAt = now;
        break;
      case 'packed':
        for (const line of order.lines) {
          inventory.ship(order.warehouse, line.sku, line.pickedQty);
          inventory.release(order.warehouse, line.sku, line.allocatedQty - line.pickedQty);
          line.shippedQty = line.pickedQty;
        }
        order.bolNumber = this.#bols.next();
        order.status = 'shipped';
        order.shippedAt = now;
        break;
      default:
        return;
    }
    this.#touch(order);
    webhooks.publish(`order.${order.status}`, structuredClone(order));
    this.#schedule(order);
  }

  #touch(order: OutboundOrder): void {
    order.version += 1;
    order.updatedAt = new Date().toISOString();
  }
}
