import { ApiError, pageByUpdatedAt, SequenceIds, type FieldError, type Page, type WebhookDispatcher } from './kit/index.js';
import type { Inventory } from './inventory.js';
import type { CompiledWmsOptions } from './options.js';
import {
  STOCKED_CONDITIONS,
  type CreateInboundOrder,
  type InboundLine,
  type InboundOrder,
  type InboundStatus,
  type InboundType,
  type Receipt,
  type ReceiptLine,
  type ReceiveInput,
} from './inbound-order.js';

export interface InboundOrdersDeps {
  options: CompiledWmsOptions;
  inventory: Inventory;
  webhooks: WebhookDispatcher;
}

/**
 * The WMS's inbound orders (expected receipts of purchases and returns) and
 * the receipts the dock completes against them. Each completed receipt emits
 * `receipt.completed`; stocked conditions (GOOD, RESTOCK) raise on-hand.
 */
export class InboundOrders {
  readonly #deps: InboundOrdersDeps;
  readonly #orders = new Map<string, InboundOrder>();
  readonly #byExternalRef = new Map<string, string>();
  readonly #ids = new SequenceIds('IB-');
  readonly #receiptIds = new SequenceIds('RCV-');

  constructor(deps: InboundOrdersDeps) {
    this.#deps = deps;
  }

