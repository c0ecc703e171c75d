import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { OutgoingEvent } from '@odx/runtime';
import type { OrderReceived, ShipmentBooked } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import type { OdooRecord } from '../../src/mapping/map-sale-order.js';
import { FieldCatalog } from '../../src/odoo/field-catalog.js';
import { versionAdapter } from '../../src/odoo/version-adapter.js';
import { pickingSpec } from '../../src/poll/operations-specs.js';
import { EchoMarks } from '../../src/writeback/echo-marks.js';
import { writeInventoryAdjusted, writeShipmentDispatched } from '../../src/writeback/writeback-handlers.js';
import { pollerKit } from '../support/kit.js';
import { runWriteback, until } from '../support/writeback-runner.js';
import { odooFixture, type OdooFixture } from '../support/odoo.js';

/** Counts the Odoo calls the write-back makes, by model and method. */
function countCalls(odoo: OdooFixture): Map<string, number> {
  const calls = new Map<string, number>();
  const original = odoo.client.executeKw.bind(odoo.client);
  odoo.client.executeKw = (async (model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>) => {
    calls.set(`${model}.${method}`, (calls.get(`${model}.${method}`) ?? 0) + 1);
    return original(model, method, args, kwargs);
  }) as typeof odoo.client.executeKw;
  return calls;
}

test('a redelivered ShipmentBooked writes the tracking reference once', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const [orderId] = await odoo.orders(1);
  const calls = countCalls(odoo);
  const booked: ShipmentBooked = {
    ...sampleEvent('ShipmentBooked'),
    meta: sampleMeta({ eventId: randomUUID(), correlationId: String(orderId), occurredAt: new Date() }),
    orderId: String(orderId),
    trackingNumber: '1Z999AA10123456784',
    carrierCode: 'DHL',
  };
  const event: OutgoingEvent = { eventType: 'ShipmentBooked', key: booked.shipmentId, topic: kit.topic, payload: booked };
  await kit.producer.publish([event, event]);
  let handled = 0;
  const runner = await runWriteback(t, kit, odoo, () => void handled++);
  await until(() => handled >= 1);
  await new Promise((r) => setTimeout(r, 2_000));
  await runner.close(); // before the clients it uses go away
  assert.equal(handled, 1, 'the second delivery was dropped by its idempotency key');
  assert.equal(calls.get('stock.picking.write'), 1, 'Odoo was written once');
  const [picking] = await odoo.client.searchRead<OdooRecord>('stock.picking', [['sale_id', '=', orderId!]], {
    fields: ['carrier_tracking_ref'],
  });
  assert.equal(picking?.['carrier_tracking_ref'], '1Z999AA10123456784');
});

test('an OrderReceived for an existing client_order_ref creates nothing new, even under a new event id', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const [partner] = await odoo.client.searchRead<OdooRecord>(
    'res.partner',
    [
      ['customer_rank', '>', 0],
      ['parent_id', '=', false],
      ['ref', '!=', false],
    ],
    { fields: ['name', 'ref'], limit: 1 },
  );
  const [product] = await odoo.client.searchRead<OdooRecord>('product.product', [['default_code', '!=', false]], {
    fields: ['default_code'],
    limit: 1,
  });
  assert.ok(partner && product, 'seed data has a customer with a ref and a product with a SKU');
  const po = `PO-${randomUUID().slice(0, 6)}`;
  const received = (): OutgoingEvent => {
    const base = sampleEvent('OrderReceived');
    const payload: OrderReceived = {
      ...base,
      meta: sampleMeta({ eventId: randomUUID(), correlationId: po, occurredAt: new Date(), source: 'edi' }),
      order: {
        ...base.order,
        orderId: `odx:edi:test:${po}`,
        odooId: null,
        clientOrderRef: po,
        warehouseCode: null,
        customer: { ...base.order.customer, ref: String(partner['ref']), name: String(partner['name']) },
        lines: base.order.lines.slice(0, 1).map((l) => ({ ...l, sku: String(product['default_code']), quantity: '3.0000' })),
      },
    };
    return { eventType: 'OrderReceived', key: payload.order.orderId, topic: kit.topic, payload };
  };
  await kit.producer.publish([received(), received()]); // the partner sent the same PO twice
  let handled = 0;
  const runner = await runWriteback(t, kit, odoo, () => void handled++);
  await until(() => handled >= 2);
  await runner.close();
  const orders = await odoo.client.searchRead<OdooRecord>('sale.order', [['client_order_ref', '=', po]], {
    fields: ['origin', 'order_line'],
  });
  assert.equal(orders.length, 1, 'one sale.order for the PO');
  assert.equal(orders[0]!['origin'], `odx:edi:test:${po}`, 'the ODX order id is kept in origin');
});

