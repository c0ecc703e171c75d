import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  CATALOG_FILE,
  CatalogError,
  EVENT_TYPES,
  kafkaTopicSpecs,
  loadCatalog,
  messageKeyFor,
  parseCatalog,
  schemaRepository,
  topicByName,
  topicForEventType,
} from '../src/index.js';
import { sampleEvent } from './fixtures.js';

const catalogText = readFileSync(CATALOG_FILE, 'utf8');
const reparse = (text: string) => parseCatalog(text, schemaRepository());

describe('topic catalog', () => {
  const catalog = loadCatalog();

  it('lists the fourteen v1 topics', () => {
    assert.deepEqual(catalog.topics.map((t) => t.name).sort(), [
      'odx.cases.v1',
      'odx.customers.v1',
      'odx.edi.documents.v1',
      'odx.inventory.v1',
      'odx.invoices.v1',
      'odx.orchestrator.inbox.v1',
      'odx.orders.v1',
      'odx.payments.v1',
      'odx.prices.v1',
      'odx.process.v1',
      'odx.products.v1',
      'odx.purchasing.v1',
      'odx.returns.v1',
      'odx.shipments.v1',
    ]);
  });

  it('maps every event type to exactly one topic, and every listed type exists', () => {
    for (const eventType of EVENT_TYPES) {
      const owners = catalog.topics.filter((t) => t.eventTypes.includes(eventType));
      assert.equal(owners.length, 1, eventType);
      assert.equal(topicForEventType(eventType), owners[0]);
    }
    for (const t of catalog.topics) for (const e of t.eventTypes) assert.ok((EVENT_TYPES as readonly string[]).includes(e), e);
  });

  it('compacts master data and derives Kafka configs', () => {
    for (const name of ['odx.products.v1', 'odx.customers.v1', 'odx.prices.v1']) {
      const t = topicByName(name);
      assert.equal(t.cleanupPolicy, 'compact');
      assert.deepEqual(t.config, { 'cleanup.policy': 'compact' });
    }
    const orders = topicByName('odx.orders.v1');
    assert.equal(orders.retentionMs, 30 * 86_400_000);
    assert.deepEqual(orders.config, { 'cleanup.policy': 'delete', 'retention.ms': String(30 * 86_400_000) });
    assert.ok(orders.producers.includes(orders.owner));
    const total = catalog.topics.reduce((n, t) => n + t.partitions, 0);
    assert.ok(total <= 60, `total partitions ${total}`);
  });

  it('builds createTopics specs capped to the cluster size', () => {
    const specs = kafkaTopicSpecs({ maxReplicationFactor: 1 });
    assert.equal(specs.length, catalog.topics.length);
    assert.ok(specs.every((s) => s.replicationFactor === 1));
    assert.ok(kafkaTopicSpecs().every((s) => s.replicationFactor === catalog.defaults.replicationFactor));
  });

  it('derives message keys from the catalog key paths', () => {
    assert.equal(messageKeyFor('OrderConfirmed', sampleEvent('OrderConfirmed')), '42');
    assert.equal(messageKeyFor('OrderCancelled', sampleEvent('OrderCancelled')), '42');
    assert.equal(messageKeyFor('ShipmentDispatched', sampleEvent('ShipmentDispatched')), '1310');
    assert.equal(messageKeyFor('InventoryAdjusted', sampleEvent('InventoryAdjusted')), 'BOLT-M8-50');
    assert.equal(messageKeyFor('EdiDocumentSent', sampleEvent('EdiDocumentSent')), 'northwind');
    for (const e of EVENT_TYPES) assert.equal(typeof messageKeyFor(e, sampleEvent(e)), 'string');
  });

  it('throws clearly for unknown names', () => {
    assert.throws(() => topicForEventType('OrderShipped'), /unknown event type "OrderShipped"/);
    assert.throws(() => topicByName('odx.nope.v1'), /unknown topic "odx.nope.v1"/);
  });

  describe('validation names the topic and the field', () => {
    const expectError = (text: string, topic: string | undefined, field: string, detail: RegExp): void => {
      assert.throws(
        () => reparse(text),
        (err: unknown) => err instanceof CatalogError && err.topic === topic && err.field === field && detail.test(err.message),
      );
    };
    it('bad partitions', () => {
      expectError(
        catalogText.replace('key: orderId\n    partitions: 6', 'key: orderId\n    partitions: six'),
        'odx.orders.v1',
        'partitions',
        /expected a positive integer, got "six"/,
      );
    });
    it('event type on two topics', () => {
      expectError(
        catalogText.replace(
          'PaymentReceived: payment.paymentId',
          'PaymentReceived: payment.paymentId\n      InvoicePosted: invoice.invoiceId',
        ),
        'odx.payments.v1',
        'events.InvoicePosted',
        /already belongs to topic "odx.invoices.v1"/,
      );
    });
    it('event type without schema', () => {
      expectError(
        catalogText.replace('OrderCancelled: orderId', 'OrderCancelled: orderId\n      OrderShipped: orderId'),
        'odx.orders.v1',
        'events.OrderShipped',
        /no schema schemas\/avro\/events\/OrderShipped.avsc/,
      );
    });
    it('event type without topic', () => {
      expectError(
        catalogText
          .replace('      PaymentReceived: payment.paymentId\n', '      InvoicePosted: invoice.invoiceId\n')
          .replace(/ {2}- name: odx.invoices.v1[\s\S]*?InvoicePosted: invoice.invoiceId\n/, ''),
        undefined,
        'topics',
        /event types without a topic: PaymentReceived/,
      );
    });
    it('key path that is not a string field', () => {
      expectError(
        catalogText.replace('OrderConfirmed: order.orderId', 'OrderConfirmed: order.lines'),
        'odx.orders.v1',
        'events.OrderConfirmed',
        /must end at a non-null string field/,
      );
      expectError(
        catalogText.replace('OrderConfirmed: order.orderId', 'OrderConfirmed: order.poNumber'),
        'odx.orders.v1',
        'events.OrderConfirmed',
        /no field "poNumber" in Order/,
      );
      expectError(
        catalogText.replace('OrderConfirmed: order.orderId', 'OrderConfirmed: order.name'),
        'odx.orders.v1',
        'events.OrderConfirmed',
        /non-null string/,
      );
    });
    it('unknown service, bad policy, retention on compact, missing retention', () => {
      expectError(
        catalogText.replace(
          'consumers: [analytics-sink, order-orchestrator, webhook-dispatcher]\n    events:\n      PaymentReceived',
          'consumers: [billing]\n    events:\n      PaymentReceived',
        ),
        'odx.payments.v1',
        'consumers',
        /unknown service "billing"/,
      );
      expectError(
        catalogText.replace(
          'cleanupPolicy: compact\n    owner: odoo-outbox-poller\n    producers: [odoo-outbox-poller]\n    consumers: [analytics-sink, webhook-dispatcher]\n    events:\n      PriceChanged',
          'cleanupPolicy: compacted\n    owner: odoo-outbox-poller\n    producers: [odoo-outbox-poller]\n    consumers: [analytics-sink, webhook-dispatcher]\n    events:\n      PriceChanged',
        ),
        'odx.prices.v1',
        'cleanupPolicy',
        /expected one of delete \| compact \| compact,delete/,
      );
      expectError(
        catalogText.replace(
          'key: priceId\n    partitions: 3\n    cleanupPolicy: compact',
          'key: priceId\n    partitions: 3\n    cleanupPolicy: compact\n    retention: 7d',
        ),
        'odx.prices.v1',
        'retention',
        /compact,delete/,
      );
      expectError(catalogText.replace('    retention: 7d\n', ''), 'odx.inventory.v1', 'retention', /required for cleanupPolicy "delete"/);
      expectError(
        catalogText.replace('retention: 7d\n', 'retention: 1 week\n'),
        'odx.inventory.v1',
        'retention',
        /expected a duration like 7d/,
      );
    });
    it('the current file parses', () => {
      assert.equal(reparse(catalogText).topics.length, 14);
    });
  });

  describe('deprecation and sunset', () => {
    // odx.orders.v2 takes OrderCancelled, so the successor exists with one event type of its own.
    const V2 = `  - name: odx.orders.v2
    description: Successor of odx.orders.v1 (test).
    key: orderId
    retention: 30d
    owner: odoo-outbox-poller
    events:
      OrderCancelled: orderId
`;
    const withV2 = (v1Extra: string, v2Extra = ''): string =>
      catalogText
        .replace('      OrderCancelled: orderId\n', '')
        .replace(
          '    owner: odoo-outbox-poller\n    producers: [odoo-outbox-poller, edi-gateway, api-gateway, wms-bridge]',
          `${v1Extra}    owner: odoo-outbox-poller\n    producers: [odoo-outbox-poller, edi-gateway, api-gateway, wms-bridge]`,
        )
        .replace('topics:\n', `topics:\n${V2.replace('    owner:', `${v2Extra}    owner:`)}`);
    const expectError = (text: string, topic: string, field: string, detail: RegExp): void => {
      assert.throws(
        () => reparse(text),
        (err: unknown) => err instanceof CatalogError && err.topic === topic && err.field === field && detail.test(err.message),
      );
    };

    it('a deprecated topic carries its successor and sunset day', () => {
      const catalog = reparse(
        withV2(
          "    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v2\n      note: lines carry UoM\n    sunset: '2026-04-15'\n",
        ),
      );
      const v1 = catalog.topics.find((t) => t.name === 'odx.orders.v1');
      assert.deepEqual(v1?.deprecated, { since: '2026-01-15', replacedBy: 'odx.orders.v2', note: 'lines carry UoM' });
      assert.equal(v1?.sunset, '2026-04-15');
      assert.equal(catalog.topics.find((t) => t.name === 'odx.orders.v2')?.deprecated, undefined);
    });

    it('the current catalog has no deprecated topic fields unless set', () => {
      for (const t of loadCatalog().topics) assert.ok(!('deprecated' in t) || t.deprecated !== undefined, t.name);
    });

    it('refuses a sunset without deprecation, too short a notice, and impossible days', () => {
      expectError(withV2("    sunset: '2026-09-01'\n"), 'odx.orders.v1', 'sunset', /needs "deprecated"/);
      expectError(
        withV2("    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v2\n    sunset: '2026-03-01'\n"),
        'odx.orders.v1',
        'sunset',
        /2026-03-01 is 45 days after deprecated.since 2026-01-15; the policy gives consumers at least 90 days/,
      );
      expectError(
        withV2("    deprecated:\n      since: '2026-02-30'\n      replacedBy: odx.orders.v2\n"),
        'odx.orders.v1',
        'deprecated.since',
        /expected a day as YYYY-MM-DD/,
      );
      expectError(
        withV2('    deprecated:\n      since: 2026-01-15T00:00:00Z\n      replacedBy: odx.orders.v2\n'),
        'odx.orders.v1',
        'deprecated.since',
        /expected a day as YYYY-MM-DD/,
      );
      expectError(withV2('    deprecated: true\n'), 'odx.orders.v1', 'deprecated', /expected a mapping, got true/);
      expectError(
        withV2("    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v2\n      until: '2027-01-01'\n"),
        'odx.orders.v1',
        'deprecated.until',
        /unknown field; known: since, replacedBy, note/,
      );
    });

    it('refuses a successor that is missing, itself, deprecated or not a topic name', () => {
      expectError(
        withV2("    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v3\n"),
        'odx.orders.v1',
        'deprecated.replacedBy',
        /no topic "odx.orders.v3" in the catalog/,
      );
      expectError(
        withV2("    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v1\n"),
        'odx.orders.v1',
        'deprecated.replacedBy',
        /cannot replace itself/,
      );
      expectError(
        withV2(
          "    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v2\n",
          "    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v1\n",
        ),
        'odx.orders.v2',
        'deprecated.replacedBy',
        /"odx.orders.v1" is itself deprecated/,
      );
      expectError(
        withV2("    deprecated:\n      since: '2026-01-15'\n      replacedBy: [odx.orders.v2]\n"),
        'odx.orders.v1',
        'deprecated.replacedBy',
        /expected the successor's topic name/,
      );
    });
  });
});