  /** Creates the inbound order, or returns the existing one for the same externalRef (`created: false`). */
  create(input: CreateInboundOrder): { order: InboundOrder; created: boolean } {
    const existingId = this.#byExternalRef.get(input.externalRef);
    if (existingId !== undefined) return { order: this.#orders.get(existingId)!, created: false };
    const { warehouses } = this.#deps.options;
    if (!warehouses.includes(input.warehouse)) {
      throw new ApiError(422, 'validation_failed', 'The inbound order cannot be accepted', [
        { field: 'warehouse', message: `unknown warehouse; known: ${warehouses.join(', ')}`, code: 'unknown_warehouse' },
      ]);
    }
    const now = new Date().toISOString();
    const order: InboundOrder = {
      id: this.#ids.next(),
      externalRef: input.externalRef,
      type: input.type,
      warehouse: input.warehouse,
      status: 'expected',
      reference: input.reference ?? null,
      sender: input.sender === undefined ? null : { name: input.sender.name, code: input.sender.code ?? null },
      expectedDate: input.expectedDate ?? null,
      lines: input.lines.map((l, i) => ({
        lineNumber: i + 1,
        lineRef: l.lineRef ?? null,
        sku: l.sku,
        qty: l.qty,
        uom: l.uom,
        lotNumber: l.lotNumber ?? null,
        expectedCondition: l.expectedCondition ?? null,
        receivedQty: 0,
      })),
      receipts: [],
      cancelReason: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
      receivedAt: null,
      cancelledAt: null,
    };
    this.#orders.set(order.id, order);
    this.#byExternalRef.set(order.externalRef, order.id);
    return { order, created: true };
  }

  get(id: string): InboundOrder | undefined {
    return this.#orders.get(id);
  }

  /** `GET /v1/inbound-orders`: ordered by (updatedAt, id), paged like the outbound list. */
  page(filter: {
    externalRef?: string | undefined;
    status?: InboundStatus | undefined;
    type?: InboundType | undefined;
    updatedSince?: string | undefined;
    limit: number;
    pageToken?: string | undefined;
  }): Page<InboundOrder> {
    const id = filter.externalRef === undefined ? undefined : this.#byExternalRef.get(filter.externalRef);
    const candidates = filter.externalRef === undefined ? this.#orders.values() : id === undefined ? [] : [this.#orders.get(id)!];
    const matching = [...candidates].filter(
      (o) => (filter.status === undefined || o.status === filter.status) && (filter.type === undefined || o.type === filter.type),
    );
    return pageByUpdatedAt(matching, filter);
  }

  /** Cancels what is still expected (idempotent); receipts already completed stay. 409 once fully received. */
  cancel(id: string, reason: string | null): InboundOrder {
    const order = this.#require(id);
    if (order.status === 'cancelled') return order;
    if (order.status === 'received') {
      throw new ApiError(409, 'already_received', `Inbound order ${id} was received at ${order.receivedAt}; it can no longer be cancelled`);
    }
    order.status = 'cancelled';
    order.cancelReason = reason;
    order.cancelledAt = new Date().toISOString();
    this.#touch(order);
    return order;
  }

  /**
   * Completes one receipt against the order (admin: the dock closed a count).
   * 409 when the order is received or cancelled, 422 naming the line for an
   * unknown line or more than expected (unless `allowOverReceipt`).
   */
  receive(id: string, input: ReceiveInput): Receipt {
    const order = this.#require(id);
    if (order.status === 'received' || order.status === 'cancelled') {
      throw new ApiError(409, `already_${order.status}`, `Inbound order ${id} is ${order.status}; nothing more can be received`);
    }
    const counted = input.lines ?? this.#remaining(order);
    if (counted.length === 0) throw new ApiError(409, 'nothing_expected', `Inbound order ${id} expects nothing more`);
    const errors: FieldError[] = [];
    const resolved = counted.map((c, i) => {
      const line = order.lines.find((l) => (c.lineNumber !== undefined ? l.lineNumber === c.lineNumber : l.lineRef === c.lineRef));
      if (line === undefined)
        errors.push({ field: `lines[${i}]`, message: `no line ${c.lineNumber ?? c.lineRef} on ${id}`, code: 'unknown_line' });
      return { c, line };
    });
    const totals = new Map<InboundLine, number>();
    for (const { c, line } of resolved) if (line) totals.set(line, (totals.get(line) ?? 0) + c.qty);
    if (!input.allowOverReceipt) {
      for (const [line, qty] of totals) {
        if (line.receivedQty + qty > line.qty) {
          const i = resolved.findIndex((r) => r.line === line);
          errors.push({
            field: `lines[${i}].qty`,
            message: `line ${line.lineNumber} expects ${line.qty - line.receivedQty} more, ${qty} counted`,
            code: 'over_receipt',
          });
        }
      }
    }
    if (errors.length > 0)
      throw new ApiError(
        422,
        errors.some((e) => e.code === 'over_receipt') ? 'over_receipt' : 'validation_failed',
        'The receipt cannot be completed',
        errors,
      );

    const { inventory, webhooks } = this.#deps;
    const receiptId = this.#receiptIds.next();
    const now = new Date().toISOString();
    const lines: ReceiptLine[] = resolved.map(({ c, line }, n) => {
      const l = line!;
      const condition = c.condition ?? l.expectedCondition ?? (order.type === 'return' ? 'RESTOCK' : 'GOOD');
      const stocked = STOCKED_CONDITIONS.has(condition);
      l.receivedQty += c.qty;
      if (stocked) inventory.receive(order.warehouse, l.sku, c.qty);
      return {
        receiptLineId: `${receiptId}/${n + 1}`,
        lineNumber: l.lineNumber,
        lineRef: l.lineRef,
        sku: l.sku,
        uom: l.uom,
        expectedQty: l.qty,
        qty: c.qty,
        condition,
        lots: (c.lots ?? (l.lotNumber === null ? [] : [{ lotNumber: l.lotNumber, qty: c.qty }])).map((lot) => ({
          lotNumber: lot.lotNumber,
          qty: lot.qty,
          expiryDate: 'expiryDate' in lot && lot.expiryDate !== undefined ? lot.expiryDate : null,
        })),
        location: c.location ?? `${order.warehouse}/${stocked ? 'STOCK' : condition}`,
      };
    });
    const complete = order.lines.every((l) => l.receivedQty >= l.qty);
    order.status = complete ? 'received' : 'receiving';
    if (complete) order.receivedAt = now;
    const receipt: Receipt = {
      receiptId,
      inboundOrderId: order.id,
      externalRef: order.externalRef,
      inboundType: order.type,
      warehouse: order.warehouse,
      reference: order.reference,
      inboundStatus: order.status,
      receivedBy: input.receivedBy ?? 'dock',
      completedAt: now,
      lines,
    };
    order.receipts.push(receipt);
    this.#touch(order);
    webhooks.publish('receipt.completed', structuredClone(receipt));
    return receipt;
  }

  reset(): void {
    this.#orders.clear();
    this.#byExternalRef.clear();
    this.#ids.reset();
    this.#receiptIds.reset();
  }

  /** Everything still expected, one count per line. */
  #remaining(order: InboundOrder): NonNullable<ReceiveInput['lines']> {
    return order.lines.filter((l) => l.receivedQty < l.qty).map((l) => ({ lineNumber: l.lineNumber, qty: l.qty - l.receivedQty }));
  }

  #require(id: string): InboundOrder {
    const order = this.#orders.get(id);
    if (order === undefined) throw new ApiError(404, 'not_found', `No inbound order ${id}`);
    return order;
  }

  #touch(order: InboundOrder): void {
    order.version += 1;
    order.updatedAt = new Date().toISOString();
  }
}
