import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import Odoo from 'odoo-await';
import { useSimulator } from './helpers.js';

const sim = useSimulator();

describe('unchanged third-party clients', () => {
  it('odoo-await (XML-RPC) connects, searches, creates, reads, updates and calls actions', async () => {
    const odoo = new Odoo({ baseUrl: sim().url, db: 'odx', username: 'admin', password: 'admin' });
    assert.equal(await odoo.connect(), 2);
    const partners = (await odoo.searchRead('res.partner', [['is_company', '=', true]], ['name', 'ref'], { offset: 0, limit: 5, order: 'ref', context: {} })) as { ref: string }[];
    assert.equal(partners.length, 5);
    assert.equal(partners[0]!.ref, 'C00001');
    const ids = (await odoo.search('res.partner', { ref: 'C00002' })) as number[];
    assert.equal(ids.length, 1);
    const created = (await odoo.create('sale.order', { partner_id: ids[0], client_order_ref: 'AWAIT-1' })) as number | number[];
    const orderId = Array.isArray(created) ? created[0]! : created;
    assert.equal(await odoo.update('sale.order', orderId, { note: 'via odoo-await' }), true);
    const [order] = (await odoo.read('sale.order', orderId, ['client_order_ref', 'note', 'partner_id'])) as { client_order_ref: string; note: string; partner_id: [number, string] }[];
    assert.equal(order!.client_order_ref, 'AWAIT-1');
    assert.equal(order!.partner_id[0], ids[0]);
    const fields = (await odoo.getFields('sale.order', ['type', 'string', 'relation'])) as Record<string, { type: string; relation?: string }>;
    assert.equal(fields.partner_id!.type, 'many2one');
    assert.equal(fields.partner_id!.relation, 'res.partner');
    await assert.rejects(new Odoo({ baseUrl: sim().url, db: 'odx', username: 'admin', password: 'bad' }).connect());
  });

  it("Python's xmlrpc.client example from Odoo's external API documentation", async () => {
    const script = `
import json, sys, xmlrpc.client
url, db, username, password = sys.argv[1], 'odx', 'admin', 'admin'
common = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/common")
version = common.version()
uid = common.authenticate(db, username, password, {})
models = xmlrpc.client.ServerProxy(f"{url}/xmlrpc/2/object")
rows = models.execute_kw(db, uid, password, 'res.partner', 'search_read', [[['is_company', '=', True]]], {'fields': ['name', 'country_code'], 'limit': 5})
count = models.execute_kw(db, uid, password, 'res.partner', 'search_count', [[['is_company', '=', True]]])
access = models.execute_kw(db, uid, password, 'res.partner', 'fields_get', [], {'attributes': ['string', 'help', 'type']})
try:
    models.execute_kw(db, uid, 'wrong', 'res.partner', 'search', [[]])
    fault = None
except xmlrpc.client.Fault as f:
    fault = [f.faultCode, f.faultString]
print(json.dumps({"server_version": version["server_version"], "uid": uid, "rows": rows, "count": count, "name_field": access["name"], "fault": fault}))
`;
    // async: the simulator runs in this process and must keep serving while Python waits
    const run = await promisify(execFile)('python3', ['-c', script, sim().url], { encoding: 'utf8', timeout: 30_000 });
    const out = JSON.parse(run.stdout) as { server_version: string; uid: number; rows: { id: number; name: string; country_code: string | false }[]; count: number; name_field: { type: string; string: string }; fault: [number, string] };
    assert.equal(out.server_version, '17.0');
    assert.equal(out.uid, 2);
    assert.equal(out.rows.length, 5);
    for (const r of out.rows) {
      assert.deepEqual(Object.keys(r).sort(), ['country_code', 'id', 'name']);
      assert.ok(['US', 'DE', 'FR', 'GB'].includes(r.country_code as string));
    }
    assert.ok(out.count >= 100);
    assert.deepEqual(out.name_field, { type: 'char', string: 'Name' });
    assert.deepEqual(out.fault, [3, 'Access Denied']);
  });
});
