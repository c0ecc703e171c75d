import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleEvent } from '@odx/schemas/fixtures';
import { canonicalEventOf } from '../../src/kafka/events.js';
import { payloadOf, payloadsOf } from '../../src/testing/index.js';

test('canonicalEventOf keeps a decoded ODX event and its payload; another record type is no canonical event', () => {
  const payload = sampleEvent('ShipmentBooked');
  const event = canonicalEventOf({ eventType: 'ShipmentBooked', payload });
  assert.ok(event?.eventType === 'ShipmentBooked');
  assert.equal(event.payload.carrierCode, payload.carrierCode);
  assert.equal(canonicalEventOf({ eventType: 'com.acme.Foreign', payload: {} }), undefined);
  assert.equal(canonicalEventOf({ eventType: 'OrderSplit', payload: { meta: {} } }), undefined);
});

test('payloadOf returns the payload of the named type and fails the test on another; payloadsOf keeps only that type', () => {
  const booked = { eventType: 'ShipmentBooked', payload: sampleEvent('ShipmentBooked') };
  const delivered = { eventType: 'ShipmentDelivered', payload: sampleEvent('ShipmentDelivered') };
  assert.equal(payloadOf(booked, 'ShipmentBooked').bookingRef, booked.payload.bookingRef);
  assert.throws(
    () => payloadOf(delivered, 'ShipmentBooked'),
    (err: unknown) => err instanceof assert.AssertionError && /expected a ShipmentBooked, got a ShipmentDelivered/.test(err.message),
  );
  assert.deepEqual(payloadsOf([booked, delivered, booked], 'ShipmentBooked'), [booked.payload, booked.payload]);
  assert.deepEqual(payloadsOf([delivered], 'ShipmentBooked'), []);
});
