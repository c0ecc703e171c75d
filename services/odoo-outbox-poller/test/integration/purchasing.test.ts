import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { OutgoingEvent } from '@odx/runtime';
import type { GoodsReceived, PurchaseOrderAcknowledged, ReturnReceived } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { payloadOf, type DecodedMessage } from '@odx/runtime/testing';
import type { OdooRecord } from '../../src/mapping/map-sale-order.js';
import { FieldCatalog } from '../../src/odoo/field-catalog.js';
import { versionAdapter } from '../../src/odoo/version-adapter.js';
import { CursorStore } from '../../src/poll/cursor-store.js';
import { ModelPoller } from '../../src/poll/model-poller.js';
import { invoiceSpec, pickingSpec } from '../../src/poll/operations-specs.js';
import { PurchaseOrderVersions } from '../../src/poll/po-version-store.js';
import { purchaseOrderSpec } from '../../src/poll/purchase-order-spec.js';
import { EchoMarks } from '../../src/writeback/echo-marks.js';
import { validateReceipt } from '../../src/writeback/write-purchasing.js';
import { pollerKit, type PollerTestKit } from '../support/kit.js';
import { runWriteback, until } from '../support/writeback-runner.js';
import { odooFixture, type OdooFixture } from '../support/odoo.js';

const adapter = versionAdapter(17);
/** A message as the kit read it, for payloadOf. */
const decoded = (e: { type: string; payload: unknown }): DecodedMessage => ({ eventType: e.type, payload: e.payload });

/** The three pollers procure-to-pay and returns need, on one cursor scope (a "process"); a new set is a restart. */
function pollers(kit: PollerTestKit, odoo: OdooFixture, echoes: EchoMarks): ModelPoller[] {
  const catalog = new FieldCatalog(odoo.client);
  const specs = [
    purchaseOrderSpec(odoo.client, catalog, 'acme', new PurchaseOrderVersions(kit.db, 'test')),
    pickingSpec(odoo.client, catalog, adapter, 'acme', echoes),
    invoiceSpec(odoo.client, catalog, 'acme'),
  ];
  return specs.map(
    (spec) =>
      new ModelPoller({
        client: odoo.client,
        fields: catalog,
        spec: kit.redirect(spec),
        cursors: new CursorStore(kit.db, 'test'),
        producer: kit.producer,
        logger: kit.logger,
        batchSize: 50,
        lookbackSeconds: 30,
      }),
  );
}

async function drain(ps: ModelPoller[]): Promise<void> {
  for (let i = 0; i < 100; i++) {
    let n = 0;
    for (const p of ps) n += (await p.pollOnce()) + (await p.lookbackOnce());
    if (n === 0) return;
  }
  throw new Error('pollers did not drain');
}

/** Distinct event ids per event type, and the messages of each type. */
function tally(events: Array<{ type: string; id: string }>): Record<string, { ids: number; messages: number }> {
  const out: Record<string, { ids: Set<string>; messages: number }> = {};
  for (const e of events) {
    const t = (out[e.type] ??= { ids: new Set(), messages: 0 });
    t.ids.add(e.id);
    t.messages++;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, { ids: v.ids.size, messages: v.messages }]));
}
const ids = (events: Array<{ type: string; id: string }>): Record<string, number> =>
  Object.fromEntries(Object.entries(tally(events)).map(([k, v]) => [k, v.ids]));

async function purchaseOrder(odoo: OdooFixture, quantities: number[]): Promise<{ poId: number; lineIds: number[] }> {
  const [vendor] = await odoo.client.searchRead<OdooRecord>('res.partner', [['supplier_rank', '>', 0]], { fields: ['name'], limit: 1 });
  const products = await odoo.client.searchRead<OdooRecord>('product.product', [['type', '=', 'product']], {
    fields: ['default_code'],
    limit: quantities.length,
  });
  const poId = await odoo.client.executeKw<number>('purchase.order', 'create', [
    {
      partner_id: vendor!.id,
      order_line: quantities.map((q, i) => [0, 0, { product_id: products[i]!.id, product_qty: q, price_unit: 10 }]),
    },
  ]);
  await odoo.client.executeKw('purchase.order', 'button_confirm', [[poId]]);
  const lines = await odoo.client.searchRead<OdooRecord>('purchase.order.line', [['order_id', '=', poId]], {
    fields: ['id'],
    order: 'id asc',
  });
  return { poId, lineIds: lines.map((l) => l.id) };
}

async function openReceipt(odoo: OdooFixture, poId: number): Promise<OdooRecord | undefined> {
  const [p] = await odoo.client.searchRead<OdooRecord>(
    'stock.picking',
    [
      ['purchase_id', '=', poId],
      ['state', 'not in', ['done', 'cancel']],
    ],
    { fields: ['move_ids', 'name'], order: 'id asc', limit: 1 },
  );
  return p;
}

