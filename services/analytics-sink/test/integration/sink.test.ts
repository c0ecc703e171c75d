import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { ensureTopics } from '@odx/runtime';
import { testAuthHeader } from '@odx/runtime/testing';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import type { Kpis } from '../../src/sink-queries.js';
import type { MemoryReadModel } from '../../src/read/read-model.js';
import type { OrderTimeline } from '../../src/analytics/timeline.js';
import { buildScenario, EXPECTED } from '../support/scenario.js';
import { countIndexed, createWorld, eventually, getJson, openRuntime, publish, spawnSink, startSink } from '../support/sink-kit.js';

test('KPIs of a known scenario, published through the real producer, equal the expected values; poison goes to the DLQ; nothing doubles', async (t) => {
  const world = await createWorld(t);
  const s = buildScenario();
  const { rt, url, sink } = await startSink(world);
  // Every event once, then a third of them again (a producer retry or a replay): the index must not double.
  await publish(rt, world, s.events);
  await publish(
    rt,
    world,
    s.events.filter((_, i) => i % 3 === 0),
  );
  // Poison: not Avro; an unknown schema id; an Avro event without any headers (indexed from its meta).
  const headerless = sampleEvent('OrderConfirmed', {
    meta: sampleMeta({ eventId: randomUUID(), occurredAt: new Date(s.t0.getTime() + 2 * 3_600_000) }),
  });
  headerless.order = { ...headerless.order, orderId: `H-${world.id}`, name: `H-${world.id}`, clientOrderRef: null };
  const encoded = await rt.serde.encode(world.topics.orders, 'OrderConfirmed', headerless);
  await rt.producer.publishRaw([
    { topic: world.topics.orders, key: s.ids.A, value: Buffer.from('{"not":"avro"}'), headers: { ce_id: 'poison-1' } },
    { topic: world.topics.orders, key: s.ids.A, value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3]), headers: {} },
    { topic: world.topics.orders, key: `H-${world.id}`, value: encoded.value, headers: {} },
  ]);

  // Another service's retry copy of order A's confirmation, as the runtime's ConsumerRunner writes it.
  const retryTopic = `${world.topics.orders}.other-svc.retry.1`;
  await ensureTopics(rt.cluster, [{ name: retryTopic, partitions: 1, replicationFactor: 1, config: {} }]);
  const confirmedA = s.events.find((e) => e.eventType === 'OrderConfirmed' && e.key === s.ids.A)!;
  const encA = await rt.serde.encode(world.topics.orders, 'OrderConfirmed', confirmedA.payload);
  await rt.producer.publishRaw([
    {
      topic: retryTopic,
      key: s.ids.A,
      value: encA.value,
      headers: {
        ce_id: confirmedA.payload.meta.eventId,
        'odx.errors.class': 'http.503',
        'odx.errors.kind': 'transient',
        'odx.errors.attempt': '1',
        'odx.errors.original.topic': world.topics.orders,
        'odx.errors.original.partition': '0',
        'odx.errors.original.offset': '0',
        'odx.errors.last.failure.time': new Date(s.t0.getTime() + 3_600_000 + 500).toISOString(),
      },
    },
  ]);

  const total = s.events.length + 1;
  await eventually(
    async () => ((await sink.index.count({ entry: 'event' })) === total ? true : undefined),
    40_000,
    `${total} indexed events`,
  );
  await eventually(async () => ((await sink.index.count({ entry: 'dlq' })) === 2 ? true : undefined), 20_000, 'two DLQ entries indexed');
  await eventually(async () => ((await sink.index.count({ entry: 'retry' })) === 1 ? true : undefined), 20_000, 'the retry entry indexed');

  const q = new URLSearchParams({ from: s.window.from.toISOString(), to: s.window.to.toISOString() });
  const res = await getJson(`${url}/v1/kpis?${q}`);
  assert.equal(res.status, 200);
  const k = res.body as Kpis;
  // The headerless order H was confirmed at T0+2h: one more cohort order, in stage confirmed.
  assert.equal(k.orders.total, EXPECTED.ordersTotal + 1);
  assert.deepEqual(k.orders.byStage, { ...EXPECTED.byStage, confirmed: 1 });
  assert.deepEqual(k.cycleTimes.confirmedToDispatched, EXPECTED.confirmedToDispatched);
  assert.deepEqual(k.cycleTimes.confirmedToDelivered, EXPECTED.confirmedToDelivered);
  assert.deepEqual(k.fulfillmentExceptionRate, EXPECTED.fulfillmentExceptionRate);
  assert.deepEqual(k.inventoryMismatchRate, EXPECTED.inventoryMismatchRate);
  assert.deepEqual(k.shipmentCompleteness, EXPECTED.shipmentCompleteness);
  assert.deepEqual(k.ediAcknowledgments.byPartner[s.ids.p1], EXPECTED.ediP1);
  assert.deepEqual(k.ediAcknowledgments.byPartner[s.ids.p2], EXPECTED.ediP2);
  assert.equal(k.percentileMethod, 'nearest-rank');
  assert.deepEqual(
    k.dlq.topics.filter((d) => d.depth > 0).map((d) => [d.topic, d.depth]),
    [[`${world.topics.orders}.${world.group}.dlq`, 2]],
  );
  assert.equal(k.dlq.total, 2);
  const lag = await eventually(
    async () => {
      const r = (await getJson(`${url}/v1/kpis`)).body as Kpis;
      const g = r.consumerLag.find((x) => x.group === world.group);
      return g && g.total === 0 ? g : undefined;
    },
    20_000,
    'sink lag 0 after commit',
  );
  assert.equal(lag.topics.length, Object.keys(world.topics).length);

  // The poison messages show in order A's timeline as DLQ entries (linked by their key).
  const tl = (await getJson(`${url}/v1/orders/${encodeURIComponent(s.ids.A)}/timeline`)).body as OrderTimeline;
  const dlq = tl.hops.filter((h) => h.entry === 'dlq');
  assert.deepEqual(dlq.map((h) => h.error?.errorClass).sort(), ['serde.not-confluent-wire', 'serde.unknown-schema']);
  assert.ok(dlq.every((h) => h.error?.originalTopic === world.topics.orders && h.error.group === world.group));
  const retry = tl.hops.filter((h) => h.entry === 'retry');
  assert.deepEqual(
    retry.map((h) => [h.type, h.topic, h.error?.errorClass, h.eventId]),
    [['OrderConfirmed', retryTopic, 'http.503', confirmedA.payload.meta.eventId]],
  );
  // It sits right after the confirmation it retried (0.5 s later), and is not a milestone of its own.
  const iConfirmed = tl.hops.findIndex((h) => h.type === 'OrderConfirmed' && h.entry === 'event');
  assert.equal(tl.hops[iConfirmed + 1]?.entry, 'retry');
  assert.equal(tl.hops[iConfirmed + 1]?.sincePreviousMs, 500);

  // The inventory mismatch ledger of the window.
  const ledger = (await getJson(`${url}/v1/inventory/mismatches?${q}`)).body as { count: number; mismatches: Array<{ sku: string }> };
  assert.deepEqual(
    ledger.mismatches.map((m) => m.sku),
    [s.ids.sku2],
  );

  // Prometheus: what was newly indexed, by kind.
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const series = (entry: string): number =>
    Number(new RegExp(`^odx_sink_indexed_total\\{[^}]*entry="${entry}"[^}]*\\} (\\d+)$`, 'm').exec(metrics)?.[1]);
  assert.deepEqual([series('event'), series('retry'), series('dlq')], [total, 1, 2]);

  // Bad parameters: 400 problem+json naming the field.
  const bad = await getJson(`${url}/v1/kpis?from=yesterday`);
  assert.equal(bad.status, 400);
  assert.match(bad.type ?? '', /application\/problem\+json/);
  assert.equal((bad.body as { errors: Array<{ field: string }> }).errors[0]?.field, 'from');
  assert.equal((await getJson(`${url}/v1/kpis?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z`)).status, 400);
  assert.equal((await getJson(`${url}/v1/kpis?unknown=1`)).status, 400);
});

