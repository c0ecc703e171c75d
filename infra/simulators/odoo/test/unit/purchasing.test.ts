import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VENDORS } from '../../src/index.js';
import { admin, executeKw, useSimulator } from './helpers.js';

const sim = useSimulator();
type Row = Record<string, unknown> & { id: number };
type M2o = [number, string];

const call = <T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> =>
  executeKw<T>(sim().url, model, method, args, kwargs);
const read = async (model: string, ids: number[], fields: string[]): Promise<Row[]> => call<Row[]>(model, 'read', [ids, fields]);
const one = async (model: string, id: number, fields: string[]): Promise<Row> => (await read(model, [id], fields))[0]!;
const onHand = async (productId: number): Promise<number> =>
  Number((await one('product.product', productId, ['qty_available'])).qty_available);

/** A storable product of a vendor's price list (first seller, no minimum), and that seller. */
async function boughtProduct(offset = 0): Promise<{ product: number; vendor: number; price: number; delay: number; code: string }> {
  const sellers = await call<Row[]>(
    'product.supplierinfo',
    'search_read',
    [
      [
        ['sequence', '=', 1],
        ['min_qty', '=', 0],
        ['product_tmpl_id.type', '=', 'product'],
      ],
    ],
    {
      fields: ['partner_id', 'product_tmpl_id', 'price', 'delay', 'product_code'],
      order: 'id',
      offset,
      limit: 1,
    },
  );
  const s = sellers[0]!;
  return {
    product: (s.product_tmpl_id as M2o)[0],
    vendor: (s.partner_id as M2o)[0],
    price: s.price as number,
    delay: s.delay as number,
    code: String(s.product_code),
  };
}

/** A confirmed PO of `qty` and its (first) receipt. */
async function confirmedOrder(
  qty: number,
  offset = 0,
): Promise<{ po: number; line: number; picking: number; product: number; vendor: number }> {
  const b = await boughtProduct(offset);
  const po = await call<number>('purchase.order', 'create', [
    { partner_id: b.vendor, partner_ref: `SO-${offset}-${qty}`, order_line: [[0, 0, { product_id: b.product, product_qty: qty }]] },
  ]);
  assert.equal(await call('purchase.order', 'button_confirm', [[po]]), true);
  const order = await one('purchase.order', po, ['picking_ids', 'order_line']);
  return {
    po,
    line: (order.order_line as number[])[0]!,
    picking: (order.picking_ids as number[])[0]!,
    product: b.product,
    vendor: b.vendor,
  };
}

async function receive(picking: number, qty: number, context: Record<string, unknown> = {}): Promise<unknown> {
  const [p] = await read('stock.picking', [picking], ['move_ids']);
  await call('stock.move', 'write', [p!.move_ids, { quantity: qty }]);
  return call('stock.picking', 'button_validate', [[picking]], { context });
}

