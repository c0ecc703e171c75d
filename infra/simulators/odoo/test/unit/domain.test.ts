import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { executeKw, useSimulator } from './helpers.js';

const sim = useSimulator();
const ids: Record<'A' | 'B' | 'C' | 'D' | 'E', number> = { A: 0, B: 0, C: 0, D: 0, E: 0 };
let all: number[] = [];

before(async () => {
  const url = (await sim.ready()).url;
  ids.A = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'Alpha Tools', ref: 'R1', is_company: true, customer_rank: 5, email: 'a@x.com' }]);
  ids.B = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'beta supplies', is_company: true, customer_rank: 0 }]);
  ids.C = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'Gamma_Co', ref: 'R3', parent_id: ids.A, customer_rank: 2 }]);
  ids.D = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'Delta 100%', ref: 'R4', parent_id: ids.C, active: false }]);
  ids.E = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'Epsilon', ref: 'R5', customer_rank: 10, city: 'Lyon' }]);
  all = Object.values(ids);
});

const names = (found: number[]): string[] =>
  Object.entries(ids)
    .filter(([, id]) => found.includes(id))
    .map(([k]) => k)
    .sort();

async function search(domain: unknown[], context: Record<string, unknown> = {}): Promise<string[]> {
  const found = await executeKw<number[]>(sim().url, 'res.partner', 'search', [[['id', 'in', all], ...domain]], { context });
  return names(found);
}

const cases: [string, unknown[], string[], Record<string, unknown>?][] = [
  ['= string', [['name', '=', 'Alpha Tools']], ['A']],
  ['= False is IS NULL', [['ref', '=', false]], ['B']],
  ['!= False is IS NOT NULL', [['ref', '!=', false]], ['A', 'C', 'E']],
  ['!= value also matches NULL', [['ref', '!=', 'R1']], ['B', 'C', 'E']],
  ['>', [['customer_rank', '>', 2]], ['A', 'E']],
  ['>=', [['customer_rank', '>=', 2]], ['A', 'C', 'E']],
  ['<', [['customer_rank', '<', 2]], ['B']],
  ['<=', [['customer_rank', '<=', 0]], ['B']],
  ['in', [['ref', 'in', ['R1', 'R5']]], ['A', 'E']],
  ['in with False adds NULL', [['ref', 'in', ['R1', false]]], ['A', 'B']],
  ['not in keeps NULL', [['ref', 'not in', ['R1']]], ['B', 'C', 'E']],
  ['not in with False drops NULL', [['ref', 'not in', ['R1', false]]], ['C', 'E']],
  ['in [] is FALSE', [['ref', 'in', []]], []],
  ['= list becomes in', [['ref', '=', ['R1', 'R3']]], ['A', 'C']],
  ['like is case-sensitive substring', [['name', 'like', 'Tools']], ['A']],
  ['like lowercase misses', [['name', 'like', 'tools']], []],
  ['ilike', [['name', 'ilike', 'TOOLS']], ['A']],
  ['=like uses the pattern as given', [['name', '=like', 'Gamma_Co']], ['C']],
  ['=ilike', [['name', '=ilike', 'alpha%']], ['A']],
  ['like with a hyphen in the pattern (no needless escape)', [['email', '=like', 'a@x.com'], ['name', 'not like', '-']], ['A']],
  ['not like', [['name', 'not like', 'a']], ['E']],
  ['not ilike', [['name', 'not ilike', 'ALPHA']], ['B', 'C', 'E']],
  ['ilike on NULL column', [['city', 'ilike', 'ly']], ['E']],
  ['| prefix', ['|', ['ref', '=', 'R1'], ['ref', '=', 'R5']], ['A', 'E']],
  ['! negates the operator (NULL matches)', ['!', ['ref', '=', 'R1']], ['B', 'C', 'E']],
  ['! on =like stays SQL NOT (NULL unknown)', ['!', ['ref', '=like', 'R%']], []],
  ['& | nesting', ['&', '|', ['ref', '=', 'R1'], ['ref', '=', 'R3'], ['is_company', '=', true]], ['A']],
  ['! over |', ['!', '|', ['ref', '=', 'R1'], ['ref', '=', 'R5']], ['B', 'C']],
  ['implicit &', [['is_company', '=', true], ['customer_rank', '>', 0]], ['A']],
  ['boolean = False matches NULL/False', [['is_company', '=', false]], ['C', 'E']],
  ['boolean != True', [['is_company', '!=', true]], ['C', 'E']],
  ['many2one = False', [['parent_id', '=', false]], ['A', 'B', 'E']],
  ['many2one = id', [['parent_id', '=', 0]], []],
  ['many2one by name', [['parent_id', 'ilike', 'alpha']], ['C']],
  ['dotted path on many2one', [['parent_id.ref', '=', 'R1']], ['C']],
  ['dotted path ilike', [['parent_id.name', 'ilike', 'alpha']], ['C']],
  ['! dotted path keeps records without parent', ['!', ['parent_id.ref', '=', 'R1']], ['A', 'B', 'E']],
  ['=? with False is TRUE', [['ref', '=?', false]], ['A', 'B', 'C', 'E']],
  ['=? with value is =', [['ref', '=?', 'R1']], ['A']],
  ['child_of on id', [['id', 'child_of', '__A__']], ['A', 'C']],
  ['child_of on parent_id', [['parent_id', 'child_of', '__A__']], ['A', 'C']],
  ['parent_of', [['id', 'parent_of', '__C__']], ['A', 'C']],
  ['active_test hides archived', [], ['A', 'B', 'C', 'E']],
  ['active_test=False shows archived', [], ['A', 'B', 'C', 'D', 'E'], { active_test: false }],
  ['explicit active leaf disables the filter', [['active', '=', false]], ['D']],
  ['child_of includes archived with active_test=False', [['id', 'child_of', '__A__']], ['A', 'C', 'D'], { active_test: false }],
  ['datetime with a date only', [['create_date', '>=', '2000-01-01']], ['A', 'B', 'C', 'E']],
  ['datetime in the past', [['write_date', '<', '2000-01-01 00:00:00']], []],
  ['TRUE leaf', [[1, '=', 1]], ['A', 'B', 'C', 'E']],
  ['FALSE leaf', [[0, '=', 1]], []],
];

