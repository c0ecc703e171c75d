// The procure-to-pay and returns contract (issue 13): what the generic event tests
// (events.test.ts: every type round-trips its sample; catalog.test.ts: every type has a
// key) do not pin down - decimal precisions per field kind, bounds on the new money and
// quantity fields, the Return extension read against data written before it, the
// topics and keys chosen, and the catalog's plannedConsumers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import {
  ASYNCAPI_FILE,
  CATALOG_FILE,
  CatalogError,
  checkBackwardCompatibility,
  loadCatalog,
  loadEventSchema,
  messageKeyFor,
  parseAvroSchema,
  parseCatalog,
  parseEventType,
  schemaRepository,
  topicByName,
  topicForEventType,
  type AvroRecordSchema,
  type AvroSchema,
  type EventType,
} from '../src/index.js';
import { sampleEvent } from './fixtures.js';

const PURCHASING: readonly EventType[] = [
  'PurchaseOrderConfirmed',
  'PurchaseOrderChanged',
  'PurchaseOrderCancelled',
  'PurchaseOrderAcknowledged',
  'ShipNoticeReceived',
  'GoodsReceived',
  'VendorBillReceived',
  'VendorBillPosted',
  'VendorBillMismatchDetected',
];
const RETURNS: readonly EventType[] = ['ReturnReceived', 'CreditNotePosted'];
const NEW_EVENTS: readonly EventType[] = [...PURCHASING, ...RETURNS, 'ReturnSuggested'];
const NEW_RECORDS = [
  'PurchaseOrder',
  'PurchaseOrderLine',
  'PurchaseOrderAckLine',
  'GoodsReceipt',
  'GoodsReceiptLine',
  'ReceiptLot',
  'VendorBill',
  'VendorBillLine',
  'ThreeWayMatchLine',
  'MatchTolerances',
  'ShippedGoods',
];

/** The documented decimal of each kind of field (schemas/README.md), by field name. */
function expectedDecimal(field: string): { precision: number; scale: number } | undefined {
  if (/Percent$/.test(field)) return { precision: 7, scale: 4 };
  if (/^unitPrice|^price/.test(field)) return { precision: 18, scale: 6 };
  if (/^quantity/.test(field)) return { precision: 14, scale: 4 };
  if (/^amount|^subtotal$|^taxAmount$|^total$/.test(field)) return { precision: 18, scale: 4 };
  return undefined;
}

interface DecimalField {
  path: string;
  name: string;
  precision: number | undefined;
  scale: number | undefined;
}

function decimalFields(schema: AvroSchema, path: string, name: string, out: DecimalField[], seen = new Set<string>()): DecimalField[] {
  if (typeof schema === 'string') return out;
  if (Array.isArray(schema)) {
    schema.forEach((s) => decimalFields(s, path, name, out, seen));
    return out;
  }
  if (schema.type === 'record') {
    const full = `${schema.namespace}.${schema.name}`;
    if (seen.has(full)) return out;
    seen.add(full);
    for (const f of schema.fields) decimalFields(f.type, `${path}.${f.name}`, f.name, out, seen);
  } else if (schema.type === 'array') decimalFields(schema.items, `${path}[]`, name, out, seen);
  else if (schema.type === 'map') decimalFields(schema.values, `${path}{}`, name, out, seen);
  else if ('logicalType' in schema && schema.logicalType === 'decimal') {
    const s = schema as { precision?: number; scale?: number };
    out.push({ path, name, precision: s.precision, scale: s.scale });
  }
  return out;
}

/** A deep copy of `schema` without the named fields of the record `recordName`. */
function withoutFields(schema: AvroSchema, recordName: string, drop: readonly string[]): AvroSchema {
  if (typeof schema === 'string') return schema;
  if (Array.isArray(schema)) return schema.map((s) => withoutFields(s, recordName, drop));
  if (schema.type === 'record') {
    const fields = schema.fields
      .filter((f) => schema.name !== recordName || !drop.includes(f.name))
      .map((f) => ({ ...f, type: withoutFields(f.type, recordName, drop) }));
    return { ...schema, fields };
  }
  if (schema.type === 'array') return { ...schema, items: withoutFields(schema.items, recordName, drop) };
  if (schema.type === 'map') return { ...schema, values: withoutFields(schema.values, recordName, drop) };
  return schema;
}

