import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { PoisonMessageError, PermanentError, TransientError } from '../../src/resilience/index.js';
import { EventSerde, type AvroRecordSchema, type SchemaSource } from '../../src/serde/index.js';
import { createTestKit, eventually, uniqueName } from '../support/test-kit.js';

/** A private record per test run, so evolution tests never touch canonical subjects. */
function testSchemas(namespace: string, withNewField: boolean): SchemaSource {
  const fields: unknown[] = [
    { name: 'id', type: 'string' },
    { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 4 } },
    { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ];
  if (withNewField) fields.push({ name: 'note', type: ['null', 'string'], default: null });
  const schema: AvroRecordSchema = { type: 'record', name: 'Probe', namespace, fields };
  return {
    schemaFor: (t) => {
      if (t !== 'Probe') throw new Error(`unknown event type ${t}`);
      return schema;
    },
    fullNameOf: (t) => {
      if (t !== 'Probe') throw new Error(`unknown event type ${t}`);
      return `${namespace}.Probe`;
    },
  };
}

test('Avro round trip through Apicurio, Confluent wire format on the topic', async (t) => {
  const kit = await createTestKit(t);
  const topic = await kit.topic(1);
  const eventId = randomUUID();
  const payload = {
    meta: {
      eventId,
      occurredAt: new Date('2026-11-26T10:00:00.123Z'),
      source: 'odoo',
      correlationId: 'SO042',
      causationId: null,
      company: 'acme',
    },
  };
  // Use the private schema source for payload shape independence, canonical name strategy all the same.
  const ns = `test.odx.${uniqueName('serde').replace(/-/g, '_')}`;
  const serde = new EventSerde({ registryUrl: kit.registryUrl, schemas: testSchemas(ns, false) });
  const { value, schemaId } = await serde.encode(topic, 'Probe', { id: 'A', amount: '12.3400', at: payload.meta.occurredAt });
  assert.equal(value.readUInt8(0), 0, 'magic byte');
  assert.equal(value.readInt32BE(1), schemaId, '4-byte schema id');

  // The registry knows the subject by TopicRecordNameStrategy, with that id.
  const subject = `${topic}-${ns}.Probe`;
  const latest = (await (await fetch(`${kit.registryUrl}/subjects/${encodeURIComponent(subject)}/versions/latest`)).json()) as {
    id: number;
  };
  assert.equal(latest.id, schemaId);

  // Through Kafka and back: bytes unchanged, values exact.
  const producer = kit.kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: [{ key: 'A', value }] });
  await producer.disconnect();
  const consumer = kit.kafka.consumer({ groupId: uniqueName('g') });
  t.after(() => consumer.disconnect());
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let received: Buffer | undefined;
  await consumer.run({
    eachMessage: async ({ message }) => {
      received = message.value ?? undefined;
    },
  });
  const bytes = await eventually(async () => received, 20_000, 'the message');
  assert.deepEqual(bytes, value);
  const decoded = await serde.decode<{ id: string; amount: string; at: Date }>(bytes);
  assert.equal(decoded.fullName, `${ns}.Probe`);
  assert.equal(decoded.eventType, 'Probe');
  assert.deepEqual({ ...decoded.payload }, { id: 'A', amount: '12.3400', at: new Date('2026-11-26T10:00:00.123Z') });
});

test('schema evolution: v1 reads v2 (new optional field) and v2 reads v1', async (t) => {
  const kit = await createTestKit(t);
  const topic = uniqueName('test.odx.evolution');
  const ns = `test.odx.${uniqueName('evo').replace(/-/g, '_')}`;
  const v1 = new EventSerde({ registryUrl: kit.registryUrl, schemas: testSchemas(ns, false) });
  const v2 = new EventSerde({ registryUrl: kit.registryUrl, schemas: testSchemas(ns, true) });
  const at = new Date('2026-01-02T03:04:05.006Z');

  const fromV1 = await v1.encode(topic, 'Probe', { id: 'old', amount: '1.0000', at });
  const fromV2 = await v2.encode(topic, 'Probe', { id: 'new', amount: '-2.5000', at, note: 'gift wrap' });
  assert.notEqual(fromV1.schemaId, fromV2.schemaId, 'v2 registered as a new version under the same subject');

  // A consumer built on v1 sees v2 events without the field it does not know.
  assert.deepEqual({ ...(await v1.decode<object>(fromV2.value)).payload }, { id: 'new', amount: '-2.5000', at });
  // A consumer built on v2 reads old events with the field's default.
  assert.deepEqual({ ...(await v2.decode<object>(fromV1.value)).payload }, { id: 'old', amount: '1.0000', at, note: null });

  // BACKWARD is enforced: a v3 that adds a required field is refused by the registry.
  const v3: SchemaSource = {
    schemaFor: () => ({
      type: 'record',
      name: 'Probe',
      namespace: ns,
      fields: [
        { name: 'id', type: 'string' },
        { name: 'mandatory', type: 'string' },
      ],
    }),
    fullNameOf: () => `${ns}.Probe`,
  };
  const refused = new EventSerde({ registryUrl: kit.registryUrl, schemas: v3 });
  await assert.rejects(refused.encode(topic, 'Probe', { id: 'x', mandatory: 'y' }), (err: unknown) => {
    assert.ok(err instanceof PermanentError);
    assert.equal(err.errorClass, 'serde.schema-rejected');
    return true;
  });
});

