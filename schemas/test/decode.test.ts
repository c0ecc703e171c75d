import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createEventDecoder, DecodeError, loadEventSchema, parseEventType, RegistryError, type DecodeFailure } from '../src/index.js';
import { sampleEvent } from './fixtures.js';

/** A Confluent-framed message: magic byte, schema id, body. */
function frame(schemaId: number, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeInt32BE(schemaId, 1);
  return Buffer.concat([head, body]);
}

const confirmed = sampleEvent('OrderConfirmed');
const confirmedBody = parseEventType('OrderConfirmed').toBuffer(confirmed);
const schemas = new Map<number, string | object>([
  [7, JSON.stringify(loadEventSchema('OrderConfirmed'))],
  [8, loadEventSchema('OrderCancelled')],
  [9, { type: 'record', name: 'Foreign', namespace: 'com.acme', fields: [{ name: 'n', type: { type: 'array', items: 'long' } }] }],
  [10, '{"type": "record", "name": '],
  [11, { type: 'record', name: 'OrderConfirmed', namespace: 'com.odx.events', fields: [{ name: 'meta', type: 'int' }] }],
]);
const decoder = createEventDecoder({
  schemaLookup: (id) => {
    const found = schemas.get(id);
    if (!found) throw new RegistryError(`schema ${id} not found`, { kind: 'not-found', status: 404 });
    return found;
  },
});

async function rejects(value: Uint8Array | null, reason: DecodeFailure, detail: RegExp, d = decoder): Promise<void> {
  await assert.rejects(d.decode(value), (err: unknown) => {
    assert.ok(err instanceof DecodeError, String(err));
    assert.equal(err.reason, reason, err.message);
    assert.match(err.message, detail);
    return true;
  });
}

describe('createEventDecoder().decode', () => {
  it('decodes a Confluent-framed event into its typed payload', async () => {
    const event = await decoder.decode(frame(7, confirmedBody));
    assert.equal(event.eventType, 'OrderConfirmed');
    assert.equal(event.schemaId, 7);
    assert.equal(event.fullName, 'com.odx.events.OrderConfirmed');
    if (event.eventType !== 'OrderConfirmed') return;
    // Narrowed without a cast: the payload is an OrderConfirmed.
    assert.equal(event.payload.order.orderId, confirmed.order.orderId);
    assert.equal(event.payload.order.amountTotal, confirmed.order.amountTotal);
    assert.deepEqual(parseEventType('OrderConfirmed').toBuffer(event.payload), confirmedBody, 'every field survives the round trip');
    // A Uint8Array view (not a Buffer) at an offset decodes too.
    const bytes = new Uint8Array(frame(7, confirmedBody).length + 3);
    bytes.set(frame(7, confirmedBody), 3);
    assert.equal((await decoder.decode(bytes.subarray(3))).eventType, 'OrderConfirmed');
  });

  it('refuses values that are not Confluent-framed', async () => {
    await rejects(null, 'not-confluent-wire', /empty/);
    await rejects(Buffer.from([0, 0, 0]), 'not-confluent-wire', /3 bytes, too short/);
    await rejects(Buffer.from('{"orderId":"42"}'), 'not-confluent-wire', /magic byte 0 \(got 123\)/);
  });

  it('names unknown schema ids, foreign records, broken schemas and unreadable writers', async () => {
    await rejects(frame(404, confirmedBody), 'unknown-schema', /unknown schema id 404/);
    await rejects(frame(9, Buffer.from([0])), 'unknown-event-type', /com.acme.Foreign, not an event type/);
    await rejects(frame(10, confirmedBody), 'undecodable', /schema id 10 is not a valid Avro schema/);
    await rejects(frame(11, Buffer.from([2])), 'undecodable', /cannot be read as this package's OrderConfirmed/);
  });

  it('refuses truncated, trailing and hostile bodies quickly', async () => {
    await rejects(frame(7, confirmedBody.subarray(0, confirmedBody.length - 4)), 'undecodable', /OrderConfirmed/);
    await rejects(frame(7, Buffer.concat([confirmedBody, Buffer.from([1, 2, 3])])), 'undecodable', /OrderConfirmed/);
    // OrderCancelled with a meta whose first string claims 2^40 bytes.
    await rejects(frame(8, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x40])), 'undecodable', /bytes, \d+ left/);
    // An array block claiming 2^50 items in 8 bytes is refused without looping (avsc alone would).
    const huge = Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    const foreignAsEvent = createEventDecoder({
      schemaLookup: () => ({
        type: 'record',
        name: 'OrderCancelled',
        namespace: 'com.odx.events',
        fields: [{ name: 'n', type: { type: 'array', items: 'long' } }],
      }),
    });
    const started = Date.now();
    await assert.rejects(foreignAsEvent.decode(frame(1, huge)), DecodeError);
    assert.ok(Date.now() - started < 1_000, `took ${Date.now() - started} ms`);
  });

  it('a registry outage is transient and asked again next time', async () => {
    let calls = 0;
    const flaky = createEventDecoder({
      schemaLookup: () => {
        calls += 1;
        if (calls === 1) throw new RegistryError('connect ECONNREFUSED', { kind: 'unavailable', status: 0 });
        return loadEventSchema('OrderConfirmed');
      },
    });
    await assert.rejects(
      flaky.decode(frame(7, confirmedBody)),
      (err: unknown) => err instanceof DecodeError && err.transient && err.reason === 'registry-unavailable',
    );
    assert.equal((await flaky.decode(frame(7, confirmedBody))).eventType, 'OrderConfirmed');
    await flaky.decode(frame(7, confirmedBody));
    assert.equal(calls, 2, 'the schema is looked up once after it was found');
  });
});
