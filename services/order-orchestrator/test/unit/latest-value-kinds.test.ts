// What the stock and product feeds store and apply per event (the feed's
// consumer and store are exercised against the real stack in process.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { productKinds } from '../../src/intake/product-feed.js';
import { stockLevels } from '../../src/intake/stock-feed.js';
import { ProductView, StockView } from '../../src/policy/index.js';

test('a stock level is stored under SKU, warehouse, location and lot, and moves the view only when newer', () => {
  const view = new StockView();
  const kind = stockLevels(view);
  const payload = sampleEvent('InventoryLevelChanged', { meta: sampleMeta({ eventId: 'e-2' }) });
  payload.level = { ...payload.level, sku: 'SKU-1', warehouseCode: 'WH', locationCode: 'A-1', lotNumber: null, available: '7.0000' };
  const doc = kind.docOf({ eventType: 'InventoryLevelChanged', payload });
  assert.equal(doc?._id, 'SKU-1|WH|A-1|');
  assert.equal(doc?.eventId, 'e-2');
  assert.equal(kind.apply(doc!), true);
  assert.equal(view.available('SKU-1', 'WH'), '7.00');
  assert.equal(kind.apply(doc!), false, 'the same value again does not move the view');
  assert.equal(kind.apply({ ...doc!, asOf: new Date(doc!.asOf.getTime() - 1_000), eventId: 'e-1', available: '1.0000' }), false);
  assert.equal(view.available('SKU-1', 'WH'), '7.00', 'an older level is ignored');
  const other = sampleEvent('ProductUpserted');
  assert.equal(kind.docOf({ eventType: 'ProductUpserted', payload: other }), undefined, 'other events carry no level');
});

test('a product is stored under its SKU with its kind, newest write wins', () => {
  const view = new ProductView();
  const kind = productKinds(view);
  const payload = sampleEvent('ProductUpserted', { meta: sampleMeta({ eventId: 'p-1' }) });
  payload.product = { ...payload.product, sku: 'GLOVE', productType: 'consu', updatedAt: new Date('2026-12-01T10:00:00Z') };
  const doc = kind.docOf({ eventType: 'ProductUpserted', payload })!;
  assert.deepEqual({ id: doc._id, type: doc.productType, eventId: doc.eventId }, { id: 'GLOVE', type: 'consu', eventId: 'p-1' });
  assert.equal(kind.apply(doc), true);
  const before = view.kindOf('GLOVE');
  assert.equal(kind.apply({ ...doc, productType: 'service', updatedAt: new Date('2026-11-30T10:00:00Z'), eventId: 'p-0' }), false);
  assert.equal(view.kindOf('GLOVE'), before, 'an older write is ignored');
  assert.equal(kind.apply({ ...doc, productType: 'service', updatedAt: new Date('2026-12-02T10:00:00Z'), eventId: 'p-2' }), true);
  assert.equal(view.kindOf('GLOVE'), 'service');
  assert.equal(kind.docOf({ eventType: 'InventoryLevelChanged', payload: sampleEvent('InventoryLevelChanged') }), undefined);
});