describe('procure-to-pay and returns: schemas', () => {
  it('every new record exists in com.odx.common and every new event in com.odx.events, meta first', () => {
    const repo = schemaRepository();
    for (const r of NEW_RECORDS) assert.ok(repo.namedType(`com.odx.common.${r}`), r);
    for (const e of NEW_EVENTS) assert.equal(loadEventSchema(e).fields[0]?.name, 'meta', e);
  });

  it('money, prices, quantities and percentages use the documented decimals', () => {
    for (const e of NEW_EVENTS) {
      const fields = decimalFields(loadEventSchema(e), e, e, []);
      assert.ok(fields.length > 0 || e === 'PurchaseOrderCancelled', `${e} has decimals`);
      for (const f of fields) {
        const want = expectedDecimal(f.name);
        assert.ok(want, `${f.path}: a decimal whose kind the name does not tell (amount*, unitPrice*, quantity*, *Percent)`);
        assert.deepEqual({ precision: f.precision, scale: f.scale }, want, f.path);
      }
    }
  });

  it('optional fields are ["null", T] with a null default, and nothing is a double', () => {
    const repo = schemaRepository();
    for (const r of NEW_RECORDS) {
      const schema = repo.namedType(`com.odx.common.${r}`)?.schema as AvroRecordSchema;
      for (const f of schema.fields) {
        const text = JSON.stringify(f.type);
        assert.ok(!/"(double|float)"/.test(text), `${r}.${f.name} is a float`);
        if (Array.isArray(f.type)) {
          assert.equal(f.type[0], 'null', `${r}.${f.name}: null first`);
          assert.ok('default' in f && f.default === null, `${r}.${f.name}: default null`);
        }
      }
    }
  });

  it('writing rejects a value that needs rounding or exceeds the precision, naming the decimal', () => {
    const cases: Array<[EventType, (e: never) => void, RegExp]> = [
      [
        'PurchaseOrderConfirmed',
        (e: ReturnType<typeof sampleEvent<'PurchaseOrderConfirmed'>>) => void (e.purchaseOrder.lines[0]!.unitPrice = '6.1250001'),
        /decimal\(18,6\): "6.1250001" has 7 digits after the point/,
      ],
      [
        'GoodsReceived',
        (e: ReturnType<typeof sampleEvent<'GoodsReceived'>>) => void (e.receipt.lines[0]!.lots[0]!.quantity = '12345678901.0000'),
        /needs 15 digits; precision is 14/,
      ],
      [
        'VendorBillMismatchDetected',
        (e: ReturnType<typeof sampleEvent<'VendorBillMismatchDetected'>>) => void (e.tolerances.pricePercent = '1000.0000'),
        /decimal\(7,4\).*needs 8 digits/,
      ],
      [
        'VendorBillPosted',
        (e: ReturnType<typeof sampleEvent<'VendorBillPosted'>>) => void (e.bill.amountTotal = '1e3'),
        /"1e3" is not a plain decimal string/,
      ],
    ];
    for (const [type, spoil, message] of cases) {
      const sample = sampleEvent(type);
      (spoil as (e: typeof sample) => void)(sample);
      assert.throws(() => parseEventType(type).toBuffer(sample), message, type);
    }
  });

  it('keeps the edges of each decimal kind and negative deltas exact', () => {
    const type = parseEventType('VendorBillMismatchDetected');
    const sample = sampleEvent('VendorBillMismatchDetected');
    const line = sample.lines[0]!;
    line.quantityDelta = '-9999999999.9999';
    line.unitPriceDelta = '-999999999999.999999';
    line.quantityBilled = '9999999999.9999';
    sample.tolerances.quantityPercent = '999.9999';
    const decoded = type.fromBuffer(type.toBuffer(sample)) as typeof sample;
    assert.equal(decoded.lines[0]?.quantityDelta, '-9999999999.9999');
    assert.equal(decoded.lines[0]?.unitPriceDelta, '-999999999999.999999');
    assert.equal(decoded.lines[0]?.quantityBilled, '9999999999.9999');
    assert.equal(decoded.tolerances.quantityPercent, '999.9999');
    assert.deepEqual(decoded.lines[0]?.reasons, ['PRICE']);
  });

  it('a receipt keeps its lines, lots and condition codes through encode/decode', () => {
    const type = parseEventType('ReturnReceived');
    const decoded = type.fromBuffer(type.toBuffer(sampleEvent('ReturnReceived'))) as ReturnType<typeof sampleEvent<'ReturnReceived'>>;
    assert.deepEqual(
      decoded.receipt.lines.map((l) => [l.returnLineId, l.condition, l.quantity, l.lots.map((x) => x.lotNumber)]),
      [
        ['1', 'SCRAP', '2.0000', ['LOT-2025-0311']],
        ['2', 'RESTOCK', '1.0000', []],
      ],
    );
    const received = parseEventType('GoodsReceived');
    const po = received.fromBuffer(received.toBuffer(sampleEvent('GoodsReceived'))) as ReturnType<typeof sampleEvent<'GoodsReceived'>>;
    assert.deepEqual(
      po.receipt.lines[0]?.lots.map((l) => [l.lotNumber, l.quantity]),
      [
        ['LOT-2025-0402', '80.0000'],
        ['LOT-2025-0403', '40.0000'],
      ],
    );
    assert.ok(po.receipt.receivedAt instanceof Date);
  });
});

