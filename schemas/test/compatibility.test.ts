import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkBackwardCompatibility,
  findBackwardIncompatibilities,
  SchemaRepository,
  type AvroField,
  type AvroRecordSchema,
} from '../src/index.js';

const money = { type: 'bytes', logicalType: 'decimal', precision: 18, scale: 4 } as const;
const ts = { type: 'long', logicalType: 'timestamp-millis' } as const;
const record = (...fields: AvroField[]): AvroRecordSchema => ({ type: 'record', name: 'Thing', namespace: 'com.odx.test', fields });
const v1 = record(
  { name: 'id', type: 'string' },
  { name: 'amount', type: { ...money } },
  { name: 'at', type: { ...ts } },
  { name: 'note', type: 'string' },
);

describe('BACKWARD compatibility (new reader, old data)', () => {
  it('the same schema is compatible', () => {
    assert.deepEqual(checkBackwardCompatibility(v1, v1), { compatible: true });
  });
  it('adding an optional field with a default is compatible', () => {
    const v2 = record(...v1.fields, { name: 'extra', type: ['null', 'string'], default: null });
    assert.deepEqual(checkBackwardCompatibility(v2, v1), { compatible: true });
  });
  it('adding a required field without a default is not', () => {
    const v2 = record(...v1.fields, { name: 'extra', type: 'string' });
    const result = checkBackwardCompatibility(v2, v1);
    assert.equal(result.compatible, false);
    assert.match(result.compatible ? '' : result.reason, /default-less com.odx.test.Thing.extra/);
  });
  it('removing a field is compatible (the reader ignores it)', () => {
    const v2 = record(...v1.fields.filter((f) => f.name !== 'note'));
    assert.deepEqual(checkBackwardCompatibility(v2, v1), { compatible: true });
  });
  it('changing a type incompatibly is not', () => {
    const v2 = record(...v1.fields.map((f) => (f.name === 'note' ? { name: 'note', type: 'int' } : f)));
    assert.equal(checkBackwardCompatibility(v2, v1).compatible, false);
  });
  it('promoting int to long is compatible', () => {
    const old = record({ name: 'n', type: 'int' });
    assert.equal(checkBackwardCompatibility(record({ name: 'n', type: 'long' }), old).compatible, true);
  });
  it('decimal: wider precision is compatible, a different scale is not', () => {
    const wider = record(...v1.fields.map((f) => (f.name === 'amount' ? { name: 'amount', type: { ...money, precision: 20 } } : f)));
    assert.equal(checkBackwardCompatibility(wider, v1).compatible, true);
    const rescaled = record(...v1.fields.map((f) => (f.name === 'amount' ? { name: 'amount', type: { ...money, scale: 2 } } : f)));
    assert.equal(checkBackwardCompatibility(rescaled, v1).compatible, false);
  });
  it('enum: a new writer symbol falls back to the reader default', () => {
    const e = (symbols: string[]) => record({ name: 's', type: { type: 'enum', name: 'S', symbols, default: 'UNKNOWN' } });
    assert.equal(checkBackwardCompatibility(e(['UNKNOWN', 'A']), e(['UNKNOWN', 'A', 'B'])).compatible, true);
  });
});

describe('findBackwardIncompatibilities', () => {
  const meta = JSON.stringify({
    type: 'record',
    name: 'EventMeta',
    namespace: 'com.odx.common',
    fields: [{ name: 'eventId', type: 'string' }],
  });
  const event = (name: string, extra: object[] = []): string =>
    JSON.stringify({
      type: 'record',
      name,
      namespace: 'com.odx.events',
      fields: [{ name: 'meta', type: 'com.odx.common.EventMeta' }, { name: 'id', type: 'string' }, ...extra],
    });
  const repo = (events: Record<string, string>) =>
    SchemaRepository.fromSources([
      { path: 'common/EventMeta.avsc', text: meta },
      ...Object.entries(events).map(([n, text]) => ({ path: `events/${n}.avsc`, text })),
    ]);

  it('passes new event types and compatible changes', () => {
    const base = repo({ A: event('A') });
    const current = repo({ A: event('A', [{ name: 'x', type: ['null', 'string'], default: null }]), B: event('B') });
    assert.deepEqual(findBackwardIncompatibilities(base, current), []);
  });
  it('fails removed types, incompatible changes and topic moves, naming the event type', () => {
    const base = repo({ A: event('A'), B: event('B'), C: event('C') });
    const current = repo({ A: event('A', [{ name: 'x', type: 'string' }]), C: event('C') });
    const problems = findBackwardIncompatibilities(base, current, {
      base: new Map([['C', 'odx.c.v1']]),
      current: new Map([['C', 'odx.other.v1']]),
    });
    assert.deepEqual(
      problems.map((p) => p.eventType),
      ['A', 'B', 'C'],
    );
    assert.match(problems[0]?.problem ?? '', /not BACKWARD compatible.*default-less com.odx.events.A.x/);
    assert.match(problems[1]?.problem ?? '', /removed/);
    assert.match(problems[2]?.problem ?? '', /moved from topic odx.c.v1 to odx.other.v1/);
  });
});

describe('registerAll', () => {
  it('posts every event schema to its subject and surfaces the registry error', async () => {
    const { registerAll, RegistryError, EVENT_TYPES } = await import('../src/index.js');
    const seen: Array<{ url: string; body: { schemaType: string; schema: string } }> = [];
    const ok = (async (url: string | URL | Request, init?: RequestInit) => {
      seen.push({ url: String(url), body: JSON.parse(String(init?.body)) as { schemaType: string; schema: string } });
      return new Response(JSON.stringify({ id: seen.length }), { status: 200 });
    }) as typeof fetch;
    const results = await registerAll('http://registry.test/apis/ccompat/v7/', { fetch: ok });
    assert.equal(results.length, EVENT_TYPES.length);
    assert.equal(seen[0]?.url, 'http://registry.test/apis/ccompat/v7/subjects/odx.orders.v1-com.odx.events.OrderReceived/versions');
    assert.equal(seen[0]?.body.schemaType, 'AVRO');
    assert.equal((JSON.parse(seen[0]?.body.schema ?? '{}') as { name?: string }).name, 'OrderReceived');

    const conflict = (async () =>
      new Response(JSON.stringify({ error_code: 409, message: 'Schema being registered is incompatible with an earlier schema' }), {
        status: 409,
      })) as typeof fetch;
    await assert.rejects(
      registerAll('http://registry.test', { fetch: conflict }),
      (err: unknown) =>
        err instanceof RegistryError &&
        err.status === 409 &&
        /odx.orders.v1-com.odx.events.OrderReceived: HTTP 409 \(error 409\): Schema being registered is incompatible/.test(err.message),
    );
  });
});
