import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeKw, jsonRpc, useSimulator } from './helpers.js';

const sim = useSimulator();

async function json2(path: string, body: unknown, key: string | null = 'odx-dev-api-key', contentType = 'application/json'): Promise<{ status: number; body: unknown; headers: Headers }> {
  const headers: Record<string, string> = { 'Content-Type': contentType };
  if (key) headers.Authorization = `bearer ${key}`;
  const res = await fetch(`${sim().url}/json/2/${path}`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* html answers stay text */
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

describe('JSON-RPC /jsonrpc', () => {
  it('serves common and object services', async () => {
    const url = sim().url;
    assert.equal(((await jsonRpc(url, 'common', 'version', [])).result as { server_serie: string }).server_serie, '17.0');
    assert.equal((await jsonRpc(url, 'common', 'login', ['odx', 'admin', 'admin'])).result, 2);
    assert.equal((await jsonRpc(url, 'common', 'authenticate', ['odx', 'admin', 'nope', {}])).result, false);
    const rows = await executeKw<{ id: number; name: string; parent_id: unknown; list_price?: number }[]>(url, 'res.partner', 'search_read', [[['type', '=', 'delivery']]], { fields: ['name', 'parent_id'], limit: 2 });
    assert.equal(rows.length, 2);
    assert.ok(Array.isArray(rows[0]!.parent_id));
  });

  it('writes floats as Python json does (10.0)', async () => {
    const res = await fetch(`${sim().url}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', method: 'call', id: 7, params: { service: 'object', method: 'execute_kw', args: ['odx', 2, 'admin', 'stock.quant', 'search_read', [[['quantity', '>', 0]]], { fields: ['quantity'], limit: 1 }] } }),
    });
    assert.match(await res.text(), /"quantity":\d+\.0\}/);
  });

  it('errors use the Odoo envelope', async () => {
    const answer = await jsonRpc(sim().url, 'object', 'execute_kw', ['odx', 2, 'wrong', 'res.partner', 'search', [[]]]);
    assert.equal(answer.error?.code, 200);
    assert.equal(answer.error?.message, 'Odoo Server Error');
    assert.equal(answer.error?.data.name, 'odoo.exceptions.AccessDenied');
    assert.equal(answer.error?.data.message, 'Access Denied');
    assert.deepEqual(Object.keys(answer.error!.data), ['name', 'debug', 'message', 'arguments', 'context']);
    const missing = await jsonRpc(sim().url, 'object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'write', [[424242], { name: 'x' }]]);
    assert.equal(missing.error?.data.name, 'odoo.exceptions.MissingError');
  });
});

describe('JSON-2 /json/2/<model>/<method>', () => {
  it('named arguments; results as Odoo 19 returns them', async () => {
    const r = await json2('res.partner/search_read', { domain: [['is_company', '=', true]], fields: ['name', 'ref'], limit: 3, order: 'ref asc' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/json; charset=utf-8');
    const rows = r.body as { ref: string }[];
    assert.equal(rows.length, 3);
    assert.deepEqual(rows.map((x) => x.ref), ['C00001', 'C00002', 'C00003']);
    const created = await json2('res.partner/create', { vals_list: [{ name: 'JSON-2 Co' }] });
    assert.equal(created.status, 200);
    assert.ok(Array.isArray(created.body));
    const read = await json2('res.partner/read', { ids: created.body, fields: ['name'] });
    assert.deepEqual(read.body, [{ id: (created.body as number[])[0], name: 'JSON-2 Co' }]);
  });

  it('401 on a missing or bad key, with WWW-Authenticate', async () => {
    for (const key of [null, 'wrong']) {
      const r = await json2('res.partner/search', { domain: [] }, key);
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'bearer');
      assert.deepEqual(Object.keys(r.body as object), ['name', 'message', 'arguments', 'context', 'debug']);
      assert.equal((r.body as { name: string }).name, 'werkzeug.exceptions.Unauthorized');
    }
  });

  it('404 for an unknown model or method', async () => {
    const m = await json2('no.such/search', { domain: [] });
    assert.equal(m.status, 404);
    assert.equal((m.body as { message: string }).message, "the model 'no.such' does not exist");
    const f = await json2('res.partner/frobnicate', {});
    assert.equal(f.status, 404);
  });

  it('422 for bad arguments, 403 for private methods, 500 for a bad domain, 400/415 for bad bodies', async () => {
    assert.deepEqual((await json2('res.partner/search', {})).status, 422);
    assert.equal(((await json2('res.partner/search', {})).body as { message: string }).message, "missing a required argument: 'domain'");
    assert.equal((await json2('res.partner/search', { domain: [], badparameter: 1 })).status, 422);
    assert.equal(((await json2('res.partner/create', { ids: [1], vals_list: [] })).body as { message: string }).message, 'cannot call res.partner.create with ids');
    assert.equal((await json2('sale.order/_create_invoices', { ids: [1] })).status, 403);
    const bad = await json2('res.partner/search', { domain: [['nope', '=', 1]] });
    assert.equal(bad.status, 500);
    assert.equal((bad.body as { name: string }).name, 'builtins.ValueError');
    const notJson = await json2('res.partner/search', 'not json');
    assert.equal(notJson.status, 400);
    assert.match((notJson.body as { message: string }).message, /^could not parse the body as json: Expecting value/);
    assert.equal((await json2('res.partner/search', 'null')).status, 400);
    assert.equal((await json2('res.partner/search', 'domain=[]', 'odx-dev-api-key', 'application/x-www-form-urlencoded')).status, 415);
  });

  it('422 for a business rule (UserError)', async () => {
    const r = await json2('sale.order/action_confirm', { ids: [] });
    assert.equal(r.status, 200);
    const so = await json2('sale.order/create', { vals_list: [{ partner_id: 7 }] });
    const id = (so.body as number[])[0];
    await json2('sale.order/action_confirm', { ids: [id] });
    const again = await json2('sale.order/action_confirm', { ids: [id] });
    assert.equal(again.status, 422);
    assert.equal((again.body as { name: string }).name, 'odoo.exceptions.UserError');
  });
});