/** Receives in Odoo (no WMS): quantities per move in order, validated as the form does (backorder wizard). */
async function receiveInOdoo(odoo: OdooFixture, poId: number, qty: (demand: number, i: number) => number): Promise<void> {
  const picking = (await openReceipt(odoo, poId))!;
  const moves = await odoo.client.read<OdooRecord>('stock.move', picking['move_ids'] as number[], ['product_uom_qty']);
  for (const [i, m] of moves.entries())
    await odoo.client.executeKw('stock.move', 'write', [[m.id], { quantity: qty(Number(m['product_uom_qty']), i) }]);
  await validateReceipt(odoo.client, picking.id);
}

test('PO to vendor bill in Odoo: confirmed once, a partial receipt then the rest, the bill posted once with its price mismatch caught; a restart in the middle publishes no id twice', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const echoes = new EchoMarks(kit.db);
  const { poId } = await purchaseOrder(odoo, [10, 4]);
  let ps = pollers(kit, odoo, echoes);
  await drain(ps);
  await receiveInOdoo(odoo, poId, (d, i) => (i === 0 ? 6 : d)); // 6 of 10, all 4
  await drain(ps);
  ps = pollers(kit, odoo, echoes); // restart: fresh memory, same cursors and version store
  await drain(ps);
  await receiveInOdoo(odoo, poId, (d) => d); // the backorder: the other 4
  // The supplier bills line 1 at 11.00 instead of 10.00.
  const action = await odoo.client.executeKw<{ res_id: number }>('purchase.order', 'action_create_invoice', [[poId]]);
  const bill = await odoo.client.read<OdooRecord>('account.move', [action.res_id], ['invoice_line_ids']);
  const [first] = await odoo.client.read<OdooRecord>('account.move.line', [(bill[0]!['invoice_line_ids'] as number[])[0]!], ['id']);
  await odoo.client.executeKw('account.move.line', 'write', [[first!.id], { price_unit: 11 }]);
  await odoo.client.executeKw('account.move', 'write', [[action.res_id], { invoice_date: '2026-12-05', ref: 'INV-5531' }]);
  await odoo.client.executeKw('account.move', 'action_post', [[action.res_id]]);
  await drain(ps);
  ps = pollers(kit, odoo, echoes);
  await drain(ps);

  // The seed's own invoices are polled too: count this PO's events.
  const events = (await kit.readAll(5)).filter((e) => e.key === String(poId) && !['InvoicePosted', 'PaymentReceived'].includes(e.type));
  assert.deepEqual(ids(events), {
    PurchaseOrderConfirmed: 1,
    GoodsReceived: 2,
    VendorBillPosted: 1,
    VendorBillMismatchDetected: 1,
  });
  const mismatch = payloadOf(decoded(events.find((e) => e.type === 'VendorBillMismatchDetected')!), 'VendorBillMismatchDetected');
  assert.deepEqual(
    mismatch.lines.map((l) => [l.reasons, l.unitPriceDelta]),
    [[['PRICE'], '1.000000']],
  );
  const receipts = events.filter((e) => e.type === 'GoodsReceived').map((e) => payloadOf(decoded(e), 'GoodsReceived'));
  assert.deepEqual(
    [...new Map(receipts.map((r) => [r.meta.eventId, r])).values()].map((r) => [
      r.meta.source,
      r.receipt.lines.map((l) => l.quantity),
      r.receipt.backorderOfId !== null,
    ]),
    [
      ['odoo', ['6.0000', '4.0000'], false],
      ['odoo', ['4.0000'], true],
    ],
  );
});

