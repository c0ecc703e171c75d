import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEventType } from '@odx/schemas';
import { sampleEvent } from '@odx/schemas/fixtures';
import { mapShipmentBooked, toParcels, toTmsAddress } from '../../src/mapping/map-booking.js';
import { mapTrackingWebhook, severityOf } from '../../src/mapping/map-tracking.js';
import type { TmsShipment, TrackingWebhook } from '../../src/tms/tms-types.js';
import { lateException } from '../../src/watchdog/late-watchdog.js';

const booking: TmsShipment = {
  id: 'SHP-000001',
  reference: '1310',
  orderRef: '42',
  status: 'booked',
  carrier: { code: 'UPS', name: 'UPS', scac: 'UPSN' },
  service: { code: 'UPS_STANDARD', name: 'UPS Standard', level: 'standard' },
  trackingNumber: '1ZODX0000000000001',
  packages: [{ packageNumber: 1, packageId: 'PACK0000123', trackingNumber: '1ZODX0000000000001' }],
  label: { reference: 'LBL-000001', url: 'http://tms/v1/labels/LBL-000001.pdf' },
  cost: { amount: '14.02', currency: 'EUR' },
  estimatedPickupAt: '2030-01-15T16:00:00.000Z',
  estimatedDeliveryAt: '2030-01-18T17:00:00.000Z',
  createdAt: '2030-01-15T10:00:00.000Z',
};

test('ShipmentBooked from a TMS booking: valid, deterministic id, the booking facts', () => {
  const packed = sampleEvent('ShipmentPacked');
  const e = mapShipmentBooked(packed, booking);
  assert.ok(parseEventType('ShipmentBooked').isValid(e));
  assert.equal(mapShipmentBooked({ ...packed, meta: { ...packed.meta, eventId: 'another' } }, booking).meta.eventId, e.meta.eventId);
  assert.deepEqual(
    [e.carrierCode, e.serviceLevel, e.bookingRef, e.trackingNumber, e.freightCost, e.currency, e.labelUri],
    ['UPS', 'UPS_STANDARD', 'SHP-000001', '1ZODX0000000000001', '14.0200', 'EUR', 'http://tms/v1/labels/LBL-000001.pdf'],
  );
  assert.deepEqual(e.packageTrackingNumbers, { PACK0000123: '1ZODX0000000000001' });
  assert.equal(e.meta.source, 'tms');
  assert.equal(e.meta.causationId, packed.meta.eventId);
});

test('parcels and addresses for the TMS', () => {
  const packed = sampleEvent('ShipmentPacked');
  packed.packages.push({ ...packed.packages[0]!, packageId: 'P2', dimensions: null, weightKg: '2.5000' });
  assert.deepEqual(toParcels(packed, { dimensionsCm: { lengthCm: 40, widthCm: 30, heightCm: 20 } }), [
    { packageId: 'PACK0000123', weightKg: 18.75, lengthCm: 60, widthCm: 40, heightCm: 35.5 },
    { packageId: 'P2', weightKg: 2.5, lengthCm: 40, widthCm: 30, heightCm: 20 },
  ]);
  const order = sampleEvent('OrderConfirmed');
  assert.deepEqual(toTmsAddress(order.order.shipTo), {
    postalCode: '89502',
    countryCode: 'US',
    city: 'Reno',
    name: 'Northwind DC 7',
    company: 'Northwind Retail Inc.',
    street1: '1200 Logistics Pkwy',
    street2: 'Dock 4',
    region: 'NV',
  });
  assert.equal(toTmsAddress({ ...order.order.shipTo, postalCode: null }), null);
});

function webhook(type: TrackingWebhook['type'], status: string, exceptionCode: string | null = null): TrackingWebhook {
  return {
    type,
    timestamp: '2030-01-16T08:00:00.000Z',
    data: {
      shipmentId: 'SHP-000001',
      reference: '1310',
      orderRef: '42',
      trackingNumber: '1ZODX0000000000001',
      carrier: { code: 'UPS', name: 'UPS', scac: 'UPSN' },
      status,
      event: {
        eventId: `EVT-${status}`,
        status,
        occurredAt: '2030-01-16T08:00:00.000Z',
        description: `${status} here`,
        exceptionCode,
        location: { facility: 'UPS-HUB-DE', city: null, postalCode: null, countryCode: 'DE' },
      },
      estimatedDeliveryAt: '2030-01-18T17:00:00.000Z',
      version: 3,
    },
  };
}

test('tracking webhooks -> milestones, delivered, exceptions (all valid, ids from the TMS event)', () => {
  const ctx = { company: 'acme' };
  const codes = (['picked_up', 'in_transit', 'out_for_delivery'] as const).map((s) => {
    const out = mapTrackingWebhook(webhook(`tracking.${s}`, s), ctx);
    assert.equal(out.eventType, 'ShipmentMilestoneRecorded');
    assert.ok(parseEventType(out.eventType).isValid(out.payload));
    return out.eventType === 'ShipmentMilestoneRecorded' ? out.payload.milestone.code : '';
  });
  assert.deepEqual(codes, ['PICKED_UP', 'IN_TRANSIT', 'OUT_FOR_DELIVERY']);
  const delivered = mapTrackingWebhook(webhook('tracking.delivered', 'delivered'), ctx);
  assert.equal(delivered.eventType, 'ShipmentDelivered');
  assert.ok(parseEventType('ShipmentDelivered').isValid(delivered.payload));
  assert.equal(delivered.payload.shipmentId, '1310', 'the ODX shipment id is the booking reference');
  assert.equal(mapTrackingWebhook(webhook('tracking.delivered', 'delivered'), ctx).payload.meta.eventId, delivered.payload.meta.eventId);
  const ex = mapTrackingWebhook(webhook('tracking.exception', 'exception', 'DAMAGED'), ctx);
  assert.equal(ex.eventType, 'ShipmentException');
  assert.ok(parseEventType('ShipmentException').isValid(ex.payload));
  if (ex.eventType === 'ShipmentException')
    assert.deepEqual([ex.payload.exceptionCode, ex.payload.severity, ex.payload.reportedBy], ['DAMAGED', 'CRITICAL', 'UPSN']);
  const odd = mapTrackingWebhook(webhook('tracking.exception', 'exception', 'WEIRD'), ctx);
  if (odd.eventType === 'ShipmentException') assert.equal(odd.payload.exceptionCode, 'OTHER');
  assert.equal(severityOf('DELAYED'), 'WARNING');
});

test('the late exception of the watchdog is valid and keyed to the silence', () => {
  const r = {
    _id: '1310',
    orderId: '42',
    tmsShipmentId: 'SHP-1',
    carrierCode: 'UPS',
    company: 'acme',
    correlationId: 'c',
    bookedAt: new Date(0),
    lastNewsAt: new Date(1_000),
    closed: false,
    lateRaised: false,
  };
  const e = lateException(r, 3_600_000, new Date(10_000_000));
  assert.ok(parseEventType('ShipmentException').isValid(e));
  assert.equal(e.exceptionCode, 'DELAYED');
  assert.equal(lateException(r, 3_600_000, new Date(20_000_000)).meta.eventId, e.meta.eventId);
  assert.notEqual(lateException({ ...r, lastNewsAt: new Date(2_000) }, 3_600_000, new Date(10_000_000)).meta.eventId, e.meta.eventId);
});
