import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilter, matchesFilter, valueAtPath } from '../../src/subscriptions/subscription-filter.js';
import { createSubscriptionSchema, FILTER_LIMITS, updateSubscriptionSchema } from '../../src/subscriptions/subscription.js';

const order = {
  eventType: 'OrderConfirmed',
  key: 'SO-1',
  payload: { order: { customer: { ref: 'C-7' }, total: 12, lines: [{ sku: 'A' }] }, flag: true },
};

test('event types, keys and a field: each narrows, all must pass', () => {
  assert.ok(matchesFilter({ eventTypes: [] }, order));
  assert.ok(matchesFilter({ eventTypes: ['OrderConfirmed'] }, order));
  assert.ok(!matchesFilter({ eventTypes: ['OrderCancelled'] }, order));
  assert.ok(matchesFilter({ eventTypes: [], keys: ['SO-1', 'SO-2'] }, order));
  assert.ok(!matchesFilter({ eventTypes: [], keys: ['SO-2'] }, order));
  assert.ok(!matchesFilter({ eventTypes: [], keys: ['SO-1'] }, { ...order, key: null }));
  assert.ok(matchesFilter({ eventTypes: [], field: { path: 'order.customer.ref', in: ['C-7'] } }, order));
  assert.ok(matchesFilter({ eventTypes: [], field: { path: 'order.total', in: ['12'] } }, order));
  assert.ok(matchesFilter({ eventTypes: [], field: { path: 'flag', in: ['true'] } }, order));
  assert.ok(!matchesFilter({ eventTypes: [], field: { path: 'order.customer', in: ['[object Object]'] } }, order));
  assert.ok(!matchesFilter({ eventTypes: [], field: { path: 'order.lines.0.sku', in: ['A'] } }, order));
  assert.ok(!matchesFilter({ eventTypes: ['OrderConfirmed'], keys: ['SO-1'], field: { path: 'order.customer.ref', in: ['C-8'] } }, order));
});

test('paths do not reach prototype properties', () => {
  assert.equal(valueAtPath({}, 'constructor'), undefined);
  assert.equal(valueAtPath({ a: {} }, 'a.__proto__'), undefined);
  assert.equal(valueAtPath({ a: 'x' }, 'a.length'), undefined);
  const f = compileFilter({ eventTypes: [], field: { path: 'toString', in: ['function toString() { [native code] }'] } });
  assert.ok(!f({ eventType: 'X', key: null, payload: {} }));
});

test('hostile subscription bodies are refused by the schema', () => {
  const ok = { name: 'crm', url: 'https://crm.example.com/hooks', eventTypes: ['OrderConfirmed'] };
  assert.ok(createSubscriptionSchema.safeParse(ok).success);
  assert.ok(createSubscriptionSchema.safeParse({ ...ok, eventTypes: ['*'] }).success);
  const bad: Array<[string, unknown]> = [
    ['unknown type', { ...ok, eventTypes: ['Nope'] }],
    ['no types', { ...ok, eventTypes: [] }],
    ['star with others', { ...ok, eventTypes: ['*', 'OrderConfirmed'] }],
    ['too many keys', { ...ok, keys: Array.from({ length: FILTER_LIMITS.keys + 1 }, (_, i) => `k${i}`) }],
    ['huge key', { ...ok, keys: ['k'.repeat(10_000)] }],
    ['deep path', { ...ok, field: { path: Array.from({ length: 11 }, () => 'a').join('.'), in: ['x'] } }],
    ['proto path', { ...ok, field: { path: 'a..b', in: ['x'] } }],
    ['too many values', { ...ok, field: { path: 'a', in: Array.from({ length: 101 }, () => 'x') } }],
    ['weak secret', { ...ok, secret: 'whsec_c2hvcnQ=' }],
    ['plain secret', { ...ok, secret: 'password123456789' }],
    ['extra field', { ...ok, admin: true }],
    ['name with control chars', { ...ok, name: 'a\u0000b' }],
    ['long url', { ...ok, url: `https://x.example/${'a'.repeat(3_000)}` }],
    ['wrong types', { ...ok, eventTypes: 'OrderConfirmed' }],
  ];
  for (const [what, body] of bad) assert.ok(!createSubscriptionSchema.safeParse(body).success, what);
  assert.ok(updateSubscriptionSchema.safeParse({ keys: null, field: null }).success);
  assert.ok(!updateSubscriptionSchema.safeParse({ status: 'active' }).success);
});
