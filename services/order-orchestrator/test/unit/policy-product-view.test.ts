import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ProductView, productKindOf, type ProductFact } from '../../src/policy/index.js';

const fact = (sku: string, productType: string, at: string, eventId: string): ProductFact => ({
  product: { sku, productType, updatedAt: new Date(at) },
  eventId,
});

describe('product view', () => {
  it("reads the poller's product types, and Odoo's own; anything else is storable", () => {
    assert.deepEqual(['storable', 'consumable', 'service', 'product', 'consu', 'combo', 'Consumable', '', 'kit'].map(productKindOf), [
      'storable',
      'consumable',
      'service',
      'storable',
      'consumable',
      'service',
      'consumable',
      'storable',
      'storable',
    ]);
  });

  it('keeps the latest version per SKU (write date, then event id); SKUs never seen are left out', () => {
    const v = new ProductView();
    assert.equal(v.apply(fact('SKU-1', 'storable', '2026-12-07T08:00:00Z', 'e1')), true);
    assert.equal(v.apply(fact('SKU-1', 'consumable', '2026-12-07T09:00:00Z', 'e2')), true);
    assert.equal(v.apply(fact('SKU-1', 'storable', '2026-12-07T08:30:00Z', 'e3')), false, 'older write date');
    assert.equal(v.apply(fact('SKU-2', 'service', '2026-12-07T08:00:00Z', 'e4')), true);
    assert.deepEqual(
      v.kinds(['SKU-1', 'SKU-2', 'SKU-3']),
      new Map([
        ['SKU-1', 'consumable'],
        ['SKU-2', 'service'],
      ]),
    );
    assert.equal(v.kindOf('SKU-3'), undefined);
    assert.equal(v.size, 2);
  });

  it('the same facts in any order give the same view', () => {
    const facts = fc.array(
      fc.record({
        sku: fc.constantFrom('A', 'B'),
        type: fc.constantFrom('storable', 'consumable', 'service'),
        minute: fc.integer({ min: 0, max: 5 }),
      }),
      { maxLength: 12 },
    );
    // Event ids are unique (one event, one id): index them before shuffling.
    fc.assert(
      fc.property(facts, (raw) => {
        const fs = raw.map((f, i) => ({ ...f, id: `e${String(i).padStart(3, '0')}` }));
        const of = (list: typeof fs): Map<string, string> => {
          const v = new ProductView();
          for (const f of list) v.apply(fact(f.sku, f.type, `2026-12-07T08:0${f.minute}:00Z`, f.id));
          return v.kinds(['A', 'B']);
        };
        assert.deepEqual(of([...fs].reverse()), of(fs));
      }),
    );
  });
});
