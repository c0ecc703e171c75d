import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { admin, executeKw, useSimulator } from './helpers.js';

const sim = useSimulator();
const STAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
type Row = { id: number; write_date: string; create_date: string };

describe('create_date / write_date', () => {
  it('are UTC strings at second precision, maintained on every write, never going backwards', async () => {
    const url = sim().url;
    const id = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'Stamp Co' }]);
    const stamps: string[] = [];
    for (let i = 0; i < 5; i++) {
      await executeKw(url, 'res.partner', 'write', [[id], { phone: String(i) }]);
      const [r] = await executeKw<Row[]>(url, 'res.partner', 'read', [[id], ['write_date', 'create_date']]);
      assert.match(r!.write_date, STAMP);
      assert.match(r!.create_date, STAMP);
      stamps.push(r!.write_date);
    }
    assert.deepEqual([...stamps].sort(), stamps);
  });

  it('a frozen clock makes many writes share one write_date; a (write_date, id) cursor pages through them', async () => {
    const url = sim().url;
    await admin(url, '/clock/freeze', { at: '2031-05-05 12:00:00' });
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await executeKw<number>(url, 'res.partner', 'create', [{ name: `Same second ${i}` }]));
    await admin(url, '/clock/unfreeze');
    const rows = await executeKw<Row[]>(url, 'res.partner', 'search_read', [[['id', 'in', ids]]], { fields: ['write_date'], order: 'write_date asc, id asc' });
    assert.equal(new Set(rows.map((r) => r.write_date)).size, 1);
    const stamp = rows[0]!.write_date;
    const seen: number[] = [];
    let last = 0;
    for (let guard = 0; guard < 20; guard++) {
      const page = await executeKw<Row[]>(url, 'res.partner', 'search_read', [['&', ['id', 'in', ids], '|', ['write_date', '>', stamp], '&', ['write_date', '=', stamp], ['id', '>', last]]], {
        fields: ['write_date'],
        order: 'write_date asc, id asc',
        limit: 7,
      });
      if (page.length === 0) break;
      seen.push(...page.map((r) => r.id));
      last = page.at(-1)!.id;
    }
    assert.deepEqual(seen, ids);
  });

  it('keeps sub-second precision internally like PostgreSQL: "> shown second" still matches that write', async () => {
    const url = sim().url;
    await admin(url, '/clock/freeze', { at: '2032-01-01 10:00:00.250000' });
    const id = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'Subsecond' }]);
    await admin(url, '/clock/unfreeze');
    const [r] = await executeKw<Row[]>(url, 'res.partner', 'read', [[id], ['write_date']]);
    assert.equal(r!.write_date, '2032-01-01 10:00:00');
    assert.deepEqual(await executeKw<number[]>(url, 'res.partner', 'search', [[['id', '=', id], ['write_date', '>', r!.write_date]]]), [id]);
    assert.deepEqual(await executeKw<number[]>(url, 'res.partner', 'search', [[['id', '=', id], ['write_date', '=', r!.write_date]]]), []);
  });

  it('late commits: the context flag and the admin endpoint stamp older write_dates', async () => {
    const url = sim().url;
    const fresh = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'On time' }]);
    const late = await executeKw<number>(url, 'res.partner', 'create', [{ name: 'Late' }], { context: { sim_late_commit_seconds: 5 } });
    const [a, b] = await executeKw<Row[]>(url, 'res.partner', 'read', [[fresh, late], ['write_date']]);
    assert.ok(b!.write_date < a!.write_date, `${b!.write_date} < ${a!.write_date}`);
    const res = await admin(url, '/late-commit', { model: 'res.partner', ids: [fresh], seconds: 60 });
    assert.equal(res.status, 200);
    const [moved] = await executeKw<Row[]>(url, 'res.partner', 'read', [[fresh], ['write_date']]);
    assert.ok(moved!.write_date < b!.write_date);
  });
});
