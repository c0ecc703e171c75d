import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admin, executeKw, useSimulator } from './helpers.js';

const sim = useSimulator();
type Row = Record<string, unknown> & { id: number };

const read = async (model: string, ids: number[], fields: string[]): Promise<Row[]> =>
  executeKw<Row[]>(sim().url, model, 'read', [ids, fields]);
const quantOf = async (productId: number, location: string): Promise<Row> => {
  const [q] = await executeKw<Row[]>(
    sim().url,
    'stock.quant',
    'search_read',
    [
      [
        ['product_id', '=', productId],
        ['location_id.complete_name', '=', location],
      ],
    ],
    { fields: ['quantity', 'reserved_quantity'] },
  );
  assert.ok(q, `quant of ${productId} in ${location}`);
  return q;
};

describe('sales flow: confirm → validate → invoice → post → pay', () => {
  it('has the real effects at each step', async () => {
    const url = sim().url;
    const [stocked] = await executeKw<Row[]>(
      url,
      'stock.quant',
      'search_read',
      [
        [
          ['location_id.complete_name', '=', 'WH/Stock'],
          ['quantity', '>', 20],
          ['reserved_quantity', '=', 0],
        ],
      ],
      { fields: ['product_id'], limit: 1 },
    );
    const product = { id: (stocked!.product_id as [number, string])[0] };
    const before = await quantOf(product.id, 'WH/Stock');
    const [customer] = await executeKw<Row[]>(url, 'res.partner', 'search_read', [[['ref', '=', 'C00001']]], { fields: ['id'] });
    const orderId = await executeKw<number>(url, 'sale.order', 'create', [
      { partner_id: customer!.id, client_order_ref: 'PO-FLOW-1', order_line: [[0, 0, { product_id: product.id, product_uom_qty: 5 }]] },
    ]);
    const [draft] = await read(
      'sale.order',
      [orderId],
      ['name', 'state', 'amount_untaxed', 'amount_tax', 'amount_total', 'partner_shipping_id', 'partner_invoice_id', 'write_date'],
    );
    assert.match(String(draft!.name), /^S\d{5}$/);
    assert.equal(draft!.state, 'draft');
    assert.equal(draft!.amount_total, Math.round((draft!.amount_untaxed as number) * 1.15 * 100) / 100);
    assert.match(String((draft!.partner_shipping_id as [number, string])[1]), /Receiving Dock/);
    assert.match(String((draft!.partner_invoice_id as [number, string])[1]), /Accounts Payable/);

    await admin(url, '/clock/advance', { seconds: 2 });
    assert.equal(await executeKw(url, 'sale.order', 'action_confirm', [[orderId]]), true);
    const [confirmed] = await read('sale.order', [orderId], ['state', 'picking_ids', 'invoice_status', 'write_date']);
    assert.equal(confirmed!.state, 'sale');
    assert.equal(confirmed!.invoice_status, 'to invoice');
    assert.ok(String(confirmed!.write_date) > String(draft!.write_date));
    const pickingIds = confirmed!.picking_ids as number[];
    assert.equal(pickingIds.length, 1);
    const [picking] = await read('stock.picking', pickingIds, [
      'name',
      'state',
      'picking_type_code',
      'origin',
      'sale_id',
      'move_ids',
      'location_id',
      'location_dest_id',
    ]);
    assert.match(String(picking!.name), /^WH\/OUT\/\d{5}$/);
    assert.equal(picking!.state, 'assigned');
    assert.equal(picking!.picking_type_code, 'outgoing');
    assert.equal(picking!.origin, draft!.name);
    assert.deepEqual((picking!.location_dest_id as [number, string])[1], 'Partners/Customers');
    const reserved = await quantOf(product.id, 'WH/Stock');
    assert.equal(reserved.reserved_quantity, (before.reserved_quantity as number) + 5);

    assert.equal(await executeKw(url, 'stock.picking', 'button_validate', [pickingIds]), true);
    const [done] = await read('stock.picking', pickingIds, ['state', 'date_done']);
    assert.equal(done!.state, 'done');
    assert.match(String(done!.date_done), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const after = await quantOf(product.id, 'WH/Stock');
    assert.equal(after.quantity, (before.quantity as number) - 5);
    assert.equal(after.reserved_quantity, before.reserved_quantity);
    const moves = await executeKw<Row[]>(url, 'stock.move', 'search_read', [[['picking_id', '=', pickingIds[0]]]], {
      fields: ['state', 'quantity'],
    });
    assert.deepEqual(
      moves.map((m) => [m.state, m.quantity]),
      [['done', 5]],
    );
    const [line] = await executeKw<Row[]>(url, 'sale.order.line', 'search_read', [[['order_id', '=', orderId]]], {
      fields: ['qty_delivered'],
    });
    assert.equal(line!.qty_delivered, 5);

    const wizard = await executeKw<number>(url, 'sale.advance.payment.inv', 'create', [{ advance_payment_method: 'delivered' }], {
      context: { active_model: 'sale.order', active_ids: [orderId] },
    });
    const action = await executeKw<{ res_model: string; res_id: number }>(url, 'sale.advance.payment.inv', 'create_invoices', [[wizard]]);
    assert.equal(action.res_model, 'account.move');
    const [invoice] = await read(
      'account.move',
      [action.res_id],
      ['name', 'state', 'move_type', 'invoice_origin', 'amount_total', 'display_name'],
    );
    assert.equal(invoice!.state, 'draft');
    assert.equal(invoice!.move_type, 'out_invoice');
    assert.equal(invoice!.invoice_origin, draft!.name);
    assert.equal(invoice!.amount_total, draft!.amount_total);
    assert.match(String(invoice!.display_name), /^Draft Invoice \(\* \d+\)$/);
    const [invoiced] = await read('sale.order', [orderId], ['invoice_status', 'invoice_ids']);
    assert.equal(invoiced!.invoice_status, 'invoiced');
    assert.deepEqual(invoiced!.invoice_ids, [action.res_id]);

    assert.equal(await executeKw(url, 'account.move', 'action_post', [[action.res_id]]), false);
    const [posted] = await read('account.move', [action.res_id], ['name', 'state', 'payment_state', 'amount_residual', 'invoice_date']);
    assert.match(String(posted!.name), /^INV\/\d{4}\/\d{5}$/);
    assert.equal(posted!.state, 'posted');
    assert.equal(posted!.payment_state, 'not_paid');
    assert.equal(posted!.amount_residual, invoice!.amount_total);
    await assert.rejects(
      executeKw(url, 'account.move', 'action_post', [[action.res_id]]),
      /UserError: The entry INV\/.* is already posted\./,
    );

    const pay = await executeKw<number>(url, 'account.payment.register', 'create', [{}], {
      context: { active_model: 'account.move', active_ids: [action.res_id] },
    });
    await executeKw(url, 'account.payment.register', 'action_create_payments', [[pay]]);
    const [paid] = await read('account.move', [action.res_id], ['payment_state', 'amount_residual']);
    assert.deepEqual([paid!.payment_state, paid!.amount_residual], ['in_payment', 0]);
  });

  it('a short delivery leaves a backorder; cancel cancels what is not done', async () => {
    const url = sim().url;
    const [stocked] = await executeKw<Row[]>(
      url,
      'stock.quant',
      'search_read',
      [
        [
          ['location_id.complete_name', '=', 'WH/Stock'],
          ['quantity', '>', 20],
          ['reserved_quantity', '=', 0],
        ],
      ],
      { fields: ['product_id'], limit: 1, order: 'id desc' },
    );
    const product = { id: (stocked!.product_id as [number, string])[0] };
    const orderId = await executeKw<number>(url, 'sale.order', 'create', [
      { partner_id: 7, order_line: [[0, 0, { product_id: product!.id, product_uom_qty: 10 }]] },
    ]);
    await executeKw(url, 'sale.order', 'action_confirm', [[orderId]]);
    const [{ picking_ids }] = (await read('sale.order', [orderId], ['picking_ids'])) as [{ picking_ids: number[] } & Row];
    const [move] = await executeKw<Row[]>(url, 'stock.move', 'search_read', [[['picking_id', 'in', picking_ids]]], { fields: ['id'] });
    await executeKw(url, 'stock.move', 'write', [[move!.id], { quantity: 4 }]);
    // Odoo 17 asks first: the "Create Backorder?" wizard, which the client creates with the action's context.
    const ask = await executeKw<{ res_model: string; context: Record<string, unknown> }>(url, 'stock.picking', 'button_validate', [
      picking_ids,
    ]);
    assert.equal(ask.res_model, 'stock.backorder.confirmation');
    const [{ state: waiting }] = (await read('stock.picking', picking_ids, ['state'])) as [{ state: string } & Row];
    assert.equal(waiting, 'assigned', 'nothing is done before the wizard answers');
    const wizard = await executeKw<number>(url, 'stock.backorder.confirmation', 'create', [{}], { context: ask.context });
    assert.equal(await executeKw(url, 'stock.backorder.confirmation', 'process', [[wizard]], { context: ask.context }), true);
    const all = await executeKw<Row[]>(url, 'stock.picking', 'search_read', [[['sale_id', '=', orderId]]], {
      fields: ['state', 'backorder_id'],
      order: 'id',
    });
    assert.equal(all.length, 2);
    assert.equal(all[0]!.state, 'done');
    assert.equal(all[1]!.state, 'assigned');
    assert.equal((all[1]!.backorder_id as [number, string])[0], all[0]!.id);
    await executeKw(url, 'sale.order', 'action_cancel', [[orderId]]);
    const after = await executeKw<Row[]>(url, 'stock.picking', 'search_read', [[['sale_id', '=', orderId]]], {
      fields: ['state'],
      order: 'id',
    });
    assert.deepEqual(
      after.map((p) => p.state),
      ['done', 'cancel'],
    );
    const [{ state }] = (await read('sale.order', [orderId], ['state'])) as [{ state: string } & Row];
    assert.equal(state, 'cancel');
    await assert.rejects(executeKw(url, 'sale.order', 'unlink', [[orderId + 1000]]), /MissingError/);
  });

  it('inventory adjustment through inventory_quantity + action_apply_inventory', async () => {
    const url = sim().url;
    const [q] = await executeKw<Row[]>(url, 'stock.quant', 'search_read', [[['location_id.complete_name', '=', 'WH2/Stock']]], {
      fields: ['quantity', 'product_id', 'write_date'],
      limit: 1,
    });
    await assert.rejects(executeKw(url, 'stock.quant', 'write', [[q!.id], { quantity: 1 }]), /Quant's editing is restricted/);
    await executeKw(url, 'stock.quant', 'write', [[q!.id], { inventory_quantity: 1234 }]);
    const [counted] = await read('stock.quant', [q!.id], ['inventory_quantity_set', 'inventory_diff_quantity']);
    assert.equal(counted!.inventory_quantity_set, true);
    assert.equal(counted!.inventory_diff_quantity, 1234 - (q!.quantity as number));
    assert.equal(await executeKw(url, 'stock.quant', 'action_apply_inventory', [[q!.id]]), null);
    const [applied] = await read('stock.quant', [q!.id], ['quantity', 'inventory_quantity_set']);
    assert.deepEqual([applied!.quantity, applied!.inventory_quantity_set], [1234, false]);
    const moves = await executeKw<Row[]>(
      url,
      'stock.move',
      'search_read',
      [
        [
          ['is_inventory', '=', true],
          ['product_id', '=', (q!.product_id as [number, string])[0]],
        ],
      ],
      { fields: ['state', 'location_dest_id'] },
    );
    assert.equal(moves.length, 1);
    assert.equal(moves[0]!.state, 'done');
  });
});
