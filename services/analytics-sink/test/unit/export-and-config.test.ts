import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadCatalog } from '@odx/schemas';
import { loadSinkConfig } from '../../src/config.js';
import { csvField, csvHeader, csvLine, EXPORT_COLUMNS, exportRow } from '../../src/export/export-rows.js';
import { DEFAULT_EXPORT_LIMITS, exportQuerySchema } from '../../src/export/export-query.js';
import { kpiQuery, orderRef } from '../../src/http/routes.js';

const exportQuery = exportQuerySchema(DEFAULT_EXPORT_LIMITS);
import type { IndexedEvent } from '../../src/ingest/event-record.js';

/** A minimal RFC 4180 reader, to check that what we write reads back to the same values. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

test('CSV fields are quoted and escaped; formula-looking text is defused; numbers and nulls stay plain', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField('=HYPERLINK("http://x")'), `"'=HYPERLINK(""http://x"")"`);
  assert.equal(csvField('+1'), "'+1");
  assert.equal(csvField('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvField(-5), '-5');
  assert.equal(csvField(null), '');
});

test('a hostile export row reads back column for column', () => {
  const e: IndexedEvent = {
    _id: 'dlq:t:0:1',
    eventId: null,
    entry: 'dlq',
    type: 'unknown',
    key: 'k,"\r\n=cmd',
    topic: 't',
    partition: 0,
    offset: 1,
    originalTopic: 'o',
    traceId: null,
    time: new Date(Date.UTC(2026, 0, 2)),
    source: null,
    ceSource: null,
    correlationId: null,
    links: ['order:O,1', 'shipment:S"2'],
    facts: {},
    error: {
      group: 'g',
      errorClass: 'serde.x',
      kind: 'poison',
      message: 'bad "thing",\nline 2',
      attempt: 1,
      originalTopic: 'o',
      originalPartition: 0,
      originalOffset: 1,
      firstFailureTime: null,
    },
  };
  const rows = parseCsv(csvHeader() + csvLine(exportRow(e)));
  assert.deepEqual(rows[0], [...EXPORT_COLUMNS]);
  const r = Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, rows[1]![i]]));
  assert.equal(r['key'], 'k,"\r\n=cmd');
  assert.equal(r['order_ids'], 'O,1');
  assert.equal(r['shipment_ids'], 'S"2');
  assert.equal(r['error_message'], 'bad "thing",\nline 2');
  assert.equal(r['time'], '2026-01-02T00:00:00.000Z');
  assert.equal(rows.length, 2);
});

test('query validation: dates, ranges, unknown and repeated parameters, days, formats, references', () => {
  assert.deepEqual(kpiQuery.parse({}), {});
  assert.equal(kpiQuery.parse({ from: '2026-01-01T00:00:00Z' }).from?.toISOString(), '2026-01-01T00:00:00.000Z');
  for (const bad of [
    { from: 'yesterday' },
    { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    { from: ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'] },
    { form: '2026-01-01T00:00:00Z' },
    { to: '2026-13-01T00:00:00Z' },
  ]) {
    assert.equal(kpiQuery.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.deepEqual(exportQuery.parse({ day: '2026-01-05' }), { day: '2026-01-05', days: 1, format: 'ndjson', limit: 100_000, offset: 0 });
  for (const bad of [
    {},
    { day: '2026-1-5' },
    { day: '2026-02-30' },
    { day: '2026-01-05', format: 'xlsx' },
    { day: '2026-01-05', extra: '1' },
  ]) {
    assert.equal(exportQuery.safeParse(bad).success, false, JSON.stringify(bad));
  }
  assert.equal(orderRef.safeParse('S00042').success, true);
  assert.equal(orderRef.safeParse('PO 77/812').success, true);
  for (const bad of ['', 'a\u0000b', 'x'.repeat(201), 'line\nbreak']) assert.equal(orderRef.safeParse(bad).success, false);
});

test('config: defaults to the catalog topics the sink consumes; test topics alias catalog topics; bad values name the variable', () => {
  const c = loadSinkConfig({});
  assert.deepEqual(
    c.topics.map((t) => t.name),
    loadCatalog()
      .topics.filter((t) => t.consumers.includes('analytics-sink'))
      .map((t) => t.name),
  );
  assert.ok(c.topics.length >= 12, 'every canonical topic');
  assert.ok(
    !c.topics.some((t) => t.name === 'odx.orchestrator.inbox.v1'),
    "not the orchestrator's internal inbox (same event ids as its sources)",
  );
  assert.equal(c.groupId, 'analytics-sink');
  assert.equal(c.lagGroups.size, 0, 'no groups configured: the groups reading the sink topics are discovered at query time');
  const d = loadSinkConfig({
    ODX_SINK_TOPICS: 'my.orders=odx.orders.v1, odx.shipments.v1',
    ODX_SINK_GROUP: 'g1',
    ODX_SINK_LAG_GROUPS: 'g1',
  });
  assert.deepEqual(d.topics, [
    { name: 'my.orders', catalogTopic: 'odx.orders.v1', catalogKey: 'orderId' },
    { name: 'odx.shipments.v1', catalogTopic: 'odx.shipments.v1', catalogKey: 'shipmentId' },
  ]);
  assert.deepEqual([...d.lagGroups], [['g1', ['my.orders', 'odx.shipments.v1']]]);
  assert.throws(() => loadSinkConfig({ ODX_SINK_TOPICS: 'nope.v1' }), /ODX_SINK_TOPICS/);
  assert.throws(() => loadSinkConfig({ ODX_SINK_TOPICS: 'a b' }), /ODX_SINK_TOPICS/);
  assert.throws(() => loadSinkConfig({ ODX_SINK_GROUP: 'bad.group' }), /ODX_SINK_GROUP/);
  assert.throws(() => loadSinkConfig({ ODX_SINK_BATCH_SIZE: '0' }), /ODX_SINK_BATCH_SIZE/);
});
