/**
 * Replenishment for the load generator, as a buyer does it through the real API: every N sale
 * orders, the storable products whose on-hand plus incoming quantity fell under a threshold are
 * bought from their first vendor (one purchase order per vendor, up to a target level and at
 * least the vendor's minimum), the order is confirmed, its receipt validated in full, and the
 * bill created, dated and posted. Rounds never overlap. Off unless asked for.
 */
import type { OdooJsonRpcClient } from './odoo-jsonrpc-client.js';

export interface ReplenishOptions {
  /** A product is reordered when on-hand plus incoming is under this quantity. */
  below: number;
  /** Ordered up to this on-hand quantity. @default 4 × below */
  upTo?: number;
  /** One replenishment round after every N sale orders. @default 25 */
  everyOrders?: number;
  /** Bill and post what was received. @default true */
  bill?: boolean;
}

export interface CompiledReplenishOptions {
  below: number;
  upTo: number;
  everyOrders: number;
  bill: boolean;
}

export interface ReplenishCounts {
  rounds: number;
  purchaseOrders: number;
  lines: number;
  receipts: number;
  bills: number;
  errors: number;
}

export function compileReplenishOptions(o: ReplenishOptions): CompiledReplenishOptions {
  const compiled = { below: o.below, upTo: o.upTo ?? o.below * 4, everyOrders: o.everyOrders ?? 25, bill: o.bill ?? true };
  if (!(compiled.below > 0)) throw new Error(`replenish.below must be a quantity above 0, got ${o.below}`);
  if (!(compiled.upTo >= compiled.below))
    throw new Error(`replenish.upTo must be at least replenish.below (${compiled.below}), got ${compiled.upTo}`);
  if (!Number.isInteger(compiled.everyOrders) || compiled.everyOrders < 1)
    throw new Error(`replenish.everyOrders must be a whole number of orders (1 or more), got ${o.everyOrders}`);
  return compiled;
}

interface LowProduct {
  id: number;
  qty_available: number;
  incoming_qty: number;
  seller_ids: number[];
}
interface Seller {
  id: number;
  partner_id: [number, string];
  min_qty: number;
}

export class Replenisher {
  readonly counts: ReplenishCounts = { rounds: 0, purchaseOrders: 0, lines: 0, receipts: 0, bills: 0, errors: 0 };
  private chain: Promise<void> = Promise.resolve();
  private ordersSinceRound = 0;

  constructor(
    private readonly client: OdooJsonRpcClient,
    private readonly opts: CompiledReplenishOptions,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Counts a sale order; every `everyOrders` it queues a round and answers its promise. */
  afterOrder(): Promise<void> {
    if (++this.ordersSinceRound < this.opts.everyOrders) return Promise.resolve();
    this.ordersSinceRound = 0;
    this.chain = this.chain.then(() => this.round());
    return this.chain;
  }

  /** Resolves when the queued rounds are over. */
  finish(): Promise<void> {
    return this.chain;
  }

  private async round(): Promise<void> {
    this.counts.rounds++;
    try {
      const low = await this.client.executeKw<LowProduct[]>(
        'product.product',
        'search_read',
        [
          [
            ['type', '=', 'product'],
            ['purchase_ok', '=', true],
            ['qty_available', '<', this.opts.below],
          ],
        ],
        { fields: ['qty_available', 'incoming_qty', 'seller_ids'] },
      );
      const toBuy = low.filter((p) => p.qty_available + p.incoming_qty < this.opts.below && p.seller_ids.length > 0);
      if (toBuy.length === 0) return;
      const sellers = await this.client.executeKw<Seller[]>(
        'product.supplierinfo',
        'search_read',
        [[['id', 'in', toBuy.flatMap((p) => p.seller_ids)]]],
        {
          fields: ['partner_id', 'min_qty'],
        },
      );
      const byId = new Map(sellers.map((s) => [s.id, s]));
      const byVendor = new Map<number, { product: number; qty: number }[]>();
      for (const p of toBuy) {
        // seller_ids come in product.supplierinfo's order: the first is the preferred vendor
        const first = p.seller_ids.map((id) => byId.get(id)).find((s) => s !== undefined);
        if (!first) continue;
        const qty = Math.max(Math.ceil(this.opts.upTo - p.qty_available - p.incoming_qty), first.min_qty, 1);
        const lines = byVendor.get(first.partner_id[0]) ?? [];
        lines.push({ product: p.id, qty });
        byVendor.set(first.partner_id[0], lines);
      }
      for (const [vendor, lines] of byVendor) await this.buy(vendor, lines);
    } catch (err) {
      this.counts.errors++;
      if (this.counts.errors <= 5)
        this.log(`replenishment round ${this.counts.rounds}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private async buy(vendor: number, lines: { product: number; qty: number }[]): Promise<void> {
    const po = await this.client.executeKw<number>('purchase.order', 'create', [
      { partner_id: vendor, origin: 'Replenishment', order_line: lines.map((l) => [0, 0, { product_id: l.product, product_qty: l.qty }]) },
    ]);
    await this.client.executeKw('purchase.order', 'button_confirm', [[po]]);
    this.counts.purchaseOrders++;
    this.counts.lines += lines.length;
    const [order] = await this.client.executeKw<{ picking_ids: number[] }[]>('purchase.order', 'read', [[po], ['picking_ids']]);
    for (const picking of order?.picking_ids ?? []) {
      // the receipt comes in full, so no backorder question
      await this.client.executeKw('stock.picking', 'button_validate', [[picking]]);
      this.counts.receipts++;
    }
    if (!this.opts.bill) return;
    const action = await this.client.executeKw<{ res_id?: number }>('purchase.order', 'action_create_invoice', [[po]]);
    if (action.res_id === undefined) return;
    await this.client.executeKw('account.move', 'write', [
      [action.res_id],
      { invoice_date: new Date().toISOString().slice(0, 10), ref: `BILL-${po}` },
    ]);
    await this.client.executeKw('account.move', 'action_post', [[action.res_id]]);
    this.counts.bills++;
  }
}