test('WMS receipts written back: partial then rest validate the Odoo receipt and its backorder once each under redelivery and a lost done mark; the poller announces neither; an 855 rejecting a line lowers it', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const echoes = new EchoMarks(kit.db);
  const { poId, lineIds } = await purchaseOrder(odoo, [10, 4, 3]);
  const base = sampleEvent('GoodsReceived');
  const received = (lines: Array<[number, number]>): GoodsReceived => ({
    ...base,
    meta: sampleMeta({ eventId: randomUUID(), source: 'wms' }),
    purchaseOrderId: String(poId),
    receipt: {
      ...base.receipt,
      receiptId: `wms-${randomUUID().slice(0, 6)}`,
      lines: lines.map(([lineId, qty], i) => ({
        ...base.receipt.lines[0]!,
        lineId: `r${i}`,
        purchaseLineId: String(lineId),
        sku: 'unused',
        quantity: `${qty}.0000`,
        lots: [],
      })),
    },
  });
  const partial = received([
    [lineIds[0]!, 6],
    [lineIds[1]!, 4],
  ]);
  const ack: PurchaseOrderAcknowledged = {
    ...sampleEvent('PurchaseOrderAcknowledged'),
    meta: sampleMeta({ eventId: randomUUID(), source: 'edi' }),
    purchaseOrderId: String(poId),
    status: 'changed',
    vendorOrderRef: 'SO-77812',
    lines: [
      {
        ...sampleEvent('PurchaseOrderAcknowledged').lines[0]!,
        lineNumber: 3,
        lineId: String(lineIds[2]),
        status: 'rejected',
        quantity: '0.0000',
        deliveryDate: null,
      },
    ],
  };
  const msg = (
    eventType: 'GoodsReceived' | 'PurchaseOrderAcknowledged',
    payload: GoodsReceived | PurchaseOrderAcknowledged,
  ): OutgoingEvent => ({ eventType, key: String(poId), topic: kit.topic, payload }) as OutgoingEvent;
  await kit.producer.publish([msg('PurchaseOrderAcknowledged', ack), msg('GoodsReceived', partial), msg('GoodsReceived', partial)]);
  let handled = 0;
  let runner = await runWriteback(t, kit, odoo, () => void handled++, { echoes, completion: 'each' });
  await until(() => handled >= 2);
  await new Promise((r) => setTimeout(r, 1_500));
  await runner.close();
  assert.equal(handled, 2, 'the redelivered receipt was dropped by its idempotency key');
  const [line3] = await odoo.client.read<OdooRecord>('purchase.order.line', [lineIds[2]!], ['product_qty']);
  assert.equal(line3!['product_qty'], 0, 'the rejected line is taken off the order');
  const [po] = await odoo.client.read<OdooRecord>('purchase.order', [poId], ['partner_ref']);
  assert.equal(po!['partner_ref'], 'SO-77812');

  // The same receipt again under a new consumer group (its idempotency key lost): it goes back to the picking it chose, done.
  const rest = received([[lineIds[0]!, 4]]);
  await kit.producer.publish([msg('GoodsReceived', partial), msg('GoodsReceived', rest)]);
  handled = 0;
  runner = await runWriteback(t, kit, odoo, () => void handled++, { echoes, completion: 'each' });
  await until(() => handled >= 3); // the ack and the first receipt again (new group, new keys: the write-back's own guards), then the rest
  await new Promise((r) => setTimeout(r, 1_500));
  await runner.close();
  const pickings = await odoo.client.searchRead<OdooRecord>('stock.picking', [['purchase_id', '=', poId]], {
    fields: ['state', 'backorder_id'],
    order: 'id asc',
  });
  assert.deepEqual(
    pickings.map((p) => p['state']),
    ['done', 'done'],
    'the receipt and its one backorder, each validated once',
  );
  const lines = await odoo.client.read<OdooRecord>('purchase.order.line', lineIds, ['qty_received']);
  assert.deepEqual(
    lines.map((l) => l['qty_received']),
    [10, 4, 0],
  );
  // The poller does not announce what the WMS already did.
  await drain(pollers(kit, odoo, echoes));
  const events = await kit.readAll(0);
  assert.deepEqual(
    events.filter((e) => e.type === 'GoodsReceived' && payloadOf(decoded(e), 'GoodsReceived').meta.source === 'odoo'),
    [],
  );
});

