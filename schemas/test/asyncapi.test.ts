import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { parse as parseYaml } from 'yaml';
import { asyncApiDocument } from '../src/asyncapi-file.js';
import { AVRO_SCHEMA_FORMAT, generateAsyncApi } from '../src/asyncapi.js';
import { ASYNCAPI_FILE, CATALOG_FILE, EVENT_TYPES, loadCatalog, parseCatalog, schemaRepository } from '../src/index.js';

const committed = readFileSync(ASYNCAPI_FILE, 'utf8');

function parser(): Parser {
  const p = new Parser();
  p.registerSchemaParser(AvroSchemaParser());
  return p;
}

async function errorsOf(text: string): Promise<string[]> {
  const { document, diagnostics } = await parser().parse(text);
  const errors = diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error)
    .map((d) => `${d.code} at ${d.path.join('/')}: ${d.message}`);
  if (!document && errors.length === 0) errors.push('the parser returned no document');
  return errors;
}

describe('AsyncAPI document (schemas/asyncapi.yaml)', () => {
  it('is up to date with the catalog and the Avro schemas', () => {
    assert.ok(committed === asyncApiDocument(), 'schemas/asyncapi.yaml is out of date: run npm run asyncapi:gen and commit it');
  });

  it('parses with @asyncapi/parser (Avro payloads included) without errors', async () => {
    const { document, diagnostics } = await parser().parse(committed);
    const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
    assert.deepEqual(
      errors.map((d) => `${d.code} at ${d.path.join('/')}: ${d.message}`),
      [],
    );
    assert.ok(document);
    assert.equal(document.version(), '3.0.0');
    const catalog = loadCatalog();
    assert.deepEqual(
      document
        .channels()
        .all()
        .map((c) => c.address())
        .sort(),
      catalog.topics.map((t) => t.name).sort(),
    );
    for (const topic of catalog.topics) {
      const channel = document.channels().get(topic.name);
      assert.ok(channel, topic.name);
      assert.deepEqual(
        channel
          .messages()
          .all()
          .map((m) => m.id())
          .sort(),
        [...topic.eventTypes].sort(),
        topic.name,
      );
      const kafka = channel.bindings().get('kafka')?.value() as { partitions?: number; replicas?: number } | undefined;
      assert.equal(kafka?.partitions, topic.partitions, topic.name);
      assert.equal(kafka?.replicas, topic.replicationFactor, topic.name);
      assert.equal(channel.extensions().get('x-odx-owner')?.value(), topic.owner, topic.name);
    }
    const messages = document.components().messages().all();
    assert.deepEqual(messages.map((m) => m.id()).sort(), [...EVENT_TYPES].sort());
    for (const m of messages) {
      assert.equal(m.schemaFormat(), AVRO_SCHEMA_FORMAT, m.id());
      assert.equal(m.payload()?.type(), 'object', `${m.id()}: the Avro record became an object schema`);
      assert.ok(m.payload()?.properties()?.['meta'], `${m.id()} has meta`);
      assert.ok(m.headers(), `${m.id()} has CloudEvents headers`);
    }
  });

  it('keeps the message keys and CloudEvents headers the runtime sets', () => {
    const doc = parseYaml(committed) as {
      components: {
        messages: Record<string, { bindings: { kafka: { key: { type: string } } }; 'x-odx-key-path': string; headers: unknown }>;
      };
    };
    const confirmed = doc.components.messages['OrderConfirmed'];
    assert.equal(confirmed?.['x-odx-key-path'], 'order.orderId');
    assert.equal(confirmed?.bindings.kafka.key.type, 'string');
    assert.match(JSON.stringify(confirmed?.headers), /"ce_type":\{"type":"string","const":"com.odx.events.OrderConfirmed"\}/);
    for (const header of [
      'ce_specversion',
      'ce_id',
      'ce_source',
      'ce_time',
      'ce_subject',
      'ce_correlationid',
      'ce_causationid',
      'ce_company',
      'traceparent',
    ]) {
      assert.match(committed, new RegExp(`\\n {8}${header}:`), header);
    }
  });

  it('carries a deprecated topic and its sunset, and still parses', async () => {
    const text = readFileSync(CATALOG_FILE, 'utf8')
      .replace('      OrderCancelled: orderId\n', '')
      .replace(
        '    owner: odoo-outbox-poller\n    producers: [odoo-outbox-poller, edi-gateway, api-gateway, wms-bridge]',
        "    deprecated:\n      since: '2026-01-15'\n      replacedBy: odx.orders.v2\n    sunset: '2026-06-30'\n    owner: odoo-outbox-poller\n    producers: [odoo-outbox-poller, edi-gateway, api-gateway, wms-bridge]",
      )
      .replace(
        'topics:\n',
        'topics:\n  - name: odx.orders.v2\n    description: Successor (test).\n    key: orderId\n    retention: 30d\n    owner: odoo-outbox-poller\n    events:\n      OrderCancelled: orderId\n',
      );
    const generated = generateAsyncApi(parseCatalog(text, schemaRepository()), schemaRepository(), { version: '9.9.9' });
    const doc = parseYaml(generated) as { channels: Record<string, Record<string, unknown>> };
    const v1 = doc.channels['odx.orders.v1'];
    assert.deepEqual(v1?.['x-odx-deprecated'], { since: '2026-01-15', replacedBy: 'odx.orders.v2' });
    assert.equal(v1?.['x-odx-sunset'], '2026-06-30');
    assert.match(String(v1?.['description']), /^\*\*Deprecated\*\* since 2026-01-15: use odx.orders.v2; no new events after 2026-06-30\./);
    assert.deepEqual(v1?.['tags'], [{ name: 'owner:odoo-outbox-poller' }, { name: 'deprecated' }]);
    assert.equal(doc.channels['odx.orders.v2']?.['x-odx-deprecated'], undefined);
    assert.deepEqual(await errorsOf(generated), []);
  });

  it('the parser check catches a broken document (the test can fail)', async () => {
    const broken = committed.replace(
      '        bindingVersion: 0.5.0\n    x-odx-owner: odoo-outbox-poller',
      '        bindingVersion: 0.5.0\n        partitions: many\n    x-odx-owner: odoo-outbox-poller',
    );
    assert.notEqual(broken, committed);
    assert.notDeepEqual(await errorsOf(broken), []);
    assert.notDeepEqual(await errorsOf(committed.replace('asyncapi: 3.0.0', 'asyncapi: 3.0.0\nchannels: 12')), []);
  });
});
