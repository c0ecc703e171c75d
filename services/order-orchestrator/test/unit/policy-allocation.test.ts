import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { allocate, stockKey, type AllocationResult, type ProductKind } from '../../src/policy/index.js';
import { policyOf } from './policy-support.js';

interface Line {
  lineId: string;
  sku: string;
  qty: string;
}
const policy = policyOf({
  allocation: {
    warehouses: ['WH', 'WH2', 'WH3'],
    split: false,
    customers: { SPLITTER: { split: true }, EAST: { preferredWarehouse: 'WH2' } },
  },
});
const stock = (entries: Record<string, number | string>): Map<string, string> =>
  new Map(Object.entries(entries).map(([k, v]) => [k, String(v)]));
const line = (lineId: string, sku: string, qty: string | number): Line => ({ lineId, sku, qty: String(qty) });

describe('allocate', () => {
  it('ships from the most preferred warehouse that has every line', () => {
    const lines = [line('1', 'A', 5), line('2', 'B', 2)];
    assert.deepEqual(allocate({ lines, customerId: 'C1', stock: stock({ 'A|WH': 10, 'A|WH2': 10, 'B|WH2': 2 }) }, policy), {
      kind: 'allocated',
      parts: [{ warehouseCode: 'WH2', lines }],
    });
    assert.deepEqual(allocate({ lines, customerId: 'C1', stock: stock({ 'A|WH': 5, 'B|WH': 2, 'A|WH2': 9, 'B|WH2': 9 }) }, policy), {
      kind: 'allocated',
      parts: [{ warehouseCode: 'WH', lines }],
    });
  });

  it("a customer's preferred warehouse comes first", () => {
    const lines = [line('1', 'A', 1)];
    const r = allocate({ lines, customerId: 'EAST', stock: stock({ 'A|WH': 5, 'A|WH2': 5 }) }, policy);
    assert.deepEqual(r, { kind: 'allocated', parts: [{ warehouseCode: 'WH2', lines }] });
  });

  it('without split: short, saying a split would do, and what the closest warehouse lacks', () => {
    const r = allocate(
      { lines: [line('1', 'A', 5), line('2', 'B', 3)], customerId: 'C1', stock: stock({ 'A|WH': 5, 'B|WH2': 3, 'A|WH2': 4 }) },
      policy,
    );
    assert.deepEqual(r, {
      kind: 'short',
      reason: 'split-not-allowed',
      missing: [{ sku: 'A', qty: '1.00' }],
      closestWarehouse: 'WH2',
      detail: 'no single warehouse has the whole order (closest: WH2, missing 1.00 × A) and orders of customer C1 may not be split',
    });
  });

  it('with split: each line takes what it can in preference order; lines of one SKU share the stock', () => {
    const r = allocate(
      {
        lines: [line('1', 'A', 5), line('2', 'B', 3), line('3', 'A', 4)],
        customerId: 'SPLITTER',
        stock: stock({ 'A|WH': 7, 'B|WH2': 3, 'A|WH3': 10 }),
      },
      policy,
    );
    assert.deepEqual(r, {
      kind: 'allocated',
      parts: [
        { warehouseCode: 'WH', lines: [line('1', 'A', 5), line('3', 'A', '2.00')] },
        { warehouseCode: 'WH2', lines: [line('2', 'B', 3)] },
        { warehouseCode: 'WH3', lines: [line('3', 'A', '2.00')] },
      ],
    });
  });

  it('short when all warehouses together lack stock; warehouses not in the policy, negative stock and zero lines do not count', () => {
    const r = allocate(
      {
        lines: [line('1', 'A', '2.5'), line('2', 'B', 0), line('3', 'C', 1)],
        customerId: 'SPLITTER',
        stock: stock({ 'A|WH': '1.5', 'A|WH9': 100, 'C|WH': -3, 'C|WH2': 1 }),
      },
      policy,
    );
    assert.equal(r.kind, 'short');
    assert.deepEqual(r.kind === 'short' && [r.reason, r.missing, r.detail], [
      'insufficient-stock',
      [{ sku: 'A', qty: '1.00' }],
      'not enough stock in WH, WH2, WH3 together: missing 1.00 × A',
    ]);
    assert.deepEqual(allocate({ lines: [line('1', 'A', 0)], customerId: 'C1', stock: new Map() }, policy), {
      kind: 'allocated',
      parts: [],
    });
  });

  it('bad quantities are a PolicyInputError naming the line', () => {
    assert.throws(
      () => allocate({ lines: [line('1', 'A', -1)], customerId: 'C1', stock: new Map() }, policy),
      /allocate lines\[0\]\.qty \(A\): must not be negative/,
    );
    assert.throws(() => allocate({ lines: [line('1', 'A', 'two')], customerId: 'C1', stock: new Map() }, policy), {
      name: 'PolicyInputError',
    });
    assert.throws(
      () => allocate({ lines: [line('1', 'A', 1)], customerId: 'C1', stock: stock({ 'A|WH': 'lots' }) }, policy),
      /allocate stock A\|WH/,
    );
  });

  it('lines of consumables and services need no stock: they ship with the stocked lines from the chosen warehouse', () => {
    const products = new Map<string, ProductKind>([
      ['CONS', 'consumable'],
      ['SERV', 'service'],
      ['A', 'storable'],
    ]);
    const lines = [line('1', 'CONS', 3), line('2', 'A', 5), line('3', 'SERV', 1), line('4', 'B', 1)];
    // No level at all for CONS and SERV: without kinds the order is short for ever.
    const st = stock({ 'A|WH2': 5, 'B|WH2': 1 });
    assert.equal(allocate({ lines, customerId: 'C1', stock: st }, policy).kind, 'short');
    assert.deepEqual(allocate({ lines, customerId: 'C1', stock: st, products }, policy), {
      kind: 'allocated',
      parts: [{ warehouseCode: 'WH2', lines }],
    });
    // Short only by the stocked lines (B is unknown to the view: storable).
    const short = allocate({ lines, customerId: 'C1', stock: stock({ 'A|WH2': 5 }), products }, policy);
    assert.deepEqual(short.kind === 'short' && short.missing, [{ sku: 'B', qty: '1.00' }]);
  });

  it('an order of consumables and services only ships from the preferred, else the first, warehouse', () => {
    const products = new Map<string, ProductKind>([
      ['CONS', 'consumable'],
      ['SERV', 'service'],
    ]);
    const lines = [line('1', 'CONS', 3), line('2', 'SERV', 1)];
    assert.deepEqual(allocate({ lines, customerId: 'C1', stock: new Map(), products }, policy), {
      kind: 'allocated',
      parts: [{ warehouseCode: 'WH', lines }],
    });
    assert.deepEqual(allocate({ lines, customerId: 'EAST', stock: new Map(), products }, policy), {
      kind: 'allocated',
      parts: [{ warehouseCode: 'WH2', lines }],
    });
  });

  it('split: the lines that need no stock go with the first warehouse of the split, in order-line order', () => {
    const products = new Map<string, ProductKind>([['CONS', 'consumable']]);
    const lines = [line('1', 'B', 3), line('2', 'CONS', 2), line('3', 'A', 4)];
    const r = allocate({ lines, customerId: 'SPLITTER', stock: stock({ 'A|WH2': 4, 'B|WH3': 3 }), products }, policy);
    assert.deepEqual(r, {
      kind: 'allocated',
      parts: [
        { warehouseCode: 'WH2', lines: [line('2', 'CONS', 2), line('3', 'A', 4)] },
        { warehouseCode: 'WH3', lines: [line('1', 'B', 3)] },
      ],
    });
  });

  describe('properties', () => {
    const skus = ['A', 'B', 'C'];
    const whs = ['WH', 'WH2', 'WH3', 'WH9'];
    const qty = fc
      .integer({ min: 0, max: 4000 })
      .map((n) => (n % 4 === 0 ? String(n / 4) : `${Math.floor(n / 4)}.${['25', '5', '75'][(n % 4) - 1]}`));
    const lines = fc
      .array(fc.record({ sku: fc.constantFrom(...skus), qty }), { maxLength: 6 })
      .map((ls) => ls.map((l, i) => ({ lineId: String(i + 1), ...l })));
    const stockArb = fc
      .array(fc.tuple(fc.constantFrom(...skus), fc.constantFrom(...whs), fc.integer({ min: -50, max: 3000 })), {
        minLength: 4,
        maxLength: 14,
      })
      .map((es) => new Map<string, string>(es.map(([s, w, n]) => [stockKey(s, w), String(n)])));
    const customer = fc.constantFrom('C1', 'SPLITTER', 'EAST');
    const kindsArb = fc
      .record({ A: kindArb(), B: kindArb(), C: kindArb() }, { requiredKeys: [] })
      .map((k) => new Map(Object.entries(k) as [string, ProductKind][]));
    function kindArb(): fc.Arbitrary<ProductKind> {
      return fc.constantFrom<ProductKind>('storable', 'consumable', 'service');
    }
    const stocked = (kinds: ReadonlyMap<string, ProductKind>, sku: string): boolean => {
      const k = kinds.get(sku);
      return k !== 'consumable' && k !== 'service';
    };
    const units = (q: string): bigint => {
      const [i, f = ''] = q.split('.');
      return BigInt(i! + f.padEnd(4, '0'));
    };

    it('never allocates more than a warehouse has, nor from a warehouse the policy does not list; allocated covers exactly the ordered quantity of every line', () => {
      fc.assert(
        fc.property(lines, stockArb, customer, (ls, st, cust) => {
          const r = allocate({ lines: ls, customerId: cust, stock: st }, policy);
          if (r.kind !== 'allocated') return;
          const taken = new Map<string, bigint>();
          const perLine = new Map<string, bigint>();
          for (const p of r.parts) {
            assert.ok(['WH', 'WH2', 'WH3'].includes(p.warehouseCode));
            assert.ok(p.lines.length > 0);
            for (const l of p.lines) {
              assert.ok(units(l.qty) > 0n);
              taken.set(stockKey(l.sku, p.warehouseCode), (taken.get(stockKey(l.sku, p.warehouseCode)) ?? 0n) + units(l.qty));
              perLine.set(l.lineId, (perLine.get(l.lineId) ?? 0n) + units(l.qty));
            }
          }
          for (const [k, n] of taken) assert.ok(n <= units(st.get(k) ?? '0'), `${k}: took ${n}, had ${st.get(k)}`);
          for (const l of ls) assert.equal(perLine.get(l.lineId) ?? 0n, units(l.qty), `line ${l.lineId}`);
          if (cust !== 'SPLITTER') assert.ok(r.parts.length <= 1, 'no split unless the customer allows it');
        }),
        { numRuns: 500 },
      );
    });

    it('short only when no allowed way exists: for a split customer, when all warehouses together lack a SKU', () => {
      fc.assert(
        fc.property(lines, stockArb, (ls, st) => {
          const r = allocate({ lines: ls, customerId: 'SPLITTER', stock: st }, policy);
          const need = new Map<string, bigint>();
          for (const l of ls) need.set(l.sku, (need.get(l.sku) ?? 0n) + units(l.qty));
          const have = (sku: string): bigint =>
            ['WH', 'WH2', 'WH3'].reduce(
              (s, w) => s + (units(st.get(stockKey(sku, w)) ?? '0') > 0n ? units(st.get(stockKey(sku, w))!) : 0n),
              0n,
            );
          const lacking = [...need].filter(([sku, n]) => n > have(sku));
          assert.equal(r.kind, lacking.length > 0 ? 'short' : 'allocated');
          if (r.kind === 'short')
            assert.deepEqual(
              r.missing.map((m) => m.sku),
              lacking.map(([sku]) => sku),
            );
        }),
        { numRuns: 300 },
      );
    });

    it('with product kinds: never more than a warehouse has of a stocked SKU, lines that need no stock take none and ride with the first part; every line covered exactly', () => {
      fc.assert(
        fc.property(lines, stockArb, customer, kindsArb, (ls, st, cust, kinds) => {
          const r = allocate({ lines: ls, customerId: cust, stock: st, products: kinds }, policy);
          if (r.kind !== 'allocated') {
            // Short only for want of stocked SKUs.
            for (const m of r.missing) assert.ok(stocked(kinds, m.sku), `${m.sku} needs no stock but is reported missing`);
            return;
          }
          const taken = new Map<string, bigint>();
          const perLine = new Map<string, bigint>();
          r.parts.forEach((p, i) => {
            assert.ok(['WH', 'WH2', 'WH3'].includes(p.warehouseCode));
            assert.ok(p.lines.length > 0);
            const order = ls.map((l) => l.lineId);
            const ids = p.lines.map((l) => l.lineId);
            assert.deepEqual(
              ids,
              [...ids].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
              'order-line order',
            );
            for (const l of p.lines) {
              perLine.set(l.lineId, (perLine.get(l.lineId) ?? 0n) + units(l.qty));
              if (!stocked(kinds, l.sku)) {
                assert.equal(i, 0, `${l.sku} needs no stock: it rides with the first part`);
                continue;
              }
              const k = stockKey(l.sku, p.warehouseCode);
              taken.set(k, (taken.get(k) ?? 0n) + units(l.qty));
            }
          });
          for (const [k, n] of taken) assert.ok(n <= units(st.get(k) ?? '0'), `${k}: took ${n}, had ${st.get(k)}`);
          for (const l of ls) assert.equal(perLine.get(l.lineId) ?? 0n, units(l.qty), `line ${l.lineId}`);
          if (cust !== 'SPLITTER') assert.ok(r.parts.length <= 1, 'no split unless the customer allows it');
          if (ls.some((l) => units(l.qty) > 0n) && ls.every((l) => units(l.qty) === 0n || !stocked(kinds, l.sku)))
            assert.deepEqual(
              r.parts.map((p) => p.warehouseCode),
              [cust === 'EAST' ? 'WH2' : 'WH'],
              'nothing stocked: the preferred, else the first, warehouse',
            );
        }),
        { numRuns: 500 },
      );
    });

    it('lines that need no stock change nothing for the stocked lines; an unknown SKU counts as storable', () => {
      fc.assert(
        fc.property(lines, stockArb, customer, kindsArb, (ls, st, cust, kinds) => {
          const withKinds = allocate({ lines: ls, customerId: cust, stock: st, products: kinds }, policy);
          const stockedOnly = allocate({ lines: ls.filter((l) => stocked(kinds, l.sku)), customerId: cust, stock: st }, policy);
          assert.equal(withKinds.kind, stockedOnly.kind);
          if (withKinds.kind === 'allocated' && stockedOnly.kind === 'allocated' && stockedOnly.parts.length > 0)
            assert.deepEqual(
              withKinds.parts.map((p) => ({ ...p, lines: p.lines.filter((l) => stocked(kinds, l.sku)) })),
              stockedOnly.parts,
            );
          if (withKinds.kind === 'short' && stockedOnly.kind === 'short') assert.deepEqual(withKinds.missing, stockedOnly.missing);
          // Kinds of storable products, or none known: the same as no kinds at all.
          const storables = new Map([...kinds].filter(([, k]) => k === 'storable'));
          assert.deepEqual(
            allocate({ lines: ls, customerId: cust, stock: st, products: storables }, policy),
            allocate({ lines: ls, customerId: cust, stock: st }, policy),
          );
        }),
        { numRuns: 300 },
      );
    });

    it('deterministic: the same order and stock, in any map order, give the same result', () => {
      fc.assert(
        fc.property(lines, stockArb, customer, (ls, st, cust) => {
          const a: AllocationResult<(typeof ls)[number]> = allocate({ lines: ls, customerId: cust, stock: st }, policy);
          const reversed = new Map([...st].reverse());
          assert.deepEqual(allocate({ lines: ls, customerId: cust, stock: reversed }, policy), a);
          assert.deepEqual(allocate({ lines: structuredClone(ls), customerId: cust, stock: new Map(st) }, policy), a);
        }),
        { numRuns: 200 },
      );
    });
  });
});
