// The demo's sales desk and accountant: creates and confirms sale orders in
// Odoo (the simulator, over the same JSON-RPC API a real Odoo serves), and
// invoices and settles orders once their delivery is done.
import { OdooClient } from '@odx/odoo-outbox-poller';

interface Named {
  id: number;
  default_code?: string | false;
}
interface Stocked extends Named {
  qty_available: number;
  list_price: number;
}
interface Invoice {
  id: number;
  state: string;
  payment_state: string;
}

export interface DemoOrder {
  odooId: number;
  name: string;
  clientRef: string;
}

/** The order the demo puts over a customer's credit limit. */
export interface CreditHoldOrder extends DemoOrder {
  customer: string;
  customerRef: string;
  /** Order total with tax, as Odoo computed it. */
  amountTotal: number;
}

export class OdooShop {
  private readonly odoo: OdooClient;
  private customers: Named[] = [];
  private products: Stocked[] = [];

  constructor(url: string) {
    this.odoo = new OdooClient({ url, db: 'odx', username: 'admin', password: 'admin', timeoutMs: 10_000 });
  }

  /** Customers and storable, unit-measured products in stock in the main warehouse. */
  async load(): Promise<void> {
    this.customers = await this.odoo.executeKw<Named[]>(
      'res.partner',
      'search_read',
      [
        [
          ['customer_rank', '>', 0],
          ['parent_id', '=', false],
        ],
      ],
      { fields: ['id'], limit: 20, order: 'id' },
    );
    const products = await this.odoo.executeKw<(Stocked & { uom_name: string })[]>(
      'product.product',
      'search_read',
      [
        [
          ['type', '=', 'product'],
          ['sale_ok', '=', true],
        ],
      ],
      { fields: ['id', 'default_code', 'qty_available', 'uom_name', 'list_price'], limit: 80, order: 'id' },
    );
    this.products = products.filter((p) => p.qty_available >= 50 && p.uom_name === 'Units');
    if (this.customers.length === 0 || this.products.length < 3)
      throw new Error('the Odoo database has no customers or stocked products to sell');
  }

  /**
   * Raises the on-hand quantity of every product `placeOrder` sells to at least `minimum` in the main warehouse's
   * stock location (an inventory adjustment, as a stock count would), so a long run never waits for stock.
   * Resolves with the number of products adjusted.
   */
  async topUpStock(minimum: number): Promise<number> {
    const [warehouse] = await this.odoo.executeKw<{ lot_stock_id: [number, string] | false }[]>('stock.warehouse', 'search_read', [[]], {
      fields: ['lot_stock_id'],
      limit: 1,
      order: 'id',
    });
    const location = warehouse?.lot_stock_id ? warehouse.lot_stock_id[0] : undefined;
    if (location === undefined) throw new Error('the Odoo database has no warehouse with a stock location');
    let adjusted = 0;
    for (const product of this.products) {
      const [quant] = await this.odoo.executeKw<{ id: number; quantity: number }[]>(
        'stock.quant',
        'search_read',
        [
          [
            ['product_id', '=', product.id],
            ['location_id', '=', location],
          ],
        ],
        { fields: ['quantity'], limit: 1 },
      );
      if (quant && quant.quantity >= minimum) continue;
      const quantId =
        quant?.id ??
        (await this.odoo.executeKw<number>('stock.quant', 'create', [
          { product_id: product.id, location_id: location, inventory_quantity: minimum },
        ]));
      if (quant) await this.odoo.executeKw('stock.quant', 'write', [[quant.id], { inventory_quantity: minimum }]);
      await this.odoo.executeKw('stock.quant', 'action_apply_inventory', [[quantId]]);
      adjusted++;
    }
    return adjusted;
  }

  /** Creates and confirms one order of 1-3 lines; `index` picks customer and products deterministically. */
  async placeOrder(index: number, runTag: string): Promise<DemoOrder> {
    const customer = this.customers[index % this.customers.length]!;
    const lineCount = 1 + (index % 3);
    const lines = Array.from({ length: lineCount }, (_, i) => {
      const product = this.products[(index * 7 + i * 13) % this.products.length]!;
      return [0, 0, { product_id: product.id, product_uom_qty: 1 + ((index + i) % 5) }];
    });
    const clientRef = `PO-${runTag}-${String(index + 1).padStart(3, '0')}`;
    const odooId = await this.odoo.executeKw<number>('sale.order', 'create', [
      { partner_id: customer.id, client_order_ref: clientRef, order_line: lines },
    ]);
    await this.odoo.executeKw('sale.order', 'action_confirm', [[odooId]]);
    const [order] = await this.odoo.executeKw<{ name: string }[]>('sale.order', 'read', [[odooId]], { fields: ['name'] });
    return { odooId, name: order?.name ?? String(odooId), clientRef };
  }

