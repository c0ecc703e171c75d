import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useSimulator, xmlRpc } from './helpers.js';

const sim = useSimulator();

async function post(path: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${sim().url}${path}`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
  return { status: res.status, text: await res.text() };
}

describe('XML-RPC /xmlrpc/2', () => {
  it('common.version, authenticate and login', async () => {
    const v = await xmlRpc(sim().url, '/xmlrpc/2/common', 'version', []);
    assert.equal((v.result as Record<string, unknown>).server_version, '17.0');
    assert.deepEqual((await xmlRpc(sim().url, '/xmlrpc/2/common', 'authenticate', ['odx', 'admin', 'admin', {}])).result, 2);
    assert.deepEqual((await xmlRpc(sim().url, '/xmlrpc/2/common', 'authenticate', ['odx', 'admin', 'odx-dev-api-key', {}])).result, 2);
    assert.deepEqual((await xmlRpc(sim().url, '/xmlrpc/2/common', 'authenticate', ['odx', 'admin', 'wrong', {}])).result, false);
    assert.deepEqual((await xmlRpc(sim().url, '/xmlrpc/2/common', 'login', ['odx', 'admin', 'admin'])).result, 2);
  });

  it('execute_kw round-trips ints, doubles, booleans, strings, arrays, structs and many2one pairs', async () => {
    const r = await xmlRpc(sim().url, '/xmlrpc/2/object', 'execute_kw', [
      'odx', 2, 'admin', 'product.product', 'search_read', [[['default_code', '=', 'SKU-00002']]], { fields: ['name', 'list_price', 'uom_id', 'active', 'taxes_id', 'barcode'] },
    ]);
    const [p] = r.result as Record<string, unknown>[];
    assert.ok(p);
    assert.equal(typeof p.list_price, 'number');
    assert.deepEqual(p.uom_id, [1, 'Units']);
    assert.equal(p.active, true);
    assert.ok(Array.isArray(p.taxes_id));
    assert.match(String(p.barcode), /^\d{13}$/);
  });

  it('marshals float fields as <double> even when whole (Python float)', async () => {
    const res = await post(
      '/xmlrpc/2/object',
      `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params><param><value><string>odx</string></value></param><param><value><int>2</int></value></param><param><value><string>admin</string></value></param><param><value><string>stock.quant</string></value></param><param><value><string>search_read</string></value></param><param><value><array><data><value><array><data></data></array></value></data></array></value></param><param><value><struct><member><name>fields</name><value><array><data><value><string>quantity</string></value></data></array></value></member><member><name>limit</name><value><i4>1</i4></value></member></struct></value></param></params></methodCall>`,
    );
    assert.match(res.text, /<name>quantity<\/name>\n<value><double>\d+\.0<\/double><\/value>/);
  });

  it('faults like Odoo: 3 Access Denied, 2 UserError, 4 AccessError, 1 traceback', async () => {
    const url = sim().url;
    const denied = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'bad', 'res.partner', 'search', [[]]]);
    assert.deepEqual(denied.fault, { faultCode: 3, faultString: 'Access Denied' });
    const noModel = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'x.y', 'search', [[]]]);
    assert.deepEqual(noModel.fault, { faultCode: 2, faultString: "Object x.y doesn't exist" });
    const priv = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'sale.order', '_create_invoices', [[1]]]);
    assert.equal(priv.fault?.faultCode, 4);
    const missing = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'read', [[999999]]]);
    assert.deepEqual(missing.fault, { faultCode: 2, faultString: 'Record does not exist or has been deleted.\n(Record: res.partner(999999,), User: 2)' });
    const bad = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'frobnicate', [[]]]);
    assert.equal(bad.fault?.faultCode, 1);
    assert.match(String(bad.fault?.faultString), /^Traceback \(most recent call last\):\n[\s\S]*AttributeError: The method 'frobnicate' does not exist on the model 'res.partner'\n$/);
    const args = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'search', [], { bogus: 1 }]);
    assert.match(String(args.fault?.faultString), /TypeError: BaseModel\.search\(\) got an unexpected keyword argument 'bogus'/);
    const wrongDb = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['nodb', 2, 'admin', 'res.partner', 'search', [[]]]);
    assert.match(String(wrongDb.fault?.faultString), /database "nodb" does not exist/);
  });

  it('a method returning None is a marshalling fault (allow_none=False), after its effect committed', async () => {
    const url = sim().url;
    const quant = (await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'stock.quant', 'search', [[]], { limit: 1 }])).result as number[];
    await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'stock.quant', 'write', [quant, { inventory_quantity: 77 }]]);
    const r = await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'stock.quant', 'action_apply_inventory', [quant]]);
    assert.match(String(r.fault?.faultString), /TypeError: cannot marshal None unless allow_none is enabled/);
    const [q] = (await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'stock.quant', 'read', [quant, ['quantity']]])).result as { quantity: number }[];
    assert.equal(q?.quantity, 77);
  });

  it('legacy /xmlrpc/<service> sends string fault codes', async () => {
    const r = await xmlRpc(sim().url, '/xmlrpc/object', 'execute_kw', ['odx', 2, 'admin', 'x.y', 'search', [[]]]);
    assert.equal(r.fault?.faultCode, "warning -- UserError\n\nObject x.y doesn't exist");
  });

  it('GET is 405 and unknown services fault', async () => {
    assert.equal((await fetch(`${sim().url}/xmlrpc/2/common`)).status, 405);
    const r = await xmlRpc(sim().url, '/xmlrpc/2/nope', 'version', []);
    assert.match(String(r.fault?.faultString), /KeyError: 'nope'/);
  });

  it('decodes entities and character references', async () => {
    const url = sim().url;
    const id = (await xmlRpc(url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'create', [{ name: 'A & B <x> "q" é' }]])).result as number;
    const raw = await post(
      '/xmlrpc/2/object',
      `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params><param><value>odx</value></param><param><value><int>2</int></value></param><param><value>admin</value></param><param><value>res.partner</value></param><param><value>search</value></param><param><value><array><data><value><array><data><value><array><data><value>name</value><value>=</value><value>A &amp; B &lt;x&gt; &quot;q&quot; &#233;</value></data></array></value></data></array></value></data></array></value></param></params></methodCall>`,
    );
    assert.match(raw.text, new RegExp(`<int>${id}</int>`));
  });
});
