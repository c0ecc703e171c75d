import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StockView, type LevelFact } from '../../src/policy/index.js';

const fact = (
  eventId: string,
  sku: string,
  wh: string,
  available: string,
  asOf: number,
  locationCode: string | null = null,
  lotNumber: string | null = null,
): LevelFact => ({
  eventId,
  level: { sku, warehouseCode: wh, locationCode, lotNumber, available, asOf: new Date(asOf) },
});

describe('StockView: latest InventoryLevelChanged per SKU and warehouse', () => {
  it('keeps the latest level; an older one arriving late changes nothing', () => {
    const v = new StockView();
    assert.equal(v.apply(fact('e2', 'A', 'WH', '7', 2000)), true);
    assert.equal(v.apply(fact('e1', 'A', 'WH', '9', 1000)), false);
    assert.equal(v.available('A', 'WH'), '7.00');
    assert.equal(v.available('A', 'WH2'), '0.00');
  });

  it('a warehouse total is the level; bins and lots are summed (each its latest) only where no total was reported', () => {
    const v = new StockView();
    v.apply(fact('q1', 'A', 'WH', '5', 1000, 'WH/Stock'));
    v.apply(fact('q2', 'A', 'WH', '3', 1000, 'WH/Stock/Shelf 2'));
    v.apply(fact('q3', 'A', 'WH', '4', 2000, 'WH/Stock'));
    assert.equal(v.available('A', 'WH'), '7.00');
    v.apply(fact('w1', 'A', 'WH', '6.5', 500));
    assert.equal(v.available('A', 'WH'), '6.50');
    assert.deepEqual(v.snapshot(['A']), new Map([['A|WH', '6.50']]));
    assert.equal(v.apply(fact('bad', 'B', 'WH', 'n/a', 1)), false, 'a level that is not a decimal is ignored');
  });

  it('property: the same facts in any order give the same snapshot', () => {
    const facts = fc.array(
      fc.record({
        id: fc.integer({ min: 1, max: 30 }),
        sku: fc.constantFrom('A', 'B'),
        wh: fc.constantFrom('WH', 'WH2'),
        loc: fc.constantFrom(null, 'WH/Stock', 'WH/Stock/Bin'),
        n: fc.integer({ min: -5, max: 100 }),
        t: fc.integer({ min: 0, max: 5 }),
      }),
      { maxLength: 25 },
    );
    const orders = facts
      .map((fs) => fs.map((f) => fact(`e${f.id}-${f.n}`, f.sku, f.wh, String(f.n), f.t * 1000, f.loc)))
      .chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })));
    fc.assert(
      fc.property(orders, ([list, shuffled]) => {
        const a = new StockView();
        for (const f of list) a.apply(f);
        const b = new StockView();
        for (const f of shuffled) b.apply(f);
        assert.deepEqual(new Map([...b.snapshot()].sort()), new Map([...a.snapshot()].sort()));
      }),
    );
  });
});
