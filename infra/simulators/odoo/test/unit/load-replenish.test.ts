import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runLoad, type LoadOptions } from '../../src/index.js';
import { executeKw, useSimulator } from './helpers.js';

const sim = useSimulator({ seed: { products: 30, customers: 10 } });
type Row = Record<string, unknown> & { id: number };

const load = (url: string, extra: Partial<LoadOptions> = {}): LoadOptions => ({
  url,
  db: 'odx',
  login: 'admin',
  password: 'admin',
  adminToken: 'sim-admin',
  orders: 40,
  rate: 100_000,
  concurrency: 4,
  sameSecond: 0,
  latePercent: 0,
  lateSeconds: 0,
  cancelRatio: 0,
  validateRatio: 1,
  invoiceRatio: 0,
  payRatio: 0,
  seed: 7,
  ...extra,
});

describe('load generator: replenishment', () => {
  it('is off by default: no purchase orders, and the summary has no replenishment figures', async () => {
    const counts = await runLoad(load(sim().url));
    assert.equal(counts.errors, 0);
    assert.equal(counts.replenishment, undefined);
    assert.equal(await executeKw<number>(sim().url, 'purchase.order', 'search_count', [[]]), 0);
  });

  it('buys what runs low from its first vendor, receives it in full and posts the bill', async () => {
    const url = sim().url;
    const counts = await runLoad(load(url, { replenish: { below: 150, upTo: 400, everyOrders: 20 } }));
    assert.equal(counts.errors, 0);
    const r = counts.replenishment!;
    assert.equal(r.rounds, 2);
    assert.equal(r.errors, 0);
    assert.ok(r.purchaseOrders > 0 && r.lines >= r.purchaseOrders);
    const orders = await executeKw<Row[]>(url, 'purchase.order', 'search_read', [[['origin', '=', 'Replenishment']]], {
      fields: ['state', 'receipt_status', 'invoice_status', 'invoice_ids'],
    });
    assert.equal(orders.length, r.purchaseOrders);
    assert.ok(orders.every((o) => o.state === 'purchase' && o.receipt_status === 'full' && o.invoice_status === 'invoiced'));
    const bills = await executeKw<Row[]>(
      url,
      'account.move',
      'search_read',
      [[['id', 'in', orders.flatMap((o) => o.invoice_ids as number[])]]],
      { fields: ['move_type', 'state', 'name'] },
    );
    assert.equal(bills.length, r.bills);
    assert.ok(bills.every((b) => b.move_type === 'in_invoice' && b.state === 'posted' && /^BILL\//.test(String(b.name))));
    const lines = await executeKw<Row[]>(url, 'purchase.order.line', 'search_read', [[['order_id.origin', '=', 'Replenishment']]], {
      fields: ['product_id', 'product_qty', 'qty_received', 'qty_invoiced'],
    });
    assert.equal(lines.length, r.lines);
    assert.ok(
      lines.every((l) => l.qty_received === l.product_qty && l.qty_invoiced === l.product_qty),
      'received and billed in full',
    );
    const products = [...new Set(lines.map((l) => (l.product_id as [number, string])[0]))];
    const incoming = await executeKw<Row[]>(url, 'product.product', 'read', [products, ['incoming_qty']]);
    assert.ok(
      incoming.every((p) => p.incoming_qty === 0),
      'nothing left on order',
    );
  });

  it('refuses options that make no sense, naming the option, before it calls Odoo', async () => {
    await assert.rejects(runLoad(load(sim().url, { replenish: { below: 0 } })), /replenish\.below must be a quantity above 0, got 0/);
    await assert.rejects(
      runLoad(load('http://127.0.0.1:9', { replenish: { below: 10, upTo: 5 } })),
      /replenish\.upTo must be at least replenish\.below \(10\), got 5/,
    );
  });
});
