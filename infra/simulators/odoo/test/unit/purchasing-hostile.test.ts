import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { executeKw, jsonRpc, useSimulator, xmlRpc } from './helpers.js';

const sim = useSimulator({ seed: { products: 30, customers: 5 } });
type Row = Record<string, unknown> & { id: number };
type M2o = [number, string];

const call = <T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> =>
  executeKw<T>(sim().url, model, method, args, kwargs);
const one = async (model: string, id: number, fields: string[]): Promise<Row> => (await call<Row[]>(model, 'read', [[id], fields]))[0]!;

/** The JSON-RPC error of a call, as Odoo serialises it (data.name and data.message). */
async function rpcError(
  model: string,
  method: string,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<{ name: string; message: string }> {
  const answer = await jsonRpc(sim().url, 'object', 'execute_kw', ['odx', 2, 'admin', model, method, args, kwargs]);
  assert.ok(answer.error, `${model}.${method} should fail`);
  return { name: answer.error.data.name, message: answer.error.data.message };
}

let vendor = 0;
let product = 0;

before(async () => {
  await sim.ready();
  const [s] = await call<Row[]>('product.supplierinfo', 'search_read', [[['product_tmpl_id.type', '=', 'product']]], {
    fields: ['partner_id', 'product_tmpl_id'],
    limit: 1,
  });
  vendor = (s!.partner_id as M2o)[0];
  product = (s!.product_tmpl_id as M2o)[0];
});

async function confirmed(qty: number): Promise<{ po: number; line: number; picking: number }> {
  const po = await call<number>('purchase.order', 'create', [
    { partner_id: vendor, order_line: [[0, 0, { product_id: product, product_qty: qty }]] },
  ]);
  await call('purchase.order', 'button_confirm', [[po]]);
  const o = await one('purchase.order', po, ['order_line', 'picking_ids']);
  return { po, line: (o.order_line as number[])[0]!, picking: (o.picking_ids as number[])[0]! };
}

describe('purchasing and returns: malformed, hostile and repeated calls answer as Odoo does', () => {
  it('wrong ids are MissingError; an empty id list is a no-op', async () => {
    assert.deepEqual(await rpcError('purchase.order', 'button_confirm', [[987654]]), {
      name: 'odoo.exceptions.MissingError',
      message: 'Record does not exist or has been deleted.\n(Record: purchase.order(987654,), User: 2)',
    });
    assert.equal((await rpcError('stock.picking', 'button_validate', [[987654]])).name, 'odoo.exceptions.MissingError');
    assert.equal((await rpcError('purchase.order', 'action_create_invoice', [[987654]])).name, 'odoo.exceptions.MissingError');
    assert.equal(await call('purchase.order', 'button_confirm', [[]]), true);
  });

  it('missing or wrongly typed values are the ORM errors, and nothing is created', async () => {
    const count = await call<number>('purchase.order', 'search_count', [[]]);
    const noVendor = await rpcError('purchase.order', 'create', [{ order_line: [[0, 0, { product_id: product, product_qty: 1 }]] }]);
    assert.equal(noVendor.name, 'odoo.exceptions.ValidationError');
    assert.match(
      noVendor.message,
      /a mandatory field is not set\.[\s\S]*Model: Purchase Order \(purchase\.order\)\nField: Vendor \(partner_id\)/,
    );
    const noProduct = await rpcError('purchase.order', 'create', [
      { partner_id: vendor, order_line: [[0, 0, { name: 'something', product_qty: 1, price_unit: 2 }]] },
    ]);
    assert.deepEqual(noProduct, {
      name: 'odoo.exceptions.ValidationError',
      message: 'Missing required fields on accountable purchase order line.',
    });
    assert.equal((await rpcError('purchase.order', 'create', [{ partner_id: 'ACME' }])).name, 'builtins.ValueError');
    assert.match(
      (await rpcError('purchase.order', 'create', [{ partner_id: vendor, vendor_code: 'x' }])).message,
      /Invalid field 'vendor_code' on model 'purchase\.order'/,
    );
    assert.deepEqual(await rpcError('purchase.order.line', 'create', [{ order_id: 424242, product_id: product, product_qty: 1 }]), {
      name: 'odoo.exceptions.MissingError',
      message: 'Record does not exist or has been deleted.\n(Record: purchase.order(424242,), User: 2)',
    });
    assert.equal(await call<number>('purchase.order', 'search_count', [[]]), count, 'rolled back');
  });

  it('bad arguments and private methods are refused before anything runs', async () => {
    assert.deepEqual(await rpcError('purchase.order', 'button_confirm', [[1], 'extra']), {
      name: 'builtins.TypeError',
      message: 'PurchaseOrder.button_confirm() takes 1 positional arguments but 2 were given',
    });
    assert.equal((await rpcError('purchase.order', '_create_picking', [[1]])).name, 'odoo.exceptions.AccessError');
    assert.equal((await rpcError('purchase.order', 'button_purchase', [[1]])).name, 'builtins.AttributeError');
    assert.match(
      (await rpcError('stock.return.picking', 'create_returns', [[1]], { force: true })).message,
      /unexpected keyword argument 'force'/,
    );
  });

  it('repeated calls: confirming twice, validating a done receipt twice and billing twice', async () => {
    const { po, line, picking } = await confirmed(6);
    assert.equal(await call('purchase.order', 'button_confirm', [[po]]), true);
    assert.equal(await call('purchase.order', 'button_confirm', [[po]]), true);
    assert.equal(((await one('purchase.order', po, ['picking_ids'])).picking_ids as number[]).length, 1, 'no second receipt');
    assert.equal(await call('stock.picking', 'button_validate', [[picking]]), true);
    assert.equal(await call('stock.picking', 'button_validate', [[picking]]), true, 'done pickings are filtered out');
    assert.equal((await one('purchase.order.line', line, ['qty_received'])).qty_received, 6);
    await call('purchase.order', 'action_create_invoice', [[po]]);
    assert.deepEqual(await rpcError('purchase.order', 'action_create_invoice', [[po]]), {
      name: 'odoo.exceptions.UserError',
      message:
        'There is no invoiceable line. If a product has a control policy based on received quantity, please make sure that a quantity has been received.',
    });
    assert.equal((await one('purchase.order.line', line, ['qty_invoiced'])).qty_invoiced, 6);
  });

  it('a confirmed line cannot be deleted or ordered below what was received; a cancelled picking cannot be validated', async () => {
    const { po, line, picking } = await confirmed(10);
    assert.deepEqual(await rpcError('purchase.order.line', 'unlink', [[line]]), {
      name: 'odoo.exceptions.UserError',
      message: "Cannot delete a purchase order line which is in state 'Purchase Order'.",
    });
    const [p] = await call<Row[]>('stock.picking', 'read', [[picking], ['move_ids']]);
    await call('stock.move', 'write', [p!.move_ids, { quantity: 7 }]);
    await call('stock.picking', 'button_validate', [[picking]], {
      context: { skip_backorder: true, picking_ids_not_to_backorder: [picking] },
    });
    assert.deepEqual(await rpcError('purchase.order.line', 'write', [[line], { product_qty: 5 }]), {
      name: 'odoo.exceptions.UserError',
      message: 'You cannot decrease the ordered quantity below the received quantity.\nCreate a return first.',
    });
    // Raising it again orders the difference on a new receipt.
    await call('purchase.order.line', 'write', [[line], { product_qty: 12 }]);
    const receipts = await call<Row[]>(
      'stock.picking',
      'search_read',
      [
        [
          ['purchase_id', '=', po],
          ['state', '=', 'assigned'],
        ],
      ],
      { fields: ['move_ids'] },
    );
    assert.equal(receipts.length, 1);
    const [extra] = await call<Row[]>('stock.move', 'read', [receipts[0]!.move_ids, ['product_uom_qty']]);
    assert.equal(extra!.product_uom_qty, 5, '12 ordered less the 7 received');

    await call('stock.picking', 'action_cancel', [[receipts[0]!.id]]);
    assert.deepEqual(await rpcError('stock.picking', 'button_validate', [[receipts[0]!.id]]), {
      name: 'odoo.exceptions.UserError',
      message:
        'You cannot validate a transfer if no quantities are reserved, or if only non-reserved moves are picked.To force the transfer, encode quantities.',
    });
  });

  it('the return and credit note wizards refuse what Odoo refuses', async () => {
    const { picking } = await confirmed(3);
    assert.deepEqual(
      await rpcError('stock.return.picking', 'create', [{}], {
        context: { active_model: 'stock.picking', active_id: picking, active_ids: [picking] },
      }),
      {
        name: 'odoo.exceptions.UserError',
        message: 'You may only return Done pickings.',
      },
    );
    await call('stock.picking', 'button_validate', [[picking]]);
    const wizard = await call<number>('stock.return.picking', 'create', [{}], {
      context: { active_model: 'stock.picking', active_id: picking, active_ids: [picking] },
    });
    const lines = await call<number[]>('stock.return.picking.line', 'search', [[['wizard_id', '=', wizard]]]);
    await call('stock.return.picking.line', 'write', [lines, { quantity: 0 }]);
    assert.deepEqual(await rpcError('stock.return.picking', 'create_returns', [[wizard]]), {
      name: 'odoo.exceptions.UserError',
      message: 'Please specify at least one non-zero quantity.',
    });
    assert.equal(
      await call<number>('stock.picking', 'search_count', [[['return_id', '=', picking]]]),
      0,
      'the return picking was rolled back',
    );
    await call('stock.return.picking.line', 'create', [{ wizard_id: wizard, product_id: product, quantity: 1 }]);
    assert.deepEqual(await rpcError('stock.return.picking', 'create_returns', [[wizard]]), {
      name: 'odoo.exceptions.UserError',
      message: 'You have manually created product lines, please delete them to proceed.',
    });

    const draft = await call<number>('account.move', 'create', [
      { move_type: 'out_invoice', partner_id: vendor, invoice_line_ids: [[0, 0, { product_id: product, quantity: 1, price_unit: 5 }]] },
    ]);
    assert.deepEqual(
      await rpcError('account.move.reversal', 'create', [{}], { context: { active_model: 'account.move', active_ids: [draft] } }),
      {
        name: 'odoo.exceptions.UserError',
        message: 'You can only reverse posted moves.',
      },
    );
  });

  it('the backorder wizard without the validation context does nothing, as in Odoo', async () => {
    const { picking } = await confirmed(4);
    const [p] = await call<Row[]>('stock.picking', 'read', [[picking], ['move_ids']]);
    await call('stock.move', 'write', [p!.move_ids, { quantity: 1 }]);
    const wizard = await call<number>('stock.backorder.confirmation', 'create', [{ pick_ids: [[6, 0, [picking]]] }]);
    assert.equal(await call('stock.backorder.confirmation', 'process', [[wizard]]), true);
    assert.equal((await one('stock.picking', picking, ['state'])).state, 'assigned');
  });

  it('over XML-RPC, a method that returns None in Odoo commits and then faults, as an Odoo without allow_none does', async () => {
    const { po: cancelMe } = await confirmed(2);
    const r = await xmlRpc(sim().url, '/xmlrpc/2/object', 'execute_kw', [
      'odx',
      2,
      'admin',
      'purchase.order',
      'button_cancel',
      [[cancelMe]],
    ]);
    assert.equal(r.fault?.faultCode, 1);
    assert.match(String(r.fault?.faultString), /cannot marshal None unless allow_none is enabled/);
    assert.equal((await one('purchase.order', cancelMe, ['state'])).state, 'cancel');
    const { po, picking } = await confirmed(2);
    await call('stock.picking', 'button_validate', [[picking]]);
    const refused = await xmlRpc(sim().url, '/xmlrpc/2/object', 'execute_kw', [
      'odx',
      2,
      'admin',
      'purchase.order',
      'button_cancel',
      [[po]],
    ]);
    assert.deepEqual(
      [refused.fault?.faultCode, refused.fault?.faultString],
      [
        2,
        `Unable to cancel purchase order ${String((await one('purchase.order', po, ['name'])).name)} as some receptions have already been done.`,
      ],
    );
  });

  it('JSON-2 serves the purchasing methods with named arguments and its status codes', async () => {
    const post = async (path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
      const res = await fetch(`${sim().url}/json/2/${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'bearer odx-dev-api-key' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const created = await post('purchase.order/create', {
      vals_list: [{ partner_id: vendor, order_line: [[0, 0, { product_id: product, product_qty: 1 }]] }],
    });
    assert.equal(created.status, 200);
    const [po] = created.body as unknown as number[];
    assert.deepEqual(await post('purchase.order/button_confirm', { ids: [po] }), {
      status: 200,
      body: true as unknown as Record<string, unknown>,
    });
    const bill = await post('purchase.order/action_create_invoice', { ids: [po] });
    assert.equal(bill.status, 422);
    assert.equal(bill.body.name, 'odoo.exceptions.UserError');
  });
});
