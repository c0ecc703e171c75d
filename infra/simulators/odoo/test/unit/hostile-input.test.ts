import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMethodResponse } from '../../src/protocol/xmlrpc-codec.js';
import { jsonRpc, useSimulator } from './helpers.js';

const sim = useSimulator({ maxBodyBytes: 10 * 1024 * 1024 });

async function postXml(body: string | Buffer): Promise<{ status: number; fault?: { faultCode: unknown; faultString: unknown } }> {
  const res = await fetch(`${sim().url}/xmlrpc/2/object`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
  const text = await res.text();
  return { status: res.status, fault: res.status === 200 ? parseMethodResponse(text).fault : undefined };
}

describe('malformed and hostile input', () => {
  it('bad XML is an ExpatError fault, not a crash', async () => {
    const r = await postXml('<methodCall><methodName>x</methodName><params>');
    assert.equal(r.status, 200);
    assert.equal(r.fault?.faultCode, 1);
    assert.match(String(r.fault?.faultString), /ExpatError/);
    const empty = await postXml('');
    assert.match(String(empty.fault?.faultString), /ExpatError: no element found/);
  });

  it('refuses DTDs, so entity-expansion bombs are harmless', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">]><methodCall><methodName>&lol2;</methodName></methodCall>`;
    const r = await postXml(bomb);
    assert.equal(r.fault?.faultCode, 1);
    assert.match(String(r.fault?.faultString), /Forbidden/);
    const external = await postXml(
      `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>`,
    );
    assert.match(String(external.fault?.faultString), /Forbidden/);
  });

  it('huge integers, bad numbers, unknown tags and deep nesting are faults', async () => {
    const call = (value: string) =>
      `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params><param><value>odx</value></param><param><value>${value}</value></param></params></methodCall>`;
    assert.match(String((await postXml(call('<int>99999999999999999999999</int>'))).fault?.faultString), /integer out of range/);
    assert.match(String((await postXml(call('<double>abc</double>'))).fault?.faultString), /could not convert string to float/);
    assert.match(String((await postXml(call('<boolean>7</boolean>'))).fault?.faultString), /bad boolean value/);
    assert.match(String((await postXml(call('<blob>1</blob>'))).fault?.faultString), /unknown XML-RPC tag/);
    const deep = '<array><data><value>'.repeat(500) + '1' + '</value></data></array>'.repeat(500);
    assert.match(String((await postXml(call(deep))).fault?.faultString), /nested/i);
  });

  it('nesting past the caps is refused before parsing, naming the cap, in linear time', async () => {
    const call = (value: string) =>
      `<?xml version="1.0"?><methodCall><methodName>execute_kw</methodName><params><param><value>${value}</value></param></params></methodCall>`;
    const arrays = (n: number) => '<value><array><data>'.repeat(n) + '<value><int>1</int></value>' + '</data></array></value>'.repeat(n);
    const structs = (n: number) =>
      '<value><struct><member><name>a</name>'.repeat(n) + '<value>1</value>' + '</member></struct></value>'.repeat(n);
    for (const [name, xml] of [
      ['100,000 arrays (4 MB)', call(arrays(100_000))],
      ['100,000 structs (5 MB)', call(structs(100_000))],
      ['101 arrays', call(arrays(101))],
      ['an array in 101 structs', call(structs(101))],
    ] as const) {
      const t0 = performance.now();
      const r = await postXml(xml);
      assert.equal(r.status, 200, name);
      assert.match(String(r.fault?.faultString), /ValueError: XML-RPC value nested deeper than 100 arrays\/structs \(the cap; setting ODOO_SIM_MAX_XMLRPC_DEPTH\)/, name);
      assert.ok(performance.now() - t0 < 2_000, `${name}: ${(performance.now() - t0).toFixed(0)} ms`);
    }
    // 100 levels are read (the call then fails on its own arguments, not on nesting).
    const within = await postXml(call(arrays(100)));
    assert.doesNotMatch(String(within.fault?.faultString), /nested|Maximum/);
    // Any other element nested past the parser's cap is an ExpatError naming it, not a bare Error.
    const tags = await postXml(call('<a>'.repeat(1_000) + '</a>'.repeat(1_000)));
    assert.match(String(tags.fault?.faultString), /ExpatError: Maximum nested tags exceeded \(more than 316 elements within each other: 3 per level of ODOO_SIM_MAX_XMLRPC_DEPTH, and 16\)/);

    const url = sim().url;
    for (const body of [
      `{"jsonrpc":"2.0","method":"call","params":{"service":"common","method":"version","args":${'['.repeat(1_000_000)}`,
      `{"jsonrpc":"2.0","method":"call","params":${'{"a":'.repeat(65)}1${'}'.repeat(65)}}`,
    ]) {
      const t0 = performance.now();
      const r = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(r.status, 400);
      assert.equal(await r.text(), 'Invalid JSON data: nested deeper than 64 levels (the cap; setting ODOO_SIM_MAX_JSON_DEPTH)');
      assert.ok(performance.now() - t0 < 2_000, `${(performance.now() - t0).toFixed(0)} ms`);
    }
    const j2 = await fetch(`${url}/json/2/res.partner/search_read`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'bearer x' },
      body: `{"domain":${'['.repeat(1_000_000)}`,
    });
    assert.equal(j2.status, 400);
    assert.match(await j2.text(), /could not parse the body as json: nested deeper than 64 levels/);
    // Brackets inside strings do not count.
    const ok = await fetch(`${url}/jsonrpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        method: 'call',
        id: 1,
        params: { service: 'common', method: 'version', args: [], x: '['.repeat(1000) },
      }),
    });
    assert.equal(ok.status, 200);
  });

  it('bodies over 10 MB get 413', async () => {
    const big = Buffer.alloc(10 * 1024 * 1024 + 10, 0x61);
    const r = await fetch(`${sim().url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big });
    assert.equal(r.status, 413);
    const x = await postXml(big);
    assert.equal(x.status, 413);
  });

  it('JSON-RPC: bad JSON 400, wrong content type 415, non-object 400', async () => {
    const url = sim().url;
    const bad = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"jsonrpc":' });
    assert.equal(bad.status, 400);
    assert.equal(await bad.text(), 'Invalid JSON data');
    const ct = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    assert.equal(ct.status, 415);
    assert.match(await ct.text(), /Please verify the Content-Type request header and try again/);
    const arr = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '[1,2]' });
    assert.equal(arr.status, 400);
  });

  it('wrong argument shapes and unknown methods are Odoo errors', async () => {
    const url = sim().url;
    const r1 = await jsonRpc(url, 'object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'search', 'notalist']);
    assert.equal(r1.error?.data.name, 'builtins.TypeError');
    const r2 = await jsonRpc(url, 'object', 'nope', []);
    assert.equal(r2.error?.data.name, 'builtins.NameError');
    const r3 = await jsonRpc(url, 'object', 'execute_kw', ['odx', 'abc', 'admin', 'res.partner', 'search', [[]]]);
    assert.equal(r3.error?.data.name, 'builtins.ValueError');
    const r4 = await jsonRpc(url, 'object', 'execute_kw', [
      'odx',
      2,
      'admin',
      'res.partner',
      'create',
      [{ name: 'x', __proto__: { admin: true }, bogus: 1 }],
    ]);
    assert.match(String(r4.error?.data.message), /Invalid field 'bogus' on model 'res.partner'/);
    const r5 = await jsonRpc(url, 'object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'search', [[['id', '=', 1e300]]]]);
    assert.deepEqual(r5.result, []);
  });

  it('a failed call leaves nothing half-written (transaction rollback)', async () => {
    const url = sim().url;
    const before = (await jsonRpc(url, 'object', 'execute_kw', ['odx', 2, 'admin', 'sale.order', 'search_count', [[]]])).result;
    const r = await jsonRpc(url, 'object', 'execute_kw', [
      'odx',
      2,
      'admin',
      'sale.order',
      'create',
      [[{ partner_id: 7 }, { partner_id: 999999 }]],
    ]);
    assert.equal(r.error?.data.name, 'odoo.exceptions.ValidationError');
    const after = (await jsonRpc(url, 'object', 'execute_kw', ['odx', 2, 'admin', 'sale.order', 'search_count', [[]]])).result;
    assert.equal(after, before);
  });
});
