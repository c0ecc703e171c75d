import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trace } from '@opentelemetry/api';
import { orderIdOf, orderTraceContext, orderTraceId } from '../../src/telemetry/order-trace.js';

test('orderIdOf finds the order where the canonical schemas put it', () => {
  assert.equal(orderIdOf({ orderId: '7', shipmentId: 'S' }), '7');
  assert.equal(orderIdOf({ order: { orderId: '8' } }), '8');
  assert.equal(orderIdOf({ shipment: { orderId: '9' } }), '9');
  assert.equal(orderIdOf({ invoice: { orderId: '10' } }), '10');
  assert.equal(orderIdOf({ orderId: null, shipment: { orderId: '11' } }), '11');
});

test('orderIdOf is null for events about no single order and for hostile shapes', () => {
  for (const payload of [null, undefined, 42, 'x', [], { sku: 'A' }, { orderId: '' }, { orderId: 5 }, { order: ['x'] }, { order: null }]) {
    assert.equal(orderIdOf(payload), null, JSON.stringify(payload));
  }
});

test("an order's trace id is stable, valid, and differs per order and per company", () => {
  const a = orderTraceId('acme', 'S00042');
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.equal(orderTraceId('acme', 'S00042'), a, 'every service derives the same id');
  assert.notEqual(orderTraceId('acme', 'S00043'), a);
  assert.notEqual(orderTraceId('other', 'S00042'), a);
  const sc = trace.getSpanContext(orderTraceContext('acme', 'S00042'));
  assert.ok(sc && trace.isSpanContextValid(sc));
  assert.equal(sc.traceId, a);
  assert.equal(sc.isRemote, true);
});
