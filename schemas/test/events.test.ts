import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import avsc from 'avsc';
import {
  EVENT_TYPES,
  EVENT_META_FULL_NAME,
  eventTypeFromFullName,
  fullName,
  loadEventSchema,
  parseEventType,
  subjectFor,
  type AvroSchema,
} from '../src/index.js';
import { sampleEvent } from './fixtures.js';

/** avsc decodes records into class instances; compare as plain data. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date || Buffer.isBuffer(value) || typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
}

function namedTypes(schema: AvroSchema, out: string[] = []): string[] {
  if (Array.isArray(schema)) schema.forEach((s) => namedTypes(s, out));
  else if (typeof schema === 'object') {
    if (schema.type === 'record' || schema.type === 'enum' || schema.type === 'fixed') {
      out.push(`${schema.namespace}.${schema.name}`);
      if (schema.type === 'record') schema.fields.forEach((f) => namedTypes(f.type, out));
    } else if (schema.type === 'array') namedTypes(schema.items, out);
    else if (schema.type === 'map') namedTypes(schema.values, out);
  }
  return out;
}

describe('event schemas', () => {
  it('covers the 39 event types of the architecture, the order orchestrator, procure-to-pay and returns', () => {
    assert.equal(EVENT_TYPES.length, 39);
  });

  for (const eventType of EVENT_TYPES) {
    describe(eventType, () => {
      it('is a self-contained record with meta first, parseable by plain avsc', () => {
        const schema = loadEventSchema(eventType);
        assert.equal(`${schema.namespace}.${schema.name}`, fullName(eventType));
        const meta = schema.fields[0];
        assert.equal(meta?.name, 'meta');
        assert.equal(
          typeof meta?.type === 'object' && !Array.isArray(meta.type) && 'name' in meta.type && `${meta.type.namespace}.${meta.type.name}`,
          EVENT_META_FULL_NAME,
        );
        // Plain avsc, no registry of other files: proves every named type is inlined.
        const type = avsc.Type.forSchema(JSON.parse(JSON.stringify(schema)) as avsc.Schema);
        assert.equal(type.name, fullName(eventType));
        const names = namedTypes(schema);
        assert.equal(new Set(names).size, names.length, 'each named type is defined once');
      });

      it('round-trips a realistic sample exactly', () => {
        const type = parseEventType(eventType);
        const sample = sampleEvent(eventType);
        const paths: string[] = [];
        const valid = type.isValid(sample, { errorHook: (path) => paths.push(path.join('.')) });
        assert.ok(valid, `invalid at ${paths.join(', ')}`);
        const decoded = type.fromBuffer(type.toBuffer(sample)) as unknown;
        assert.deepEqual(plain(decoded), plain(sample));
      });

      it('has a TopicRecordNameStrategy subject', () => {
        assert.equal(subjectFor('odx.x.v1', eventType), `odx.x.v1-com.odx.events.${eventType}`);
        assert.equal(eventTypeFromFullName(fullName(eventType)), eventType);
      });
    });
  }

  it('caches schemas and types', () => {
    assert.equal(loadEventSchema('OrderConfirmed'), loadEventSchema('OrderConfirmed'));
    assert.equal(parseEventType('OrderConfirmed'), parseEventType('OrderConfirmed'));
    assert.ok(Object.isFrozen(loadEventSchema('OrderConfirmed')));
  });

  it('rejects unknown event types clearly', () => {
    assert.throws(() => loadEventSchema('OrderShipped'), /unknown event type "OrderShipped"; known: .*OrderConfirmed/);
    assert.throws(() => fullName('Nope'), /unknown event type "Nope"/);
  });

  it('keeps money exact through encode/decode', () => {
    const type = parseEventType('OrderConfirmed');
    const sample = sampleEvent('OrderConfirmed');
    const decoded = type.fromBuffer(type.toBuffer(sample)) as typeof sample;
    assert.equal(decoded.order.lines[1]?.unitPrice, '0.000125');
    assert.equal(decoded.order.amountTotal, '507.9079');
    assert.ok(decoded.order.orderDate instanceof Date);
  });

  it('names the bad value when a decimal is malformed', () => {
    const type = parseEventType('OrderConfirmed');
    const sample = sampleEvent('OrderConfirmed');
    sample.order.amountTotal = '507.90791';
    assert.throws(() => type.toBuffer(sample), /decimal\(18,4\): "507.90791" has 5 digits after the point/);
  });
});