  /**
   * Creates and confirms an order of customer `customerRef` (res.partner ref) worth at least `minUntaxed`
   * before tax: the fewest units of the dearest stocked product, at its list price. Null when Odoo has no
   * such customer (a simulator data file older than the customer).
   */
  async placeOrderOver(customerRef: string, minUntaxed: number, runTag: string): Promise<CreditHoldOrder | null> {
    const [customer] = await this.odoo.executeKw<{ id: number; name: string }[]>(
      'res.partner',
      'search_read',
      [
        [
          ['ref', '=', customerRef],
          ['parent_id', '=', false],
        ],
      ],
      { fields: ['id', 'name'], limit: 1 },
    );
    if (!customer) return null;
    const product = [...this.products].sort((a, b) => b.list_price - a.list_price)[0]!;
    const qty = Math.ceil(minUntaxed / product.list_price);
    if (qty > product.qty_available / 2)
      throw new Error(
        `no product has stock enough for an order of ${minUntaxed} (${product.default_code}: ${product.qty_available} on hand)`,
      );
    const clientRef = `PO-${runTag}-CREDIT`;
    const odooId = await this.odoo.executeKw<number>('sale.order', 'create', [
      {
        partner_id: customer.id,
        client_order_ref: clientRef,
        order_line: [[0, 0, { product_id: product.id, product_uom_qty: qty, price_unit: product.list_price }]],
      },
    ]);
    await this.odoo.executeKw('sale.order', 'action_confirm', [[odooId]]);
    const [order] = await this.odoo.executeKw<{ name: string; amount_total: number }[]>('sale.order', 'read', [[odooId]], {
      fields: ['name', 'amount_total'],
    });
    return {
      odooId,
      name: order?.name ?? String(odooId),
      clientRef,
      customer: customer.name,
      customerRef,
      amountTotal: order?.amount_total ?? 0,
    };
  }

  /** Sale orders created from purchase orders (client_order_ref), e.g. by the EDI write-back. */
  async ordersByClientRef(refs: string[]): Promise<number[]> {
    if (refs.length === 0) return [];
    return this.odoo.executeKw<number[]>('sale.order', 'search', [
      [
        ['client_order_ref', 'in', refs],
        ['state', '=', 'sale'],
      ],
    ]);
  }

  /** Sale order ids among `ids` whose every picking is done. */
  async deliveredOrders(ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const pickings = await this.odoo.executeKw<{ sale_id: [number, string] | false; state: string }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', 'in', ids]]],
      { fields: ['sale_id', 'state'] },
    );
    const open = new Set<number>();
    const seen = new Set<number>();
    for (const p of pickings) {
      if (!p.sale_id) continue;
      seen.add(p.sale_id[0]);
      if (p.state !== 'done' && p.state !== 'cancel') open.add(p.sale_id[0]);
    }
    return ids.filter((id) => seen.has(id) && !open.has(id));
  }

  /** The states of each order's pickings (e.g. ["assigned"], ["done"]), for orders among `ids`. */
  async pickingStates(ids: number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>();
    if (ids.length === 0) return out;
    const pickings = await this.odoo.executeKw<{ sale_id: [number, string] | false; state: string }[]>(
      'stock.picking',
      'search_read',
      [[['sale_id', 'in', ids]]],
      { fields: ['sale_id', 'state'] },
    );
    for (const p of pickings) if (p.sale_id) out.set(p.sale_id[0], [...(out.get(p.sale_id[0]) ?? []), p.state]);
    return out;
  }

  /**
   * Invoices the order (delivered quantities), posts the invoice and registers its payment.
   * Resumes an earlier call that failed half way: invoices the order already has are
   * posted and paid as far as they need to be, instead of invoicing again (which Odoo refuses).
   */
  async invoiceAndSettle(orderId: number): Promise<number[]> {
    let invoices = await this.customerInvoices(orderId);
    if (invoices.length === 0) {
      const wizard = await this.odoo.executeKw<number>('sale.advance.payment.inv', 'create', [{ advance_payment_method: 'delivered' }], {
        context: { active_model: 'sale.order', active_ids: [orderId] },
      });
      const action = await this.odoo.executeKw<{ res_id?: number; domain?: [string, string, number[]][] }>(
        'sale.advance.payment.inv',
        'create_invoices',
        [[wizard]],
      );
      const created = action.res_id !== undefined ? [action.res_id] : (action.domain?.[0]?.[2] ?? []);
      invoices = created.map((id) => ({ id, state: 'draft', payment_state: 'not_paid' }));
    }
    const drafts = invoices.filter((i) => i.state === 'draft').map((i) => i.id);
    if (drafts.length > 0) await this.odoo.executeKw('account.move', 'action_post', [drafts]);
    const unpaid = invoices
      .filter((i) => i.state !== 'cancel' && (i.payment_state === 'not_paid' || i.payment_state === 'partial'))
      .map((i) => i.id);
    if (unpaid.length > 0) {
      const pay = await this.odoo.executeKw<number>('account.payment.register', 'create', [{}], {
        context: { active_model: 'account.move', active_ids: unpaid },
      });
      await this.odoo.executeKw('account.payment.register', 'action_create_payments', [[pay]]);
    }
    return invoices.filter((i) => i.state !== 'cancel').map((i) => i.id);
  }

  /** The order's customer invoices with their posting and payment state. */
  private async customerInvoices(orderId: number): Promise<Invoice[]> {
    const [order] = await this.odoo.executeKw<{ invoice_ids: number[] }[]>('sale.order', 'read', [[orderId]], { fields: ['invoice_ids'] });
    const ids = order?.invoice_ids ?? [];
    if (ids.length === 0) return [];
    const moves = await this.odoo.executeKw<(Invoice & { move_type: string })[]>('account.move', 'read', [ids], {
      fields: ['state', 'payment_state', 'move_type'],
    });
    return moves.filter((m) => m.move_type === 'out_invoice').map(({ id, state, payment_state }) => ({ id, state, payment_state }));
  }
}