describe('procure-to-pay and returns: BACKWARD compatibility of the Return extension', () => {
  const RETURN_ADDED = ['originalShipmentId', 'originalShipmentName', 'returnPickingId', 'returnPickingName'];
  const LINE_ADDED = ['originalShipmentLineId'];
  const current = loadEventSchema('ReturnAuthorized');
  const before = withoutFields(withoutFields(current, 'Return', RETURN_ADDED), 'ReturnLine', LINE_ADDED);

  it('the schema before the extension differs (the test removes what was added)', () => {
    assert.notDeepEqual(before, current);
  });

  it('a reader with the new schema reads ReturnAuthorized written before, the new fields null', () => {
    assert.deepEqual(checkBackwardCompatibility(current, before), { compatible: true });
    const sample = sampleEvent('ReturnAuthorized');
    const old = { ...sample, return: { ...sample.return } } as Record<string, unknown> & { return: Record<string, unknown> };
    for (const f of RETURN_ADDED) delete old.return[f];
    old.return['lines'] = sample.return.lines.map(({ originalShipmentLineId: _dropped, ...rest }) => rest);
    const writer = parseAvroSchema(before as object);
    const reader = parseEventType('ReturnAuthorized');
    const decoded = reader.fromBuffer(writer.toBuffer(old), reader.createResolver(writer)) as typeof sample;
    assert.equal(decoded.return.returnId, '301');
    for (const f of RETURN_ADDED) assert.equal(decoded.return[f as keyof typeof decoded.return], null, f);
    assert.ok(decoded.return.lines.every((l) => l.originalShipmentLineId === null));
  });
});