describe('domain semantics (odoo/osv/expression.py)', () => {
  for (const [title, domain, expected, context] of cases) {
    it(title, async () => {
      const resolved = JSON.parse(JSON.stringify(domain).replace(/"__([A-E])__"/g, (_m, k: keyof typeof ids) => String(ids[k])));
      assert.deepEqual(await search(resolved, context), expected);
    });
  }

  it('one2many != False finds parents with children', async () => {
    const found = await search([['child_ids', '!=', false]]);
    assert.ok(found.includes('A'));
    assert.ok(!found.includes('B') && !found.includes('E'));
  });

  it('rejects an unknown operator with "Invalid leaf"', async () => {
    await assert.rejects(search([['name', 'bogus', 'x']]), /builtins\.ValueError: Invalid leaf \('name', 'bogus', 'x'\)/);
  });

  it('rejects an unknown field with "Invalid field"', async () => {
    await assert.rejects(search([['nope', '=', 1]]), /builtins\.ValueError: Invalid field res\.partner\.nope in leaf \('nope', '=', 1\)/);
  });

  it('rejects a syntactically broken prefix domain', async () => {
    await assert.rejects(
      executeKw(sim().url, 'res.partner', 'search', [['|', ['name', '=', 'x']]]),
      /ValueError: Domain \['\|', \['name', '=', 'x'\]\] is syntactically not correct\./,
    );
  });

  it('orders, offsets and limits like SQL (NULLS LAST on asc)', async () => {
    const url = sim().url;
    const byRef = await executeKw<number[]>(url, 'res.partner', 'search', [[['id', 'in', all]]], { order: 'ref asc' });
    assert.deepEqual(byRef, [ids.A, ids.C, ids.E, ids.B]);
    const desc = await executeKw<number[]>(url, 'res.partner', 'search', [[['id', 'in', all]]], { order: 'customer_rank desc, id asc', offset: 1, limit: 2 });
    assert.deepEqual(desc, [ids.A, ids.C]);
    await assert.rejects(executeKw(url, 'res.partner', 'search', [[]], { order: 'name; drop table' }), /Invalid "order" specified/);
  });
});
