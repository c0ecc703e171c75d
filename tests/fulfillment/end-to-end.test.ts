import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  parseEventType,
  type ShipmentBooked,
  type ShipmentDelivered,
  type ShipmentDispatched,
  type ShipmentMilestoneRecorded,
  type ShipmentPacked,
  type ShipmentPicked,
} from '@odx/schemas';
import { eventually } from '@odx/sim-wms/kit';
import { orderToMunich, startFulfillmentStack } from './support/fulfillment-kit.js';

const FLOW = ['ShipmentPicked', 'ShipmentPacked', 'ShipmentBooked', 'ShipmentDispatched', 'ShipmentMilestoneRecorded', 'ShipmentDelivered'];

test('end to end over HTTP: OrderConfirmed -> WMS order -> pick/pack/ship webhooks -> ShipmentPacked -> rate and booking -> tracking -> ShipmentDelivered', async (t) => {
  const s = await startFulfillmentStack(t);
  const shipments = await s.collect(s.topics.shipments);
  const order = orderToMunich();
  const orderId = order.order.orderId;
  await s.publishOrders([order]);

  const delivered = await eventually(
    () => shipments.find((m) => m.eventType === 'ShipmentDelivered' && m.key === orderId),
    60_000,
    'ShipmentDelivered',
  );
  await new Promise((r) => setTimeout(r, 500)); // anything published twice would arrive now
  const mine = shipments.filter((m) => m.key === orderId);
  for (const m of mine) assert.ok(parseEventType(m.eventType).isValid(m.payload), `${m.eventType} is valid against its schema`);
  const types = mine.map((m) => m.eventType);
  for (const type of FLOW) assert.ok(types.includes(type), `${type} on the shipments topic (got ${types.join(', ')})`);
  for (const type of ['ShipmentPicked', 'ShipmentPacked', 'ShipmentBooked', 'ShipmentDispatched', 'ShipmentDelivered']) {
    assert.equal(types.filter((x) => x === type).length, 1, `exactly one ${type}`);
  }

  // Hop 1: the WMS got the order under the ODX order id, in the mapped warehouse, and shipped it.
  const wmsOrder = (await (await fetch(`${s.wms.url}/v1/outbound-orders?externalRef=${orderId}`)).json()) as {
    items: Array<{ id: string; warehouse: string; status: string; packages: Array<{ sscc: string }>; bolNumber: string }>;
  };
  assert.equal(wmsOrder.items.length, 1);
  const w = wmsOrder.items[0]!;
  assert.deepEqual([w.warehouse, w.status], ['WH', 'shipped']);

  // Hop 2: the WMS webhooks became pick/pack/dispatch events, in this order, in ODX terms.
  const byType = (type: string) => mine.find((m) => m.eventType === type)!;
  const [picked, packed, dispatched] = (['ShipmentPicked', 'ShipmentPacked', 'ShipmentDispatched'] as const).map(byType);
  assert.ok(picked!.offset < packed!.offset && packed!.offset < dispatched!.offset, 'stages in order on the partition');
  assert.equal((picked!.payload as ShipmentPicked).warehouseCode, 'WH1');
  const packedEvent = packed!.payload as ShipmentPacked;
  assert.deepEqual(
    packedEvent.packages.map((p) => p.sscc),
    w.packages.map((p) => p.sscc),
    'the cartons the WMS packed',
  );
  assert.equal((dispatched!.payload as ShipmentDispatched).shipment.bookingRef, w.bolNumber);

  // Hop 3: the TMS booked the packed shipment once, from WH1's dock to the order's ship-to.
  const tmsShipments = (await (await fetch(`${s.tms.url}/v1/shipments?reference=${orderId}`)).json()) as {
    items: Array<{ id: string; orderRef: string; trackingNumber: string; shipTo: { postalCode: string }; status: string }>;
  };
  assert.equal(tmsShipments.items.length, 1, 'one booking');
  const booking = tmsShipments.items[0]!;
  assert.deepEqual([booking.orderRef, booking.shipTo.postalCode, booking.status], [orderId, '80331', 'delivered']);
  const booked = byType('ShipmentBooked')!.payload as ShipmentBooked;
  assert.deepEqual(
    [booked.bookingRef, booked.trackingNumber, booked.meta.causationId],
    [booking.id, booking.trackingNumber, packedEvent.meta.eventId],
  );
  assert.ok(byType('ShipmentBooked')!.offset > packed!.offset, 'booked after packed');

  // Hop 4: tracking webhooks became milestones and the delivery.
  const milestones = mine
    .filter((m) => m.eventType === 'ShipmentMilestoneRecorded')
    .map((m) => (m.payload as ShipmentMilestoneRecorded).milestone.code);
  assert.deepEqual([...milestones].sort(), ['IN_TRANSIT', 'OUT_FOR_DELIVERY', 'PICKED_UP']);
  const d = delivered.payload as ShipmentDelivered;
  assert.deepEqual([d.shipmentId, d.orderId, d.trackingNumber], [orderId, orderId, booking.trackingNumber]);

  assert.equal(await s.countMessages('.dlq'), 0, 'nothing dead-lettered on the way');
});