test('ShipmentDispatched from the warehouse validates the picking with the shipped quantities; a repeat is a no-op', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const [orderId] = await odoo.orders(1);
  const [line] = await odoo.client.searchRead<OdooRecord>('sale.order.line', [['order_id', '=', orderId!]], {
    fields: ['product_id', 'product_uom_qty'],
  });
  const [product] = await odoo.client.read<OdooRecord>('product.product', [(line!['product_id'] as [number, string])[0]], ['default_code']);
  const base = sampleEvent('ShipmentDispatched');
  const dispatched = {
    ...base,
    meta: sampleMeta({ eventId: randomUUID(), source: 'wms' }),
    shipment: {
      ...base.shipment,
      orderId: String(orderId),
      lines: [{ ...base.shipment.lines[0]!, sku: String(product!['default_code']), quantity: `${Number(line!['product_uom_qty'])}.0000` }],
    },
  };
  const options = { client: odoo.client, adapter: versionAdapter(17), logger: kit.logger, confirmReceivedOrders: false };
  const first = await writeShipmentDispatched(options, dispatched);
  assert.equal(first.action, 'validated');
  const [picking] = await odoo.client.searchRead<OdooRecord>('stock.picking', [['sale_id', '=', orderId!]], { fields: ['state'] });
  assert.equal(picking!['state'], 'done');
  const [after] = await odoo.client.read<OdooRecord>('sale.order.line', [line!.id], ['qty_delivered']);
  assert.equal(after!['qty_delivered'], line!['product_uom_qty']);
  assert.equal((await writeShipmentDispatched(options, dispatched)).action, 'already-done');
  await assert.rejects(
    writeShipmentDispatched(options, { ...dispatched, shipment: { ...dispatched.shipment, orderId: '999999' } }),
    (err: unknown) => (err as { errorClass?: string }).errorClass === 'odoo.order-not-found',
  );
});

test('InventoryAdjusted from the warehouse changes Odoo stock by the delta; unknown SKUs are permanent errors', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const [warehouse] = await odoo.client.searchRead<OdooRecord>('stock.warehouse', [], { fields: ['code', 'lot_stock_id'], limit: 1 });
  const [product] = await odoo.client.searchRead<OdooRecord>('product.product', [['type', '=', 'product']], {
    fields: ['default_code'],
    limit: 1,
  });
  const location = (warehouse!['lot_stock_id'] as [number, string])[0];
  const onHand = async (): Promise<number> => {
    const quants = await odoo.client.searchRead<OdooRecord>(
      'stock.quant',
      [
        ['product_id', '=', product!.id],
        ['location_id', '=', location],
      ],
      { fields: ['quantity'] },
    );
    return quants.reduce((n, q) => n + Number(q['quantity']), 0);
  };
  const before = await onHand();
  const base = sampleEvent('InventoryAdjusted');
  const adjusted = {
    ...base,
    meta: sampleMeta({ eventId: randomUUID(), source: 'wms' }),
    resultingOnHand: null,
    adjustment: {
      ...base.adjustment,
      sku: String(product!['default_code']),
      warehouseCode: String(warehouse!['code']),
      quantityDelta: '-3.0000',
    },
  };
  const options = { client: odoo.client, adapter: versionAdapter(17), logger: kit.logger, confirmReceivedOrders: false };
  await writeInventoryAdjusted(options, adjusted);
  assert.equal(await onHand(), before - 3);
  // With the warehouse's resulting count the adjustment is absolute: applying it twice changes nothing more.
  const absolute = { ...adjusted, resultingOnHand: `${before + 10}.0000` };
  await writeInventoryAdjusted(options, absolute);
  await writeInventoryAdjusted(options, absolute);
  assert.equal(await onHand(), before + 10);
  await assert.rejects(
    writeInventoryAdjusted(options, { ...adjusted, adjustment: { ...adjusted.adjustment, sku: 'NO-SUCH-SKU' } }),
    (err: unknown) =>
      (err as { kind?: string; errorClass?: string }).kind === 'permanent' &&
      (err as { errorClass?: string }).errorClass === 'odoo.unknown-sku',
  );
});

