import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeKw, useSimulator } from './helpers.js';

const sim = useSimulator();
type Row = Record<string, unknown> & { id: number };
type M2o = [number, string];

const call = <T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> =>
  executeKw<T>(sim().url, model, method, args, kwargs);
const one = async (model: string, id: number, fields: string[]): Promise<Row> => (await call<Row[]>(model, 'read', [[id], fields]))[0]!;
const onHand = async (productId: number): Promise<number> =>
  Number((await one('product.product', productId, ['qty_available'])).qty_available);

/** A delivered and invoiced (posted) sale of `qty` of a product in stock with the given invoicing policy. */
async function deliveredSale(
  qty: number,
  policy: 'order' | 'delivery',
  offset = 0,
): Promise<{ so: number; line: number; delivery: number; invoice: number; product: number }> {
  const [q] = await call<Row[]>(
    'stock.quant',
    'search_read',
    [
      [
        ['location_id.complete_name', '=', 'WH/Stock'],
        ['quantity', '>', 3 * qty],
        ['reserved_quantity', '=', 0],
        ['product_id.invoice_policy', '=', policy],
      ],
    ],
    {
      fields: ['product_id'],
      order: 'id',
      offset,
      limit: 1,
    },
  );
  const product = (q!.product_id as M2o)[0];
  const [customer] = await call<number[]>('res.partner', 'search', [[['ref', '=', 'C00004']]]);
  const so = await call<number>('sale.order', 'create', [
    { partner_id: customer, order_line: [[0, 0, { product_id: product, product_uom_qty: qty }]] },
  ]);
  await call('sale.order', 'action_confirm', [[so]]);
  const order = await one('sale.order', so, ['picking_ids', 'order_line']);
  const delivery = (order.picking_ids as number[])[0]!;
  assert.equal(await call('stock.picking', 'button_validate', [[delivery]]), true);
  const wizard = await call<number>('sale.advance.payment.inv', 'create', [{}], {
    context: { active_model: 'sale.order', active_ids: [so] },
  });
  const { res_id: invoice } = await call<{ res_id: number }>('sale.advance.payment.inv', 'create_invoices', [[wizard]]);
  await call('account.move', 'action_post', [[invoice]]);
  return { so, line: (order.order_line as number[])[0]!, delivery, invoice, product };
}

async function returnWizard(picking: number): Promise<{ wizard: number; lines: Row[] }> {
  const wizard = await call<number>('stock.return.picking', 'create', [{}], {
    context: { active_model: 'stock.picking', active_id: picking, active_ids: [picking] },
  });
  const lines = await call<Row[]>('stock.return.picking.line', 'search_read', [[['wizard_id', '=', wizard]]], {
    fields: ['product_id', 'quantity', 'move_id', 'to_refund'],
  });
  return { wizard, lines };
}

