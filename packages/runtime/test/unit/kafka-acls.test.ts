// The ACL plan derived from the topic catalog (the broker's enforcement is in test/integration/kafka-acls.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalog } from '@odx/schemas';
import { allows, catalogAcls, dlqTopicName, retryTopicName } from '../../src/kafka/index.js';

const catalog = loadCatalog();
const rules = catalogAcls(catalog);
const WIDE = new Set(['replay-dlq']); // writes every ODX topic by design

test('every producer the catalog lists may write its topic, and no other service may', () => {
  for (const topic of catalog.topics) {
    for (const service of catalog.services) {
      if (WIDE.has(service)) continue;
      const may = allows(rules, `odx-${service}`, 'topic', topic.name, 'write');
      assert.equal(may, topic.producers.includes(service), `${service} write ${topic.name}`);
    }
  }
});

test('every consumer reads its topics with its own groups, and not another service`s group', () => {
  for (const topic of catalog.topics) {
    for (const service of topic.consumers)
      assert.ok(allows(rules, `odx-${service}`, 'topic', topic.name, 'read'), `${service} reads ${topic.name}`);
  }
  assert.ok(allows(rules, 'odx-wms-bridge', 'group', 'wms-bridge', 'read'));
  assert.ok(allows(rules, 'odx-wms-bridge', 'group', 'wms-bridge-levels', 'read'), 'the service`s second group');
  assert.ok(allows(rules, 'odx-odoo-outbox-poller', 'group', 'odoo-writeback', 'read'), 'the poller`s group is odoo-writeback');
  assert.equal(allows(rules, 'odx-wms-bridge', 'group', 'tms-bridge', 'read'), false);
  assert.equal(allows(rules, 'odx-tms-bridge', 'topic', 'odx.payments.v1', 'read'), false, 'tms-bridge does not consume payments');
});

test('a consumer owns the retry and DLQ topics of its groups and only reads those of others', () => {
  const own = [retryTopicName('odx.orders.v1', 'wms-bridge', 1), dlqTopicName('odx.orders.v1', 'wms-bridge')];
  for (const name of own)
    for (const op of ['create', 'write', 'read'] as const) assert.ok(allows(rules, 'odx-wms-bridge', 'topic', name, op), `${op} ${name}`);
  const theirs = dlqTopicName('odx.orders.v1', 'tms-bridge');
  assert.ok(allows(rules, 'odx-wms-bridge', 'topic', theirs, 'read'));
  assert.equal(allows(rules, 'odx-wms-bridge', 'topic', theirs, 'write'), false);
  assert.equal(allows(rules, 'odx-wms-bridge', 'topic', theirs, 'create'), false);
  // The orchestrator's groups carry suffixes; its retry topics still fall under its prefix.
  const intakeRetry = retryTopicName('odx.shipments.v1', 'order-orchestrator-intake', 2);
  assert.ok(allows(rules, 'odx-order-orchestrator', 'topic', intakeRetry, 'create'));
});

test('every service may describe every ODX topic and nothing outside them', () => {
  for (const service of catalog.services) {
    assert.ok(allows(rules, `odx-${service}`, 'topic', 'odx.returns.v1', 'describe'), service);
    assert.equal(allows(rules, `odx-${service}`, 'topic', '__consumer_offsets', 'describe'), false, service);
    assert.equal(allows(rules, `odx-${service}`, 'topic', 'payroll.v1', 'read'), false, service);
  }
});

test('a topic prefix scopes every rule to that system`s topics, and group ids can be overridden', () => {
  const prefixed = catalogAcls(catalog, { topicPrefix: 'test.sys-1.', groups: { 'wms-bridge': 'sys-1-wms-bridge' } });
  for (const r of prefixed.filter((x) => x.resource === 'topic')) assert.ok(r.name.startsWith('test.sys-1.odx.'), r.name);
  assert.ok(allows(prefixed, 'odx-wms-bridge', 'topic', 'test.sys-1.odx.shipments.v1', 'write'));
  assert.equal(allows(prefixed, 'odx-wms-bridge', 'topic', 'odx.shipments.v1', 'write'), false, 'the unprefixed topic is not theirs');
  assert.ok(allows(prefixed, 'odx-wms-bridge', 'group', 'sys-1-wms-bridge-levels', 'read'));
  assert.equal(allows(prefixed, 'odx-wms-bridge', 'group', 'wms-bridge', 'read'), false);
  assert.ok(allows(prefixed, 'odx-wms-bridge', 'topic', dlqTopicName('test.sys-1.odx.orders.v1', 'sys-1-wms-bridge'), 'create'));
});

test('the plan holds one rule per principal and resource, with principals named odx-<service>', () => {
  const keys = rules.map((r) => `${r.principal} ${r.resource} ${r.pattern} ${r.name}`);
  assert.equal(new Set(keys).size, keys.length);
  for (const r of rules) {
    assert.match(r.principal, /^odx-[a-z-]+$/);
    assert.ok(r.operations.length > 0 && r.reason.length > 0, JSON.stringify(r));
  }
  const named = catalogAcls(catalog, { principalOf: (s) => `svc.${s}` });
  assert.ok(named.every((r) => r.principal.startsWith('svc.')));
});