test('a return from a delivered order: authorised once, received by the WMS with a restock and a scrap line (validated in Odoo once), credited once as CreditNotePosted', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const echoes = new EchoMarks(kit.db);
  // A delivered and invoiced order with two lines.
  const products = await odoo.client.searchRead<OdooRecord>(
    'product.product',
    [
      ['type', '=', 'product'],
      ['qty_available', '>', 10],
    ],
    { fields: ['default_code'], limit: 2 },
  );
  const [customer] = await odoo.client.searchRead<OdooRecord>('res.partner', [['customer_rank', '>', 0]], { fields: ['name'], limit: 1 });
  const orderId = await odoo.client.executeKw<number>('sale.order', 'create', [
    { partner_id: customer!.id, order_line: products.map((p) => [0, 0, { product_id: p.id, product_uom_qty: 3 }]) },
  ]);
  await odoo.client.executeKw('sale.order', 'action_confirm', [[orderId]]);
  const [delivery] = await odoo.client.searchRead<OdooRecord>('stock.picking', [['sale_id', '=', orderId]], { fields: ['move_ids'] });
  for (const mid of delivery!['move_ids'] as number[]) await odoo.client.executeKw('stock.move', 'write', [[mid], { quantity: 3 }]);
  await odoo.client.executeKw('stock.picking', 'button_validate', [[delivery!.id]]);
  const wizard = await odoo.client.executeKw<number>('sale.advance.payment.inv', 'create', [{}], { context: { active_ids: [orderId] } });
  await odoo.client.executeKw('sale.advance.payment.inv', 'create_invoices', [[wizard]], { context: { active_ids: [orderId] } });
  const [invoice] = await odoo.client.searchRead<OdooRecord>(
    'account.move',
    [['invoice_origin', '=', (await odoo.client.read<OdooRecord>('sale.order', [orderId], ['name']))[0]!['name']]],
    { fields: ['id'] },
  );
  await odoo.client.executeKw('account.move', 'action_post', [[invoice!.id]]);
  // The customer sends both lines back.
  const ctx = { active_model: 'stock.picking', active_id: delivery!.id, active_ids: [delivery!.id] };
  const rw = await odoo.client.executeKw<number>('stock.return.picking', 'create', [{}], { context: ctx });
  const created = await odoo.client.executeKw<{ res_id: number }>('stock.return.picking', 'create_returns', [[rw]], { context: ctx });
  const returnId = created.res_id;
  let ps = pollers(kit, odoo, echoes);
  await drain(ps);
  const authorized = (await kit.readAll(1)).filter((e) => e.type === 'ReturnAuthorized');
  assert.equal(new Set(authorized.map((e) => e.id)).size, 1);
  const rma = payloadOf(decoded(authorized[0]!), 'ReturnAuthorized').return;
  assert.equal(rma.returnId, String(returnId));

  // The WMS receives it: line 1 restocked, line 2 scrapped; delivered twice.
  const base = sampleEvent('ReturnReceived');
  const receivedEvent: ReturnReceived = {
    ...base,
    meta: sampleMeta({ eventId: randomUUID(), source: 'wms' }),
    returnId: rma.returnId,
    receipt: {
      ...base.receipt,
      receiptId: String(returnId),
      lines: rma.lines.map((l, i) => ({
        ...base.receipt.lines[0]!,
        lineId: `w${i}`,
        returnLineId: l.lineId,
        sku: l.sku,
        quantity: '3.0000',
        lots: [],
        condition: i === 0 ? 'RESTOCK' : 'SCRAP',
      })),
    },
  };
  const msg: OutgoingEvent = { eventType: 'ReturnReceived', key: rma.returnId, topic: kit.topic, payload: receivedEvent };
  const stockOf = async (productId: number): Promise<number> =>
    Number((await odoo.client.read<OdooRecord>('product.product', [productId], ['qty_available']))[0]!['qty_available']);
  const before = await Promise.all(products.map((p) => stockOf(p.id)));
  await kit.producer.publish([msg, msg]);
  let handled = 0;
  const runner = await runWriteback(t, kit, odoo, () => void handled++, { echoes, completion: 'each' });
  await until(() => handled >= 2); // the ReturnAuthorized on the topic, then the receipt
  await new Promise((r) => setTimeout(r, 1_500));
  await runner.close();
  const [ret] = await odoo.client.read<OdooRecord>('stock.picking', [returnId], ['state']);
  assert.equal(ret!['state'], 'done');
  const after = await Promise.all(products.map((p) => stockOf(p.id)));
  assert.deepEqual(
    after.map((q, i) => q - before[i]!),
    [3, 0],
    'the restocked line is back in stock, the scrapped one is not',
  );

  // The credit note reverses the invoice.
  const rev = await odoo.client.executeKw<number>('account.move.reversal', 'create', [{ reason: 'return' }], {
    context: { active_model: 'account.move', active_ids: [invoice!.id] },
  });
  const refund = await odoo.client.executeKw<{ res_id: number }>('account.move.reversal', 'refund_moves', [[rev]], {
    context: { active_model: 'account.move', active_ids: [invoice!.id] },
  });
  await odoo.client.executeKw('account.move', 'action_post', [[refund.res_id]]);
  await drain(ps);
  ps = pollers(kit, odoo, echoes); // restart
  await drain(ps);
  const events = (await kit.readAll(3)).filter((e) =>
    e.type === 'InvoicePosted'
      ? e.key === String(invoice!.id)
      : (e.key === rma.returnId && e.type.startsWith('Return')) || e.type === 'CreditNotePosted',
  );
  assert.deepEqual(
    Object.fromEntries(
      Object.entries(ids(events)).filter(([k]) => ['ReturnAuthorized', 'ReturnReceived', 'CreditNotePosted', 'InvoicePosted'].includes(k)),
    ),
    { ReturnAuthorized: 1, CreditNotePosted: 1, InvoicePosted: 1, ReturnReceived: 1 },
    'the WMS ReturnReceived is the only one (the poller published none); the out_invoice is InvoicePosted, the credit note CreditNotePosted',
  );
  assert.ok(events.filter((e) => e.type === 'ReturnReceived').every((e) => payloadOf(decoded(e), 'ReturnReceived').meta.source === 'wms'));
  const credit = events.find((e) => e.type === 'CreditNotePosted')!;
  assert.equal(credit.key, rma.returnId);
});