const variants = [
  { readModel: 'memory', retention: '0' },
  { readModel: 'database', retention: '0' },
  // The scenario lies in January 2026: with a one-day retention nothing is held, every question goes to the database.
  { readModel: 'memory', retention: '86400000' },
] as const;
for (const { readModel, retention } of variants)
  test(`the timeline of an order lists every hop across Odoo, WMS, TMS and EDI; unknown orders are 404; the export streams the day (read model: ${readModel}, retention ${retention} ms)`, async (t) => {
    const world = await createWorld(t, {
      ODX_SINK_READ_MODEL: readModel,
      ODX_SINK_MEMORY_RETENTION_MS: retention,
      ODX_SINK_LIFECYCLE_INTERVAL_MS: '300',
    });
    const s = buildScenario();
    const { rt, url, sink } = await startSink(world);
    await publish(rt, world, s.events);
    await eventually(
      async () => ((await sink.index.count({ entry: 'event' })) === s.events.length ? true : undefined),
      40_000,
      'all indexed',
    );

    for (const ref of [s.ids.A, s.ids.nameA, s.ids.poA]) {
      const res = await getJson(`${url}/v1/orders/${encodeURIComponent(ref)}/timeline`);
      assert.equal(res.status, 200, ref);
      const tl = res.body as OrderTimeline;
      assert.equal(tl.orderId, s.ids.A);
      assert.deepEqual(
        tl.hops.map((h) => h.type),
        EXPECTED.timelineA,
      );
      assert.deepEqual(
        tl.hops.map((h) => (Date.parse(h.time) - s.t0.getTime()) / 3_600_000),
        EXPECTED.timelineAHours,
      );
      assert.ok(
        tl.hops.every(
          (h) =>
            h.entry === 'event' && h.topic.startsWith(`test.sink-${world.id}.`) && h.offset >= 0 && /^[0-9a-f]{32}$/.test(h.traceId ?? ''),
        ),
      );
      assert.equal(tl.hops[0]?.sincePreviousMs, null);
      assert.equal(tl.hops[1]?.sincePreviousMs, 3_600_000);
      assert.equal(tl.lifecycle.stage, 'paid');
      assert.deepEqual(Object.keys(tl.lifecycle.milestones).sort(), [
        'booked',
        'confirmed',
        'delivered',
        'dispatched',
        'invoiced',
        'packed',
        'paid',
        'picked',
        'received',
        'released',
      ]);
    }
    // One lifecycle document per order is kept in MongoDB (A-F), A's with every milestone.
    const docs = await eventually(
      async () => {
        const d = await sink.lifecycles.collection.find({}).toArray();
        // A snapshot run may have started before the last events were indexed; the next one completes it.
        const snapA = d.find((x) => x._id === s.ids.A);
        return d.length === 6 && snapA?.stage === 'paid' && Object.keys(snapA.milestones).length === 10 ? d : undefined;
      },
      20_000,
      "six lifecycle documents, A's with every milestone",
    );
    const a = docs.find((x) => x._id === s.ids.A)!;
    assert.equal(a.milestones.dispatched?.getTime(), s.t0.getTime() + 6 * 3_600_000);
    assert.deepEqual(a.shipmentIds, [s.ids.shipA]);
    assert.deepEqual(docs.map((d) => d._id).sort(), [s.ids.A, s.ids.B, s.ids.C, s.ids.D, s.ids.E, s.ids.F].sort());
    assert.equal(docs.find((x) => x._id === s.ids.D)?.stage, 'cancelled');

    if (readModel === 'memory') assert.equal((sink.read as MemoryReadModel).size, retention === '0' ? s.events.length : 0);
    const ready = (await getJson(`${url}/readyz`)).body as { ready: boolean; checks: Record<string, { ok: boolean }> };
    assert.equal(ready.ready, true);
    assert.equal(ready.checks['analytics-read-model']?.ok, readModel === 'memory' ? true : undefined);

    const missing = await getJson(`${url}/v1/orders/${encodeURIComponent(`nope-${world.id}`)}/timeline`);
    assert.equal(missing.status, 404);
    assert.match(missing.type ?? '', /application\/problem\+json/);
    assert.equal((await getJson(`${url}/v1/orders/${encodeURIComponent('a\u0001b')}/timeline`)).status, 400);

    // Export of T0's day: every event of that day (hours 0-23), as NDJSON and as CSV with one row each.
    const day = s.t0.toISOString().slice(0, 10);
    const expected = s.events.filter((e) => e.payload.meta.occurredAt.toISOString().slice(0, 10) === day).length;
    const nd = await fetch(`${url}/v1/export?day=${day}&format=ndjson`, { headers: await testAuthHeader('viewer') });
    assert.equal(nd.status, 200);
    const lines = (await nd.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: string; event_id: string });
    assert.equal(lines.length, expected);
    assert.ok(lines.every((l) => l.time.startsWith(day)));
    const csv = await fetch(`${url}/v1/export?day=${day}&format=csv`, { headers: await testAuthHeader('viewer') });
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    assert.equal((await csv.text()).split('\r\n').filter((l) => l !== '').length, expected + 1);
    assert.equal((await getJson(`${url}/v1/export?day=2026-02-30`)).status, 400);
  });