describe('procure-to-pay and returns: topics and keys', () => {
  it('the purchasing events share odx.purchasing.v1, keyed by purchase order like odx.orders.v1 is by order', () => {
    const t = topicByName('odx.purchasing.v1');
    const orders = topicByName('odx.orders.v1');
    assert.deepEqual([...t.eventTypes].sort(), [...PURCHASING].sort());
    assert.equal(t.key, 'purchaseOrderId');
    assert.equal(t.partitions, orders.partitions);
    assert.equal(t.retentionMs, orders.retentionMs);
    assert.equal(t.owner, 'odoo-outbox-poller');
    assert.deepEqual([...t.producers].sort(), ['edi-gateway', 'odoo-outbox-poller', 'wms-bridge']);
    for (const e of PURCHASING) assert.equal(messageKeyFor(e, sampleEvent(e)), '77', e);
  });

  it('return receipts and credit notes are keyed by the return, like ReturnAuthorized', () => {
    for (const e of RETURNS) {
      assert.equal(topicForEventType(e).name, 'odx.returns.v1');
      assert.equal(messageKeyFor(e, sampleEvent(e)), messageKeyFor('ReturnAuthorized', sampleEvent('ReturnAuthorized')), e);
    }
    assert.ok(topicByName('odx.returns.v1').producers.includes('wms-bridge'), 'return receipts from the WMS');
  });

  it('ReturnSuggested is an order fact on odx.orders.v1, keyed by the order its OrderCancelled names', () => {
    assert.equal(topicForEventType('ReturnSuggested').name, 'odx.orders.v1');
    assert.equal(
      messageKeyFor('ReturnSuggested', sampleEvent('ReturnSuggested')),
      messageKeyFor('OrderCancelled', sampleEvent('OrderCancelled')),
    );
    assert.ok(topicByName('odx.orders.v1').producers.includes('wms-bridge'));
  });

  it('planned consumers are declared services, not (yet) consumers, and shown in the AsyncAPI document', () => {
    const catalog = loadCatalog();
    const purchasing = topicByName('odx.purchasing.v1');
    // Services move from plannedConsumers to consumers as their side lands; together they stay the same.
    assert.deepEqual([...(purchasing.plannedConsumers ?? []), ...purchasing.consumers].sort(), [
      'analytics-sink',
      'edi-gateway',
      'odoo-outbox-poller',
      'order-orchestrator',
      'wms-bridge',
    ]);
    for (const t of catalog.topics) {
      for (const c of t.plannedConsumers ?? []) {
        assert.ok(catalog.services.includes(c), `${t.name}: ${c}`);
        assert.ok(!t.consumers.includes(c), `${t.name}: ${c} listed twice`);
      }
    }
    const doc = parseYaml(readFileSync(ASYNCAPI_FILE, 'utf8')) as { channels: Record<string, Record<string, unknown>> };
    const channel = doc.channels['odx.purchasing.v1'];
    assert.deepEqual(channel?.['x-odx-planned-consumers'], purchasing.plannedConsumers);
    if (purchasing.plannedConsumers?.length)
      assert.match(
        String(channel?.['description']),
        new RegExp(`Planned consumers \\(not subscribed yet\\): ${purchasing.plannedConsumers[0]}`),
      );
    assert.equal(doc.channels['odx.orders.v1']?.['x-odx-planned-consumers'], undefined);
  });

  it('the catalog refuses a planned consumer that is unknown or already a consumer', () => {
    // The purchasing topic's plannedConsumers line (there while any of its consumers is still planned).
    const text = readFileSync(CATALOG_FILE, 'utf8');
    const anchor = /(- name: odx\.purchasing\.v1\n(?:(?!\n {2}- name:)[\s\S])*?)\n {4}plannedConsumers: \[[^\]\n]*\]/.exec(text)?.[0];
    assert.ok(anchor, 'odx.purchasing.v1 has a plannedConsumers line');
    const line = anchor.slice(anchor.lastIndexOf('\n') + 1).trim();
    const reparse = (t: string) => parseCatalog(t, schemaRepository());
    const fails = (t: string, detail: RegExp): void => {
      assert.throws(
        () => reparse(t),
        (err: unknown) =>
          err instanceof CatalogError && err.topic === 'odx.purchasing.v1' && err.field === 'plannedConsumers' && detail.test(err.message),
      );
    };
    const withLine = (replacement: string): string => text.replace(anchor, anchor.replace(line, replacement));
    fails(withLine('plannedConsumers: [billing]'), /unknown service "billing"/);
    fails(withLine('plannedConsumers: [analytics-sink]'), /"analytics-sink" is already in consumers/);
    fails(withLine('plannedConsumers: order-orchestrator'), /expected a list of names/);
    assert.equal(
      reparse(text.replace(anchor, anchor.slice(0, anchor.lastIndexOf('\n')))).topics.find((t) => t.name === 'odx.purchasing.v1')
        ?.plannedConsumers,
      undefined,
    );
  });
});