describe('returns: stock.return.picking and credit notes (Odoo 17)', () => {
  it('the return wizard on a done delivery makes an incoming picking linked to it; validating it puts the goods back on hand', async () => {
    const { so, line, delivery, product } = await deliveredSale(10, 'order');
    const before = await onHand(product);
    const { wizard, lines } = await returnWizard(delivery);
    const w = await one('stock.return.picking', wizard, ['picking_id', 'location_id', 'original_location_id']);
    assert.equal((w.picking_id as M2o)[0], delivery);
    assert.equal((w.location_id as M2o)[1], 'WH/Stock', 'back where it came from');
    const [deliveryMove] = (await one('stock.picking', delivery, ['move_ids'])).move_ids as number[];
    assert.deepEqual(
      lines.map((l) => [(l.product_id as M2o)[0], l.quantity, (l.move_id as M2o)[0], l.to_refund]),
      [[product, 10, deliveryMove, true]],
    );
    await call('stock.return.picking.line', 'write', [[lines[0]!.id], { quantity: 4 }]);

    const action = await call<{ res_model: string; res_id: number; name: string }>('stock.return.picking', 'create_returns', [[wizard]]);
    assert.deepEqual([action.res_model, action.name], ['stock.picking', 'Returned Picking']);
    const ret = await one('stock.picking', action.res_id, [
      'name',
      'state',
      'picking_type_code',
      'return_id',
      'origin',
      'sale_id',
      'location_id',
      'location_dest_id',
      'move_ids',
    ]);
    const original = await one('stock.picking', delivery, ['name', 'return_ids', 'return_count']);
    assert.match(String(ret.name), /^WH\/IN\/\d{5}$/);
    assert.deepEqual(
      [ret.state, ret.picking_type_code, (ret.return_id as M2o)[0], ret.origin, (ret.sale_id as M2o)[0]],
      ['assigned', 'incoming', delivery, `Return of ${String(original.name)}`, so],
    );
    assert.deepEqual([(ret.location_id as M2o)[1], (ret.location_dest_id as M2o)[1]], ['Partners/Customers', 'WH/Stock']);
    assert.deepEqual([original.return_ids, original.return_count], [[action.res_id], 1]);
    const [move] = await call<Row[]>('stock.move', 'read', [
      ret.move_ids,
      ['origin_returned_move_id', 'to_refund', 'product_uom_qty', 'quantity', 'sale_line_id'],
    ]);
    assert.deepEqual(
      [(move!.origin_returned_move_id as M2o)[0], move!.to_refund, move!.product_uom_qty, move!.quantity, (move!.sale_line_id as M2o)[0]],
      [deliveryMove, true, 4, 4, line],
    );

    assert.equal(await call('stock.picking', 'button_validate', [[action.res_id]]), true);
    assert.equal(await onHand(product), before + 4);
    assert.equal(
      (await one('sale.order.line', line, ['qty_delivered'])).qty_delivered,
      6,
      'to_refund: the order shows what the customer kept',
    );

    const again = await returnWizard(delivery);
    assert.deepEqual(
      again.lines.map((l) => l.quantity),
      [6],
      'only what is left to return',
    );
    await assert.rejects(
      call('stock.return.picking', 'create', [{}], {
        context: { active_model: 'stock.picking', active_id: delivery, active_ids: [delivery, action.res_id] },
      }),
      {
        message: 'odoo.exceptions.UserError: You may only return one picking at a time.',
      },
    );
  });

  it('account.move.reversal refund_moves: a draft out_refund with reversed_entry_id, the same lines, and the order invoices that much less', async () => {
    const { so, line, invoice } = await deliveredSale(5, 'order', 1);
    const inv = await one('account.move', invoice, ['name', 'amount_total', 'invoice_line_ids']);
    const wizard = await call<number>('account.move.reversal', 'create', [{ reason: 'damaged in transit' }], {
      context: { active_model: 'account.move', active_ids: [invoice] },
    });
    const w = await one('account.move.reversal', wizard, ['move_ids', 'move_type', 'residual', 'date']);
    assert.deepEqual([w.move_ids, w.move_type, w.residual], [[invoice], 'out_invoice', inv.amount_total]);
    const action = await call<{ res_model: string; res_id: number; context: Record<string, unknown> }>(
      'account.move.reversal',
      'refund_moves',
      [[wizard]],
    );
    assert.deepEqual([action.res_model, action.context.default_move_type], ['account.move', 'out_refund']);
    const refund = await one('account.move', action.res_id, [
      'move_type',
      'state',
      'reversed_entry_id',
      'ref',
      'amount_total',
      'partner_id',
      'invoice_line_ids',
      'display_name',
      'invoice_date',
    ]);
    assert.deepEqual(
      [refund.move_type, refund.state, (refund.reversed_entry_id as M2o)[0], refund.ref, refund.amount_total, refund.invoice_date],
      ['out_refund', 'draft', invoice, `Reversal of: ${String(inv.name)}, damaged in transit`, inv.amount_total, w.date],
    );
    assert.match(String(refund.display_name), /^Draft Credit Note \(\* \d+\)$/);
    const [rl] = await call<Row[]>('account.move.line', 'read', [refund.invoice_line_ids, ['quantity', 'sale_line_ids']]);
    assert.deepEqual([rl!.quantity, rl!.sale_line_ids], [5, [line]]);
    assert.deepEqual(Object.values(await one('sale.order.line', line, ['qty_invoiced', 'invoice_status'])).slice(1), [0, 'to invoice']);
    assert.deepEqual((await one('account.move', invoice, ['reversal_move_id'])).reversal_move_id, [action.res_id]);

    await call('account.move', 'action_post', [[action.res_id]]);
    const posted = await one('account.move', action.res_id, ['name', 'amount_residual_signed']);
    assert.match(String(posted.name), /^RINV\/\d{4}\/\d{5}$/);
    assert.equal(posted.amount_residual_signed, -Number(inv.amount_total));
    assert.equal((await one('account.move', invoice, ['payment_state'])).payment_state, 'not_paid', 'a refund is not reconciled by itself');
    assert.equal((await one('sale.order', so, ['invoice_status'])).invoice_status, 'to invoice');
  });

  it('modify_moves: the original is reversed (reconciled with its credit note) and a new draft invoice is opened', async () => {
    const { invoice } = await deliveredSale(3, 'order', 2);
    const wizard = await call<number>('account.move.reversal', 'create', [{}], {
      context: { active_model: 'account.move', active_ids: [invoice] },
    });
    const action = await call<{ res_id: number }>('account.move.reversal', 'modify_moves', [[wizard]]);
    const fresh = await one('account.move', action.res_id, ['move_type', 'state', 'reversed_entry_id']);
    assert.deepEqual([fresh.move_type, fresh.state, fresh.reversed_entry_id], ['out_invoice', 'draft', false]);
    const original = await one('account.move', invoice, ['payment_state', 'amount_residual', 'reversal_move_id', 'name']);
    assert.deepEqual([original.payment_state, original.amount_residual], ['reversed', 0]);
    const refund = await one('account.move', (original.reversal_move_id as number[])[0]!, ['state', 'payment_state', 'ref']);
    assert.deepEqual([refund.state, refund.payment_state, refund.ref], ['posted', 'paid', `Reversal of: ${String(original.name)}`]);
  });

  it('a returned delivery of a product invoiced on delivery: the order wizard makes the credit note (a negative invoice switched to out_refund)', async () => {
    const { so, line, delivery } = await deliveredSale(8, 'delivery', 3);
    const { wizard, lines } = await returnWizard(delivery);
    await call('stock.return.picking.line', 'write', [[lines[0]!.id], { quantity: 3 }]);
    const { res_id: back } = await call<{ res_id: number }>('stock.return.picking', 'create_returns', [[wizard]]);
    await call('stock.picking', 'button_validate', [[back]]);
    assert.deepEqual(
      Object.values(await one('sale.order.line', line, ['qty_delivered', 'qty_invoiced', 'qty_to_invoice'])).slice(1),
      [5, 8, -3],
    );
    const inv = await call<number>('sale.advance.payment.inv', 'create', [{}], {
      context: { active_model: 'sale.order', active_ids: [so] },
    });
    const { res_id: credit } = await call<{ res_id: number }>('sale.advance.payment.inv', 'create_invoices', [[inv]]);
    const note = await one('account.move', credit, ['move_type', 'amount_total', 'invoice_line_ids']);
    assert.equal(note.move_type, 'out_refund');
    assert.deepEqual(
      (await call<Row[]>('account.move.line', 'read', [note.invoice_line_ids, ['quantity']])).map((l) => l.quantity),
      [3],
    );
    // 'invoiced' needs qty_invoiced >= the ordered 8 (sale.order.line._compute_invoice_status): nothing left to invoice is 'no'
    assert.deepEqual(Object.values(await one('sale.order.line', line, ['qty_invoiced', 'qty_to_invoice', 'invoice_status'])).slice(1), [
      5,
      0,
      'no',
    ]);
  });

  it('a return without to_refund leaves the order as delivered', async () => {
    const { line, delivery } = await deliveredSale(4, 'order', 4);
    const { wizard, lines } = await returnWizard(delivery);
    await call('stock.return.picking.line', 'write', [[lines[0]!.id], { quantity: 1, to_refund: false }]);
    const { res_id: back } = await call<{ res_id: number }>('stock.return.picking', 'create_returns', [[wizard]]);
    await call('stock.picking', 'button_validate', [[back]]);
    assert.equal((await one('sale.order.line', line, ['qty_delivered'])).qty_delivered, 4);
  });
});