test('the sink stopped mid-stream and started again loses nothing and doubles nothing', async (t) => {
  const world = await createWorld(t, { ODX_SINK_BATCH_SIZE: '50' });
  const s = buildScenario();
  // Many more events than the scenario: 3,000 inventory level changes, so the stop lands mid-stream.
  const bulk = Array.from({ length: 3_000 }, (_, i) => {
    const p = sampleEvent('InventoryLevelChanged');
    p.meta = sampleMeta({ eventId: randomUUID(), occurredAt: new Date(s.t0.getTime() + i * 1000), source: 'wms' });
    p.level = { ...p.level, sku: `BULK-${world.id}-${i % 40}` };
    return { eventType: 'InventoryLevelChanged' as const, kind: 'inventory' as const, key: p.level.sku, payload: p };
  });
  const all = [...s.events, ...bulk];
  const first = await startSink(world);
  // Publish while the sink consumes, and stop it as soon as it has indexed something.
  const publishing = publish(first.rt, world, all);
  await eventually(async () => ((await first.sink.index.count({})) > 0 ? true : undefined), 30_000, 'ingest started');
  await first.stop();
  await publishing.catch(async () => {
    // The producer closed with the runtime: publish the rest through another one (idempotent by event id anyway).
    const rt = await openRuntime(world);
    await publish(rt, world, all);
    await rt.shutdown('published');
  });
  const midway = await countIndexed(world);
  const second = await startSink(world);
  await eventually(
    async () => ((await second.sink.index.count({ entry: 'event' })) >= all.length ? true : undefined),
    60_000,
    'everything indexed after restart',
  );
  // Settle: nothing beyond the published events arrives.
  await new Promise((r) => setTimeout(r, 1500));
  const ids = await second.sink.index.collection.find({}, { projection: { _id: 1 } }).toArray();
  assert.equal(ids.length, all.length);
  assert.deepEqual(new Set(ids.map((d) => d._id)), new Set(all.map((e) => e.payload.meta.eventId)));
  assert.ok(midway > 0 && midway < all.length, `the first run was stopped mid-stream (had ${midway} of ${all.length})`);
  const k = (await getJson(`${second.url}/v1/kpis?from=${s.window.from.toISOString()}&to=${s.window.to.toISOString()}`)).body as Kpis;
  assert.deepEqual(k.cycleTimes.confirmedToDispatched, EXPECTED.confirmedToDispatched);
  assert.deepEqual(k.orders.byStage, EXPECTED.byStage);
});