test('a picking the write-back validated for the warehouse is not announced again; one validated in Odoo is', async (t) => {
  const kit = await pollerKit(t);
  const odoo = await odooFixture(t);
  const echoes = new EchoMarks(kit.db, `echoes_${randomUUID().slice(0, 8)}`);
  const [fromWms, inOdoo] = await odoo.orders(2);
  const pickingOf = async (orderId: number): Promise<OdooRecord> =>
    (await odoo.client.searchRead<OdooRecord>('stock.picking', [['sale_id', '=', orderId]], { fields: ['state', 'move_ids'] }))[0]!;
  // The warehouse shipped order 1: the write-back validates its picking (and marks it first).
  const [line] = await odoo.client.searchRead<OdooRecord>('sale.order.line', [['order_id', '=', fromWms!]], {
    fields: ['product_id', 'product_uom_qty'],
  });
  const [product] = await odoo.client.read<OdooRecord>('product.product', [(line!['product_id'] as [number, string])[0]], ['default_code']);
  const base = sampleEvent('ShipmentDispatched');
  await writeShipmentDispatched(
    { client: odoo.client, adapter: versionAdapter(17), logger: kit.logger, confirmReceivedOrders: false, echoes },
    {
      ...base,
      meta: sampleMeta({ eventId: randomUUID(), source: 'wms' }),
      shipment: {
        ...base.shipment,
        orderId: String(fromWms),
        lines: [
          { ...base.shipment.lines[0]!, sku: String(product!['default_code']), quantity: `${Number(line!['product_uom_qty'])}.0000` },
        ],
      },
    },
  );
  // Order 2's picking is validated by someone in Odoo (no warehouse integration for it).
  const other = await pickingOf(inOdoo!);
  const moves = await odoo.client.read<OdooRecord>('stock.move', other['move_ids'] as number[], ['product_uom_qty']);
  for (const m of moves) await odoo.client.executeKw('stock.move', 'write', [[m.id], { quantity: m['product_uom_qty'] }]);
  await odoo.client.executeKw('stock.picking', 'button_validate', [[other.id]], { context: { skip_backorder: true } });

  const first = await pickingOf(fromWms!);
  assert.deepEqual([first['state'], (await pickingOf(inOdoo!))['state']], ['done', 'done']);
  const spec = pickingSpec(odoo.client, new FieldCatalog(odoo.client), versionAdapter(17), 'acme', echoes);
  const records = await odoo.client.read<OdooRecord>('stock.picking', [first.id, other.id], spec.fields);
  const events = await spec.toEvents(records);
  assert.deepEqual(
    events.map((e) => [e.eventType, e.eventType === 'ShipmentDispatched' ? e.payload.shipment.orderId : null]),
    [['ShipmentDispatched', String(inOdoo)]],
    'only the picking Odoo validated by itself is announced',
  );
  const withoutMarks = await pickingSpec(odoo.client, new FieldCatalog(odoo.client), versionAdapter(17), 'acme').toEvents(records);
  assert.equal(withoutMarks.length, 2, 'without the marks both would be');
});