describe('purchasing: vendors, purchase orders, receipts and vendor bills (Odoo 17)', () => {
  it('seeds the vendors (supplier_rank) and product.supplierinfo for every good, with the purchase tax', async () => {
    const vendors = await call<Row[]>(
      'res.partner',
      'search_read',
      [
        [
          ['supplier_rank', '>', 0],
          ['is_company', '=', true],
        ],
      ],
      { fields: ['name', 'ref', 'customer_rank'], order: 'ref' },
    );
    assert.deepEqual(
      vendors.map((v) => [v.ref, v.name, v.customer_rank]),
      VENDORS.map((v, i) => [`V0000${i + 1}`, v.name, 0]),
    );
    const f = await call<Record<string, { type: string; relation?: string }>>(
      'product.supplierinfo',
      'fields_get',
      [['partner_id', 'product_tmpl_id', 'product_id', 'min_qty', 'price', 'delay', 'product_code']],
      {
        attributes: ['type', 'relation'],
      },
    );
    assert.deepEqual(Object.fromEntries(Object.entries(f).map(([k, v]) => [k, v.type])), {
      partner_id: 'many2one',
      product_tmpl_id: 'many2one',
      product_id: 'many2one',
      min_qty: 'float',
      price: 'float',
      delay: 'integer',
      product_code: 'char',
    });
    const goods = await call<Row[]>(
      'product.product',
      'search_read',
      [
        [
          ['type', 'in', ['product', 'consu']],
          ['default_code', '=like', 'SKU-%'],
        ],
      ],
      { fields: ['seller_ids', 'supplier_taxes_id'] },
    );
    assert.equal(goods.length, 198, '200 SKUs less the 2 services');
    assert.ok(
      goods.every((p) => (p.seller_ids as number[]).length >= 1),
      'every good has a vendor',
    );
    const [tax] = await read('account.tax', (goods[0]!.supplier_taxes_id as number[]).slice(0, 1), ['type_tax_use', 'amount']);
    assert.deepEqual([tax!.type_tax_use, tax!.amount], ['purchase', 15]);
    const [first] = await read('product.supplierinfo', (goods[0]!.seller_ids as number[]).slice(0, 1), [
      'partner_id',
      'product_tmpl_id',
      'product_id',
      'price',
      'delay',
      'product_code',
    ]);
    assert.equal((first!.product_tmpl_id as M2o)[0], goods[0]!.id);
    assert.equal(first!.product_id, false, 'seeded on the template, for every variant');
    assert.ok(Number(first!.price) > 0 && Number(first!.delay) >= 1);
    assert.match(String(first!.product_code), /^[A-Z]{3}-\d{5}$/);
    assert.ok((await call<number>('product.supplierinfo', 'search_count', [[['min_qty', '=', 100]]])) > 10, 'quantity breaks');
  });

  it('RFQ -> button_confirm: P-numbered, the vendor price and lead time, a WH/IN receipt from Partners/Vendors; confirming again changes nothing', async () => {
    const b = await boughtProduct();
    const incomingBefore = Number((await one('product.product', b.product, ['incoming_qty'])).incoming_qty);
    const po = await call<number>('purchase.order', 'create', [
      { partner_id: b.vendor, partner_ref: 'VQ-77', order_line: [[0, 0, { product_id: b.product, product_qty: 20 }]] },
    ]);
    const draft = await one('purchase.order', po, [
      'name',
      'display_name',
      'state',
      'date_order',
      'date_planned',
      'amount_untaxed',
      'amount_tax',
      'amount_total',
      'picking_type_id',
      'currency_id',
      'write_date',
    ]);
    assert.match(String(draft.name), /^P\d{5}$/);
    assert.equal(draft.display_name, `${String(draft.name)} (VQ-77)`);
    assert.equal(draft.state, 'draft');
    assert.equal((draft.picking_type_id as M2o)[1], 'ODX Main Warehouse: Receipts');
    const [line] = await call<Row[]>('purchase.order.line', 'search_read', [[['order_id', '=', po]]], {
      fields: ['name', 'price_unit', 'product_uom', 'taxes_id', 'date_planned', 'price_subtotal', 'qty_received_method', 'state'],
    });
    assert.equal(line!.price_unit, b.price, 'the seller price');
    assert.match(String(line!.name), new RegExp(`^\\[${b.code}\\] `), "the vendor's product code");
    const planned =
      Date.parse(`${String(line!.date_planned).replace(' ', 'T')}Z`) - Date.parse(`${String(draft.date_order).replace(' ', 'T')}Z`);
    assert.equal(planned, b.delay * 86_400_000, 'date_planned = date_order + delay');
    assert.equal(draft.date_planned, line!.date_planned);
    assert.equal(line!.qty_received_method, 'stock_moves');
    assert.equal(draft.amount_untaxed, Math.round(20 * b.price * 100) / 100);
    assert.equal(draft.amount_total, Math.round((Number(draft.amount_untaxed) + Number(draft.amount_tax)) * 100) / 100);

    await admin(sim().url, '/clock/advance', { seconds: 2 });
    assert.equal(await call('purchase.order', 'button_confirm', [[po]]), true);
    const order = await one('purchase.order', po, [
      'state',
      'date_approve',
      'picking_ids',
      'receipt_status',
      'invoice_status',
      'incoming_picking_count',
      'write_date',
    ]);
    assert.equal(order.state, 'purchase');
    assert.match(String(order.date_approve), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.ok(String(order.write_date) > String(draft.write_date));
    assert.deepEqual([order.receipt_status, order.invoice_status, order.incoming_picking_count], ['pending', 'no', 1]);
    const [picking] = await read('stock.picking', order.picking_ids as number[], [
      'name',
      'state',
      'picking_type_code',
      'origin',
      'purchase_id',
      'partner_id',
      'location_id',
      'location_dest_id',
      'move_ids',
    ]);
    assert.match(String(picking!.name), /^WH\/IN\/\d{5}$/);
    assert.deepEqual(
      [picking!.state, picking!.picking_type_code, picking!.origin, (picking!.purchase_id as M2o)[0], (picking!.partner_id as M2o)[0]],
      ['assigned', 'incoming', draft.name, po, b.vendor],
    );
    assert.deepEqual([(picking!.location_id as M2o)[1], (picking!.location_dest_id as M2o)[1]], ['Partners/Vendors', 'WH/Stock']);
    const moves = await read('stock.move', picking!.move_ids as number[], [
      'purchase_line_id',
      'product_uom_qty',
      'quantity',
      'state',
      'origin',
      'move_line_ids',
    ]);
    assert.deepEqual(
      moves.map((m) => [(m.purchase_line_id as M2o)[0], m.product_uom_qty, m.quantity, m.state, m.origin]),
      [[line!.id, 20, 20, 'assigned', draft.name]],
    );
    assert.equal((moves[0]!.move_line_ids as number[]).length, 1, 'the detailed operation where a lot would be entered');
    assert.equal(Number((await one('product.product', b.product, ['incoming_qty'])).incoming_qty), incomingBefore + 20);

    assert.equal(await call('purchase.order', 'button_confirm', [[po]]), true, 'Odoo skips orders that are no longer RFQs');
    assert.deepEqual((await one('purchase.order', po, ['picking_ids'])).picking_ids, order.picking_ids);
  });

  it('a partial receipt asks "Create Backorder?"; the wizard keeps the rest in a backorder; the rest arrives later', async () => {
    const { po, line, picking, product } = await confirmedOrder(30, 1);
    const before = await onHand(product);
    const ask = await receive(picking, 12);
    const action = ask as { res_model: string; target: string; context: Record<string, unknown> };
    assert.deepEqual([action.res_model, action.target], ['stock.backorder.confirmation', 'new']);
    assert.deepEqual(action.context.default_pick_ids, [[4, picking]]);
    assert.deepEqual(action.context.button_validate_picking_ids, [picking]);
    assert.equal((await one('stock.picking', picking, ['state'])).state, 'assigned', 'nothing done until the wizard answers');
    assert.equal(await onHand(product), before);

    const wizard = await call<number>('stock.backorder.confirmation', 'create', [{}], { context: action.context });
    const [w] = await read('stock.backorder.confirmation', [wizard], ['pick_ids', 'backorder_confirmation_line_ids']);
    assert.deepEqual(w!.pick_ids, [picking]);
    assert.equal(await call('stock.backorder.confirmation', 'process', [[wizard]], { context: action.context }), true);

    const receipts = await call<Row[]>('stock.picking', 'search_read', [[['purchase_id', '=', po]]], {
      fields: ['name', 'state', 'backorder_id', 'move_ids', 'date_done'],
      order: 'id',
    });
    assert.equal(receipts.length, 2);
    assert.deepEqual([receipts[0]!.state, receipts[1]!.state], ['done', 'assigned']);
    assert.equal((receipts[1]!.backorder_id as M2o)[0], picking);
    const [rest] = await read('stock.move', receipts[1]!.move_ids as number[], ['product_uom_qty', 'quantity', 'purchase_line_id']);
    assert.deepEqual([rest!.product_uom_qty, rest!.quantity, (rest!.purchase_line_id as M2o)[0]], [18, 18, line]);
    assert.equal(await onHand(product), before + 12);
    let ol = await one('purchase.order.line', line, ['qty_received', 'qty_to_invoice']);
    assert.deepEqual([ol.qty_received, ol.qty_to_invoice], [12, 12]);
    let order = await one('purchase.order', po, ['receipt_status', 'picking_ids', 'invoice_status', 'effective_date']);
    assert.deepEqual([order.receipt_status, order.invoice_status], ['partial', 'to invoice']);
    assert.deepEqual(
      order.picking_ids,
      receipts.map((r) => r.id),
    );
    assert.equal(order.effective_date, receipts[0]!.date_done);

    assert.equal(await call('stock.picking', 'button_validate', [[receipts[1]!.id]]), true, 'the rest in full: no question');
    assert.equal(await onHand(product), before + 30);
    ol = await one('purchase.order.line', line, ['qty_received', 'qty_to_invoice']);
    assert.deepEqual([ol.qty_received, ol.qty_to_invoice], [30, 30]);
    order = await one('purchase.order', po, ['receipt_status', 'is_shipped']);
    assert.deepEqual([order.receipt_status, order.is_shipped], ['full', true]);

    // Validating a done receipt again: Odoo filters done pickings out and answers True.
    assert.equal(await call('stock.picking', 'button_validate', [[picking, receipts[1]!.id]]), true);
    assert.equal(await onHand(product), before + 30);
    assert.equal((await one('purchase.order.line', line, ['qty_received'])).qty_received, 30);
  });

  it('skip_backorder alone still makes the backorder; with picking_ids_not_to_backorder (the wizard\'s "No Backorder") the rest is cancelled', async () => {
    const a = await confirmedOrder(10, 2);
    assert.equal(await receive(a.picking, 4, { skip_backorder: true }), true);
    const aPickings = await call<Row[]>('stock.picking', 'search_read', [[['purchase_id', '=', a.po]]], {
      fields: ['state', 'backorder_id'],
      order: 'id',
    });
    assert.deepEqual(
      aPickings.map((p) => p.state),
      ['done', 'assigned'],
    );

    const b = await confirmedOrder(10, 3);
    assert.equal(await receive(b.picking, 4, { skip_backorder: true, picking_ids_not_to_backorder: [b.picking] }), true);
    const bPickings = await call<Row[]>('stock.picking', 'search_read', [[['purchase_id', '=', b.po]]], { fields: ['state', 'move_ids'] });
    assert.equal(bPickings.length, 1, 'no backorder');
    const bMoves = await read('stock.move', bPickings[0]!.move_ids as number[], ['state', 'product_uom_qty', 'quantity']);
    assert.deepEqual(
      bMoves.map((m) => [m.state, m.product_uom_qty]),
      [
        ['done', 4],
        ['cancel', 6],
      ],
      'the rest is split off and cancelled in the same picking',
    );
    assert.deepEqual(Object.values(await one('purchase.order', b.po, ['receipt_status'])).slice(1), ['full']);
    assert.equal((await one('purchase.order.line', b.line, ['qty_received'])).qty_received, 4);

    const c = await confirmedOrder(10, 4);
    const ask = (await receive(c.picking, 7)) as { context: Record<string, unknown> };
    const wizard = await call<number>('stock.backorder.confirmation', 'create', [{}], { context: ask.context });
    assert.equal(await call('stock.backorder.confirmation', 'process_cancel_backorder', [[wizard]], { context: ask.context }), true);
    assert.equal(await call<number>('stock.picking', 'search_count', [[['purchase_id', '=', c.po]]]), 1);
    assert.equal((await one('purchase.order.line', c.line, ['qty_received'])).qty_received, 7);
  });

  it('action_create_invoice: a draft in_invoice of what was received, qty_invoiced follows; BILL/ numbering once dated; a return to the vendor bills as in_refund', async () => {
    const { po, line, picking, product, vendor } = await confirmedOrder(10, 5);
    await assert.rejects(call('purchase.order', 'action_create_invoice', [[po]]), {
      message:
        'odoo.exceptions.UserError: There is no invoiceable line. If a product has a control policy based on received quantity, please make sure that a quantity has been received.',
    });
    assert.equal(await receive(picking, 10), true);
    const action = await call<{ res_model: string; res_id: number; context: Record<string, unknown> }>(
      'purchase.order',
      'action_create_invoice',
      [[po]],
    );
    assert.deepEqual([action.res_model, action.context.default_move_type], ['account.move', 'in_invoice']);
    const bill = await one('account.move', action.res_id, [
      'move_type',
      'state',
      'partner_id',
      'invoice_origin',
      'ref',
      'display_name',
      'invoice_line_ids',
      'amount_total',
      'amount_total_signed',
    ]);
    const order = await one('purchase.order', po, [
      'name',
      'partner_ref',
      'amount_total',
      'invoice_ids',
      'invoice_status',
      'invoice_count',
    ]);
    assert.deepEqual(
      [bill.move_type, bill.state, (bill.partner_id as M2o)[0], bill.invoice_origin, bill.ref],
      ['in_invoice', 'draft', vendor, order.name, order.partner_ref],
    );
    assert.match(String(bill.display_name), /^Draft Vendor Bill \(\* \d+\)$/);
    assert.equal(bill.amount_total, order.amount_total);
    assert.equal(bill.amount_total_signed, -Number(order.amount_total), 'what we owe is negative');
    const [aml] = await read('account.move.line', bill.invoice_line_ids as number[], [
      'purchase_line_id',
      'quantity',
      'name',
      'product_id',
    ]);
    assert.deepEqual([(aml!.purchase_line_id as M2o)[0], aml!.quantity, (aml!.product_id as M2o)[0]], [line, 10, product]);
    assert.match(String(aml!.name), new RegExp(`^${String(order.name)}: `));
    assert.deepEqual([order.invoice_ids, order.invoice_status, order.invoice_count], [[action.res_id], 'invoiced', 1]);
    assert.deepEqual(Object.values(await one('purchase.order.line', line, ['qty_invoiced', 'qty_to_invoice'])).slice(1), [10, 0]);
    await assert.rejects(
      call('purchase.order', 'action_create_invoice', [[po]]),
      /UserError: There is no invoiceable line/,
      'billing twice',
    );

    await assert.rejects(call('account.move', 'action_post', [[action.res_id]]), {
      message: 'odoo.exceptions.UserError: The Bill/Refund date is required to validate this document.',
    });
    await call('account.move', 'write', [[action.res_id], { invoice_date: '2026-02-14' }]);
    await call('account.move', 'action_post', [[action.res_id]]);
    const posted = await one('account.move', action.res_id, ['name', 'state', 'date', 'invoice_date_due', 'amount_residual_signed']);
    assert.match(String(posted.name), /^BILL\/2026\/02\/\d{4}$/);
    assert.deepEqual([posted.state, posted.date, posted.invoice_date_due], ['posted', '2026-02-14', '2026-03-16']);
    await assert.rejects(
      call('purchase.order', 'button_cancel', [[po]]),
      /UserError: Unable to cancel purchase order P\d{5} as some receptions have already been done\./,
    );

    // Send 4 back to the vendor: the receipt's return is an outgoing picking from the stock to Partners/Vendors.
    const before = await onHand(product);
    const rw = await call<number>('stock.return.picking', 'create', [{}], {
      context: { active_model: 'stock.picking', active_id: picking, active_ids: [picking] },
    });
    const [rl] = await call<Row[]>('stock.return.picking.line', 'search_read', [[['wizard_id', '=', rw]]], {
      fields: ['quantity', 'to_refund'],
    });
    assert.deepEqual([rl!.quantity, rl!.to_refund], [10, true]);
    await call('stock.return.picking.line', 'write', [[rl!.id], { quantity: 4 }]);
    const ret = await call<{ res_id: number }>('stock.return.picking', 'create_returns', [[rw]]);
    const back = await one('stock.picking', ret.res_id, [
      'name',
      'picking_type_code',
      'return_id',
      'location_dest_id',
      'purchase_id',
      'state',
    ]);
    assert.match(String(back.name), /^WH\/OUT\/\d{5}$/);
    assert.deepEqual(
      [back.picking_type_code, (back.return_id as M2o)[0], (back.location_dest_id as M2o)[1], (back.purchase_id as M2o)[0]],
      ['outgoing', picking, 'Partners/Vendors', po],
    );
    assert.equal(await call('stock.picking', 'button_validate', [[ret.res_id]]), true);
    assert.equal(await onHand(product), before - 4);
    assert.deepEqual(
      Object.values(await one('purchase.order.line', line, ['qty_received', 'qty_invoiced', 'qty_to_invoice'])).slice(1),
      [6, 10, -4],
    );
    assert.equal((await one('purchase.order', po, ['invoice_status'])).invoice_status, 'to invoice');

    const refundAction = await call<{ res_id: number }>('purchase.order', 'action_create_invoice', [[po]]);
    const refund = await one('account.move', refundAction.res_id, ['move_type', 'amount_total', 'invoice_line_ids']);
    assert.equal(refund.move_type, 'in_refund', 'a negative bill is switched to a vendor credit note');
    assert.deepEqual(
      (await read('account.move.line', refund.invoice_line_ids as number[], ['quantity'])).map((l) => l.quantity),
      [4],
    );
    assert.deepEqual(Object.values(await one('purchase.order.line', line, ['qty_invoiced', 'qty_to_invoice'])).slice(1), [6, 0]);
    await call('account.move', 'write', [[refundAction.res_id], { invoice_date: '2026-02-20' }]);
    await call('account.move', 'action_post', [[refundAction.res_id]]);
    const postedRefund = await one('account.move', refundAction.res_id, ['name', 'amount_residual_signed', 'display_name']);
    assert.match(String(postedRefund.name), /^RBILL\/2026\/02\/0001$/);
    assert.ok(Number(postedRefund.amount_residual_signed) > 0, 'the vendor owes us');
    assert.deepEqual((await one('purchase.order', po, ['invoice_ids'])).invoice_ids, [action.res_id, refundAction.res_id]);
  });

  it('an in_refund through the credit note wizard on a posted bill: reversed_entry_id, and qty_invoiced goes back down', async () => {
    const { po, line, picking } = await confirmedOrder(5, 6);
    await receive(picking, 5);
    const { res_id: billId } = await call<{ res_id: number }>('purchase.order', 'action_create_invoice', [[po]]);
    await call('account.move', 'write', [[billId], { invoice_date: '2026-03-01' }]);
    await call('account.move', 'action_post', [[billId]]);
    const wizard = await call<number>('account.move.reversal', 'create', [{ reason: 'price error', date: '2026-03-05' }], {
      context: { active_model: 'account.move', active_ids: [billId] },
    });
    const action = await call<{ res_id: number; context: Record<string, unknown> }>('account.move.reversal', 'refund_moves', [[wizard]]);
    assert.equal(action.context.default_move_type, 'in_refund');
    const refund = await one('account.move', action.res_id, [
      'move_type',
      'state',
      'reversed_entry_id',
      'ref',
      'invoice_date',
      'amount_total',
      'invoice_line_ids',
    ]);
    const bill = await one('account.move', billId, ['name', 'amount_total', 'reversal_move_id']);
    assert.deepEqual(
      [refund.move_type, refund.state, (refund.reversed_entry_id as M2o)[0], refund.ref, refund.invoice_date, refund.amount_total],
      ['in_refund', 'draft', billId, `Reversal of: ${String(bill.name)}, price error`, '2026-03-05', bill.amount_total],
    );
    assert.deepEqual(bill.reversal_move_id, [action.res_id]);
    assert.deepEqual(Object.values(await one('purchase.order.line', line, ['qty_invoiced', 'qty_to_invoice'])).slice(1), [0, 5]);
    await call('account.move', 'button_cancel', [[action.res_id]]);
    assert.deepEqual(
      Object.values(await one('purchase.order.line', line, ['qty_invoiced'])).slice(1),
      [5],
      'a cancelled credit note no longer counts',
    );
  });

  it('button_cancel: an RFQ or an order not yet received is cancelled with its receipt; a posted bill blocks it; unlink needs a cancelled order', async () => {
    const b = await boughtProduct(7);
    const rfq = await call<number>('purchase.order', 'create', [
      { partner_id: b.vendor, order_line: [[0, 0, { product_id: b.product, product_qty: 3 }]] },
    ]);
    await assert.rejects(call('purchase.order', 'unlink', [[rfq]]), {
      message: 'odoo.exceptions.UserError: In order to delete a purchase order, you must cancel it first.',
    });
    assert.equal(await call('purchase.order', 'button_cancel', [[rfq]]), null);
    assert.equal((await one('purchase.order', rfq, ['state'])).state, 'cancel');
    assert.equal(await call('purchase.order', 'unlink', [[rfq]]), true);

    const { po, picking } = await confirmedOrder(3, 8);
    await call('purchase.order', 'button_cancel', [[po]]);
    assert.deepEqual(
      [(await one('purchase.order', po, ['state'])).state, (await one('stock.picking', picking, ['state'])).state],
      ['cancel', 'cancel'],
    );
    assert.deepEqual(Object.values(await one('purchase.order', po, ['receipt_status'])).slice(1), [false]);
    assert.deepEqual(await call('purchase.order', 'button_draft', [[po]]), {});
    assert.equal((await one('purchase.order', po, ['state'])).state, 'draft');

    // Billed on ordered quantities: a bill can be posted before anything is received.
    const c = await boughtProduct(9);
    await call('product.product', 'write', [[c.product], { purchase_method: 'purchase' }]);
    const ordered = await call<number>('purchase.order', 'create', [
      { partner_id: c.vendor, order_line: [[0, 0, { product_id: c.product, product_qty: 2 }]] },
    ]);
    await call('purchase.order', 'button_confirm', [[ordered]]);
    const { res_id: billId } = await call<{ res_id: number }>('purchase.order', 'action_create_invoice', [[ordered]]);
    await call('account.move', 'write', [[billId], { invoice_date: '2026-01-10' }]);
    await call('account.move', 'action_post', [[billId]]);
    await assert.rejects(call('purchase.order', 'button_cancel', [[ordered]]), {
      message: 'odoo.exceptions.UserError: Unable to cancel this purchase order. You must first cancel the related vendor bills.',
    });
    assert.equal((await one('purchase.order', ordered, ['state'])).state, 'purchase', 'rolled back');
  });

  it('lots: a tracked product is received with lot names on the move lines, which become stock.lot records', async () => {
    const { po, picking, product } = await confirmedOrder(20, 10);
    await call('product.product', 'write', [[product], { tracking: 'lot' }]);
    const [p] = await read('stock.picking', [picking], ['move_ids', 'move_line_ids']);
    await assert.rejects(
      call('stock.picking', 'button_validate', [[picking]]),
      /UserError: You need to supply a Lot\/Serial number for products \[SKU-\d{5}\] /,
    );
    await call('stock.move.line', 'write', [p!.move_line_ids, { lot_name: `LOT-${po}-A`, quantity: 12 }]);
    await call('stock.move.line', 'create', [{ move_id: (p!.move_ids as number[])[0], lot_name: `LOT-${po}-B`, quantity: 8 }]);
    assert.equal(
      (await one('stock.move', (p!.move_ids as number[])[0]!, ['quantity'])).quantity,
      20,
      'the move quantity is the sum of its lines',
    );
    assert.equal(await call('stock.picking', 'button_validate', [[picking]]), true);
    const lines = await call<Row[]>('stock.move.line', 'search_read', [[['picking_id', '=', picking]]], {
      fields: ['lot_id', 'quantity', 'state'],
      order: 'id',
    });
    assert.deepEqual(
      lines.map((l) => [(l.lot_id as M2o)[1], l.quantity, l.state]),
      [
        [`LOT-${po}-A`, 12, 'done'],
        [`LOT-${po}-B`, 8, 'done'],
      ],
    );
    const lots = await call<Row[]>('stock.lot', 'search_read', [[['product_id', '=', product]]], { fields: ['name'] });
    assert.deepEqual(lots.map((l) => l.name).sort(), [`LOT-${po}-A`, `LOT-${po}-B`]);
    await assert.rejects(
      call('stock.lot', 'create', [{ name: `LOT-${po}-A`, product_id: product }]),
      /ValidationError: The combination of serial number and product must be unique across a company\./,
    );
    await call('product.product', 'write', [[product], { tracking: 'none' }]);
  });

  it('a vendor that is not yet a seller becomes one when its order is confirmed (_add_supplier_to_product)', async () => {
    const b = await boughtProduct(11);
    const [other] = await call<number[]>(
      'res.partner',
      'search',
      [
        [
          ['supplier_rank', '>', 0],
          ['id', '!=', b.vendor],
          ['is_company', '=', true],
        ],
      ],
      { limit: 1, order: 'id desc' },
    );
    const known = await call<Row[]>(
      'product.supplierinfo',
      'search_read',
      [
        [
          ['product_tmpl_id', '=', b.product],
          ['partner_id', '=', other],
        ],
      ],
      { fields: ['id'] },
    );
    if (known.length) await call('product.supplierinfo', 'unlink', [known.map((k) => k.id)]);
    const po = await call<number>('purchase.order', 'create', [
      { partner_id: other, order_line: [[0, 0, { product_id: b.product, product_qty: 4, price_unit: 3.21 }]] },
    ]);
    await call('purchase.order', 'button_confirm', [[po]]);
    const added = await call<Row[]>(
      'product.supplierinfo',
      'search_read',
      [
        [
          ['product_tmpl_id', '=', b.product],
          ['partner_id', '=', other],
        ],
      ],
      { fields: ['price', 'min_qty', 'delay'] },
    );
    assert.deepEqual(
      added.map((s) => [s.price, s.min_qty, s.delay]),
      [[3.21, 1, 0]],
    );
  });
});
