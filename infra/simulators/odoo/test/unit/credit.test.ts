import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CREDIT_HOLD_CUSTOMER, runLoad } from '../../src/index.js';
import { executeKw, useSimulator } from './helpers.js';

const sim = useSimulator({ seed: { products: 20, customers: 20 } });
type Row = Record<string, unknown> & { id: number };

const OPEN_RECEIVABLES = [
  ['commercial_partner_id', '=', 0],
  ['state', '=', 'posted'],
  ['move_type', 'in', ['out_invoice', 'out_refund']],
  ['payment_state', 'in', ['not_paid', 'partial']],
];
const openDomain = (partnerId: number): unknown[] => OPEN_RECEIVABLES.map((leaf) => (leaf[0] === 'commercial_partner_id' ? ['commercial_partner_id', '=', partnerId] : leaf));
const customerByRef = async (ref: string): Promise<Row> => {
  const [c] = await executeKw<Row[]>(sim().url, 'res.partner', 'search_read', [[['ref', '=', ref]]], { fields: ['name', 'credit_limit', 'use_partner_credit_limit', 'credit'] });
  assert.ok(c, `customer ${ref}`);
  return c;
};

describe('credit: res.partner.credit_limit and open receivables (Odoo 17 fields)', () => {
  it('declares credit_limit, use_partner_credit_limit and credit as Odoo 17 does', async () => {
    const f = await executeKw<Record<string, { type: string; string: string }>>(sim().url, 'res.partner', 'fields_get', [['credit_limit', 'use_partner_credit_limit', 'credit']], { attributes: ['type', 'string'] });
    assert.deepEqual(f, {
      credit_limit: { type: 'float', string: 'Credit Limit' },
      use_partner_credit_limit: { type: 'boolean', string: 'Partner Limit' },
      credit: { type: 'monetary', string: 'Total Receivable' },
    });
    const m = await executeKw<Record<string, { type: string }>>(sim().url, 'account.move', 'fields_get', [['amount_residual_signed', 'amount_total_signed']], { attributes: ['type'] });
    assert.deepEqual(m, { amount_residual_signed: { type: 'monetary' }, amount_total_signed: { type: 'monetary' } });
  });

  it('seeds every customer with a limit, every tenth with none of its own (0)', async () => {
    const rows = await executeKw<Row[]>(sim().url, 'res.partner', 'search_read', [[['ref', '=like', 'C000%']]], { fields: ['ref', 'credit_limit', 'use_partner_credit_limit'], order: 'ref' });
    assert.equal(rows.length, 20);
    for (const r of rows) {
      const i = Number(String(r.ref).slice(1));
      assert.equal(r.credit_limit, i % 10 === 0 ? 0 : 100_000 * (1 + (i % 5)), String(r.ref));
      assert.equal(r.use_partner_credit_limit, i % 10 !== 0);
    }
  });

  it('seeds the credit-hold customer: limit 5,000.00, open receivables 3,220.00 (posted, not fully paid invoices minus credit notes)', async () => {
    const url = sim().url;
    const c = await customerByRef(CREDIT_HOLD_CUSTOMER.ref);
    assert.equal(c.name, CREDIT_HOLD_CUSTOMER.name);
    assert.equal(c.credit_limit, CREDIT_HOLD_CUSTOMER.creditLimit);
    assert.equal(c.credit, CREDIT_HOLD_CUSTOMER.openReceivables);
    const open = await executeKw<Row[]>(url, 'account.move', 'search_read', [openDomain(c.id)], {
      fields: ['name', 'move_type', 'payment_state', 'amount_total', 'amount_residual', 'amount_residual_signed', 'invoice_date_due', 'partner_id'],
      order: 'id',
    });
    assert.deepEqual(
      open.map((m) => [m.move_type, m.payment_state, m.amount_total, m.amount_residual, m.amount_residual_signed]),
      [
        ['out_invoice', 'not_paid', 2875, 2875, 2875],
        ['out_invoice', 'partial', 1150, 575, 575],
        ['out_refund', 'not_paid', 230, 230, -230],
      ],
    );
    assert.match(String(open[0]!.name), /^INV\/\d{4}\/\d{5}$/);
    assert.match(String(open[2]!.name), /^RINV\/\d{4}\/00001$/);
    assert.ok(String(open[0]!.invoice_date_due) < new Date().toISOString().slice(0, 10), 'overdue');
    assert.match(String((open[0]!.partner_id as [number, string])[1]), /Accounts Payable/, 'billed to the invoice address; the commercial partner is the customer');
    const paid = await executeKw<Row[]>(url, 'account.move', 'search_read', [[['commercial_partner_id', '=', c.id], ['payment_state', '=', 'paid']]], { fields: ['amount_residual', 'amount_residual_signed'] });
    assert.deepEqual(paid.map((m) => [m.amount_residual, m.amount_residual_signed]), [[0, 0]]);
  });

  it('a posted credit note has a positive residual and a negative signed residual; payments move both, and credit follows', async () => {
    const url = sim().url;
    const c = await customerByRef('C00003');
    const [billTo] = await executeKw<number[]>(url, 'res.partner', 'search', [[['parent_id', '=', c.id], ['type', '=', 'invoice']]]);
    const [product] = await executeKw<number[]>(url, 'product.product', 'search', [[['type', '=', 'product']]], { limit: 1 });
    const line = (price: number): unknown[] => [0, 0, { product_id: product, quantity: 1, price_unit: price, tax_ids: [[6, 0, []]] }];
    const inv = await executeKw<number>(url, 'account.move', 'create', [{ move_type: 'out_invoice', partner_id: billTo, invoice_line_ids: [line(1000)] }]);
    const refund = await executeKw<number>(url, 'account.move', 'create', [{ move_type: 'out_refund', partner_id: billTo, invoice_line_ids: [line(100)] }]);
    const [draft] = await executeKw<Row[]>(url, 'account.move', 'read', [[refund], ['display_name', 'payment_state']]);
    assert.match(String(draft!.display_name), /^Draft Credit Note \(\* \d+\)$/);
    assert.equal((await customerByRef('C00003')).credit, 0, 'drafts are not receivables');
    await executeKw(url, 'account.move', 'action_post', [[inv, refund]]);
    assert.equal((await customerByRef('C00003')).credit, 900);
    const pay = await executeKw<number>(url, 'account.payment.register', 'create', [{ amount: 400 }], { context: { active_model: 'account.move', active_ids: [inv] } });
    await executeKw(url, 'account.payment.register', 'action_create_payments', [[pay]]);
    const moves = await executeKw<Row[]>(url, 'account.move', 'read', [[inv, refund], ['name', 'payment_state', 'amount_residual', 'amount_residual_signed', 'amount_total_signed']]);
    assert.deepEqual(
      moves.map((m) => [m.payment_state, m.amount_residual, m.amount_residual_signed, m.amount_total_signed]),
      [
        ['partial', 600, 600, 1000],
        ['not_paid', 100, -100, -100],
      ],
    );
    assert.match(String(moves[1]!.name), /^RINV\//);
    assert.equal((await customerByRef('C00003')).credit, 500);
    const open = await executeKw<Row[]>(url, 'account.move', 'search_read', [openDomain(c.id)], { fields: ['amount_residual_signed'] });
    assert.equal(open.reduce((s, m) => s + Number(m.amount_residual_signed), 0), 500);
  });

  it('the load generator never orders for the credit-hold customer', async () => {
    const url = sim().url;
    const c = await customerByRef(CREDIT_HOLD_CUSTOMER.ref);
    const counts = await runLoad({
      url,
      db: 'odx',
      login: 'admin',
      password: 'admin',
      adminToken: 'sim-admin',
      orders: 60,
      rate: 100_000,
      concurrency: 4,
      sameSecond: 0,
      latePercent: 0,
      lateSeconds: 0,
      cancelRatio: 0,
      validateRatio: 0,
      invoiceRatio: 0,
      payRatio: 0,
      seed: 3,
    });
    assert.equal(counts.errors, 0);
    const theirs = await executeKw<number>(url, 'sale.order', 'search_count', [[['partner_id', '=', c.id]]]);
    assert.equal(theirs, 0);
  });
});