test('the sink killed (SIGKILL) mid-stream and started again loses nothing and doubles nothing', async (t) => {
  const world = await createWorld(t, { ODX_SINK_BATCH_SIZE: '50', ODX_SINK_SESSION_TIMEOUT_MS: '6000' });
  const s = buildScenario();
  const bulk = Array.from({ length: 3_000 }, (_, i) => {
    const p = sampleEvent('ShipmentMilestoneRecorded');
    p.meta = sampleMeta({ eventId: randomUUID(), occurredAt: new Date(s.t0.getTime() + i * 1000), source: 'tms' });
    p.shipmentId = `BULK-${world.id}-${i % 50}`;
    p.orderId = null;
    return { eventType: 'ShipmentMilestoneRecorded' as const, kind: 'shipments' as const, key: p.shipmentId, payload: p };
  });
  const all = [...s.events, ...bulk];
  const probe = await openRuntime(world);
  const indexed = (): Promise<number> => probe.db.collection(world.env['ODX_SINK_COLLECTION'] ?? 'analytics_events').countDocuments({});
  const child = spawnSink(world);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const publishing = publish(probe, world, all);
  await eventually(async () => ((await indexed()) > 0 ? true : undefined), 60_000, 'the child process indexing');
  child.kill('SIGKILL');
  await exited;
  await publishing;
  const midway = await indexed();
  assert.ok(midway > 0 && midway < all.length, `killed mid-stream (had ${midway} of ${all.length})`);

  const second = await startSink(world);
  await eventually(
    async () => ((await second.sink.index.count({ entry: 'event' })) >= all.length ? true : undefined),
    90_000,
    'everything indexed after the crash',
  );
  await new Promise((r) => setTimeout(r, 1500));
  const ids = await second.sink.index.collection.find({}, { projection: { _id: 1 } }).toArray();
  assert.equal(ids.length, all.length);
  assert.deepEqual(new Set(ids.map((d) => d._id)), new Set(all.map((e) => e.payload.meta.eventId)));
  const k = (await getJson(`${second.url}/v1/kpis?from=${s.window.from.toISOString()}&to=${s.window.to.toISOString()}`)).body as Kpis;
  assert.deepEqual(k.shipmentCompleteness, EXPECTED.shipmentCompleteness);
});
