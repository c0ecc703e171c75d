import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseEventType } from '@odx/schemas';
import { sampleEvent } from '@odx/schemas/fixtures';
import { compareStock, formatUnits, latestLevels, mismatchEvent, toUnits, type OdooLevel } from '../../src/inventory/compare-stock.js';
import { levelOf } from '../../src/inventory/level-handler.js';

const warehouses = { map: { WH1: 'WH' }, defaultWarehouse: 'WH' };
const lvl = (sku: string, onHand: string, asOf: number, eventId = `${sku}-${asOf}`): OdooLevel => ({
  eventId,
  sku,
  warehouseCode: 'WH1',
  productId: null,
  uom: 'EA',
  onHand,
  asOf: new Date(asOf),
  occurredAt: new Date(asOf),
});

test('decimal units round-trip and refuse what is not a 4-place decimal', () => {
  fc.assert(fc.property(fc.bigInt({ min: -(10n ** 14n) + 1n, max: 10n ** 14n - 1n }), (u) => toUnits(formatUnits(u)) === u));
  for (const bad of ['', '1e3', 'NaN', '1.23456', '12,5', ' - 1', '0x10', '99999999999'])
    assert.throws(() => toUnits(bad), RangeError, bad);
});

test('the latest level wins by asOf, then occurredAt, then event id, whatever the arrival order', () => {
  const levels = [lvl('A', '1.0000', 1), lvl('A', '3.0000', 3), lvl('A', '2.0000', 2), lvl('B', '5.0000', 1)];
  fc.assert(
    fc.property(fc.shuffledSubarray(levels, { minLength: levels.length }), (shuffled) => {
      const latest = latestLevels(shuffled).sort((x, y) => x.sku.localeCompare(y.sku));
      assert.deepEqual(
        latest.map((l) => [l.sku, l.onHand]),
        [
          ['A', '3.0000'],
          ['B', '5.0000'],
        ],
      );
    }),
  );
});

test('compareStock: difference = wms - odoo, reported exactly when beyond the tolerance', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 50 }),
      (odoo, wms, tol) => {
        const r = compareStock([lvl('A', `${odoo}.0000`, 1)], [{ warehouse: 'WH', sku: 'A', onHand: wms }], {
          tolerance: BigInt(tol) * 10_000n,
          warehouses,
        });
        assert.equal(r.compared, 1);
        assert.equal(r.mismatches.length, Math.abs(wms - odoo) > tol ? 1 : 0);
        if (r.mismatches[0]) assert.equal(toUnits(r.mismatches[0].difference), BigInt(wms - odoo) * 10_000n);
      },
    ),
  );
  const r = compareStock(
    [lvl('GONE', '4.0000', 1)],
    [
      { warehouse: 'WH', sku: 'NEW', onHand: 2 },
      { warehouse: 'WH', sku: 'NEW', onHand: 1.5 },
    ],
    { tolerance: 0n, warehouses },
  );
  assert.deepEqual(
    r.mismatches.map((m) => [m.sku, m.warehouseCode, m.wmsOnHand, m.difference]),
    [['GONE', 'WH1', '0.0000', '-4.0000']],
    'missing in the WMS counts as 0',
  );
  assert.deepEqual(r.unknownToOdoo, [{ sku: 'NEW', warehouseCode: 'WH1', wmsOnHand: '3.5000' }], 'a WMS-only SKU is not judged');
});

test('mismatch events are schema-valid and their ids depend on run, warehouse and SKU only', () => {
  const d = { sku: 'A', warehouseCode: 'WH1', productId: '7', uom: 'EA', odooOnHand: '1.0000', wmsOnHand: '2.0000', difference: '1.0000' };
  const run = { runId: 'recon-1', company: 'acme', tolerance: 0n, detectedAt: new Date() };
  const e = mismatchEvent(d, run);
  assert.ok(parseEventType('InventoryMismatchDetected').isValid(e));
  assert.equal(mismatchEvent(d, { ...run, detectedAt: new Date(0) }).meta.eventId, e.meta.eventId);
  assert.notEqual(mismatchEvent(d, { ...run, runId: 'recon-2' }).meta.eventId, e.meta.eventId);
});

test('levelOf keeps warehouse totals and refuses a non-decimal on-hand', () => {
  const e = sampleEvent('InventoryLevelChanged');
  e.level = { ...e.level, locationCode: null, lotNumber: null };
  assert.equal(levelOf(e)?.onHand, e.level.onHand);
  assert.equal(levelOf({ ...e, level: { ...e.level, locationCode: 'WH1/Stock/A' } }), null);
  assert.equal(levelOf({ ...e, level: { ...e.level, lotNumber: 'L1' } }), null);
  assert.throws(() => levelOf({ ...e, level: { ...e.level, onHand: 'lots' } }), /not a decimal/);
});