test('bad input: invalid payloads name the field; garbage and unknown ids are poison', async (t) => {
  const kit = await createTestKit(t);
  const ns = `test.odx.${uniqueName('bad').replace(/-/g, '_')}`;
  const serde = new EventSerde({ registryUrl: kit.registryUrl, schemas: testSchemas(ns, false) });
  const topic = uniqueName('test.odx.bad');
  await assert.rejects(serde.encode(topic, 'Probe', { id: 7, amount: '1.0000', at: new Date() }), (err: unknown) => {
    assert.ok(err instanceof PermanentError);
    assert.match(err.message, /invalid fields: id/);
    return true;
  });
  await assert.rejects(serde.encode(topic, 'Probe', { id: 'x', amount: '1e5', at: new Date() }), PermanentError);

  const poison = async (value: Buffer | null, errorClass: string): Promise<void> => {
    await assert.rejects(serde.decode(value), (err: unknown) => {
      assert.ok(err instanceof PoisonMessageError, `expected poison for ${errorClass}`);
      assert.equal(err.errorClass, errorClass);
      return true;
    });
  };
  await poison(null, 'serde.not-confluent-wire');
  await poison(Buffer.from('{"json": true}'), 'serde.not-confluent-wire');
  await poison(Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]), 'serde.unknown-schema');
  const good = await serde.encode(topic, 'Probe', { id: 'x', amount: '1.0000', at: new Date() });
  const truncated = good.value.subarray(0, 7);
  await poison(truncated, 'serde.undecodable');

  // A registry that cannot be reached makes nothing poison: the message is held, not dead-lettered.
  const offline = new EventSerde({ registryUrl: 'http://127.0.0.1:9/apis/ccompat/v7', schemas: testSchemas(ns, false) });
  await assert.rejects(offline.decode(Buffer.from([0, 0, 0, 0, 42, 1, 2])), (err: unknown) => {
    assert.ok(err instanceof TransientError);
    assert.equal(err.errorClass, 'serde.registry-unavailable');
    return true;
  });
});

test('a hostile array block count is poison at once, not millions of reads', async (t) => {
  const kit = await createTestKit(t);
  const ns = `test.odx.${uniqueName('blocks').replace(/-/g, '_')}`;
  const schema: AvroRecordSchema = {
    type: 'record',
    name: 'Lines',
    namespace: ns,
    fields: [{ name: 'qty', type: { type: 'array', items: 'long' } }],
  };
  const schemas: SchemaSource = { schemaFor: () => schema, fullNameOf: () => `${ns}.Lines` };
  const serde = new EventSerde({ registryUrl: kit.registryUrl, schemas });
  const good = await serde.encode(uniqueName('test.odx.blocks'), 'Lines', { qty: [1, 2, 3] });
  assert.deepEqual((await serde.decode<{ qty: number[] }>(good.value)).payload.qty, [1, 2, 3]);
  // The 5-byte frame, then a block count of 2^40 (zigzag varint) and nothing after it.
  const hostile = Buffer.concat([good.value.subarray(0, 5), Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40])]);
  const before = process.cpuUsage();
  await assert.rejects(serde.decode(hostile), (err: unknown) => {
    assert.ok(err instanceof PoisonMessageError);
    assert.equal(err.errorClass, 'serde.undecodable');
    assert.match(err.message, /array block of \d+ items in 0 bytes/);
    return true;
  });
  const used = process.cpuUsage(before);
  assert.ok((used.user + used.system) / 1000 < 200);
});
