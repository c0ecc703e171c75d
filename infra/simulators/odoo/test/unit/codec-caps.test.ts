// The codecs' caps are settings (options of startOdooSimulator, ODOO_SIM_* environment variables): a request
// over one gets a fault or a 4xx that names the cap and its setting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCliOptions } from '../../src/cli-options.js';
import { compileOptions } from '../../src/options.js';
import { parseMethodResponse } from '../../src/protocol/xmlrpc-codec.js';
import { useSimulator } from './helpers.js';

const call = (value: string): string =>
  `<?xml version="1.0"?><methodCall><methodName>version</methodName><params><param><value>${value}</value></param></params></methodCall>`;
const arrays = (n: number): string => '<array><data><value>'.repeat(n) + '<int>1</int>' + '</value></data></array>'.repeat(n);
const json = (levels: number): string =>
  `{"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"common","method":"version","args":[${'['.repeat(levels)}${']'.repeat(levels)}]}}`;

async function xmlFault(url: string, body: string): Promise<string> {
  const res = await fetch(`${url}/xmlrpc/2/common`, { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body });
  assert.equal(res.status, 200);
  return String(parseMethodResponse(await res.text()).fault?.faultString ?? '');
}

async function jsonRpcStatus(url: string, body: string): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  return { status: res.status, text: await res.text() };
}

describe('codec caps as settings', () => {
  it('defaults: 10 MB bodies, 100 XML-RPC levels, 64 JSON levels; the environment sets each, and a bad value names its variable', () => {
    const defaults = compileOptions({});
    assert.deepEqual([defaults.maxBodyBytes, defaults.maxXmlRpcDepth, defaults.maxJsonDepth], [10 * 1024 * 1024, 100, 64]);
    const fromEnv = loadCliOptions({ ODOO_SIM_MAX_BODY_BYTES: '65536', ODOO_SIM_MAX_XMLRPC_DEPTH: '20', ODOO_SIM_MAX_JSON_DEPTH: '8' }, {});
    assert.deepEqual([fromEnv.maxBodyBytes, fromEnv.maxXmlRpcDepth, fromEnv.maxJsonDepth], [65536, 20, 8]);
    const unset = loadCliOptions({}, {});
    assert.deepEqual([unset.maxBodyBytes, unset.maxXmlRpcDepth, unset.maxJsonDepth], [10 * 1024 * 1024, 100, 64]);
    const bad: Array<[Record<string, string>, RegExp]> = [
      [{ ODOO_SIM_MAX_XMLRPC_DEPTH: '0' }, /ODOO_SIM_MAX_XMLRPC_DEPTH: at least 1/],
      [{ ODOO_SIM_MAX_XMLRPC_DEPTH: '5000' }, /ODOO_SIM_MAX_XMLRPC_DEPTH: at most 1000/],
      [{ ODOO_SIM_MAX_JSON_DEPTH: '2.5' }, /ODOO_SIM_MAX_JSON_DEPTH: a whole number/],
      [{ ODOO_SIM_MAX_JSON_DEPTH: 'deep' }, /ODOO_SIM_MAX_JSON_DEPTH/],
      [{ ODOO_SIM_MAX_BODY_BYTES: '10' }, /ODOO_SIM_MAX_BODY_BYTES: at least 1024/],
      [{ ODOO_SIM_MAX_BODY_BYTES: String(2 * 1024 ** 3) }, /ODOO_SIM_MAX_BODY_BYTES: at most 1073741824/],
    ];
    for (const [env, message] of bad) assert.throws(() => loadCliOptions(env, {}), message, JSON.stringify(env));
  });

  describe('a simulator with small caps', () => {
    const sim = useSimulator({ maxXmlRpcDepth: 3, maxJsonDepth: 4, maxBodyBytes: 4096 });

    it('XML-RPC: 3 levels are read, 4 are a ValueError fault naming the cap and ODOO_SIM_MAX_XMLRPC_DEPTH', async () => {
      assert.equal(await xmlFault(sim().url, call(arrays(3))), '');
      assert.match(
        await xmlFault(sim().url, call(arrays(4))),
        /ValueError: XML-RPC value nested deeper than 3 arrays\/structs \(the cap; setting ODOO_SIM_MAX_XMLRPC_DEPTH\)/,
      );
      // Other elements: the parser's cap follows the setting (3 per level, and 16).
      assert.match(
        await xmlFault(sim().url, call('<a>'.repeat(30) + '</a>'.repeat(30))),
        /ExpatError: .*more than 25 elements within each other: 3 per level of ODOO_SIM_MAX_XMLRPC_DEPTH, and 16/,
      );
    });

    it('JSON-RPC and JSON-2: 4 levels are read, 5 are a 400 naming the cap and ODOO_SIM_MAX_JSON_DEPTH', async () => {
      // The envelope and params are 2 levels, args 3: one more bracket pair makes 4.
      assert.equal((await jsonRpcStatus(sim().url, json(1))).status, 200);
      assert.deepEqual(await jsonRpcStatus(sim().url, json(2)), {
        status: 400,
        text: 'Invalid JSON data: nested deeper than 4 levels (the cap; setting ODOO_SIM_MAX_JSON_DEPTH)',
      });
      const j2 = await fetch(`${sim().url}/json/2/res.partner/search_read`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'bearer odx-dev-api-key' },
        body: JSON.stringify({ domain: [[['id', '=', [1]]]] }),
      });
      assert.equal(j2.status, 400);
      assert.match(
        ((await j2.json()) as { message: string }).message,
        /could not parse the body as json: nested deeper than 4 levels \(the cap; setting ODOO_SIM_MAX_JSON_DEPTH\)/,
      );
    });

    it('a body over the byte cap is a 413 naming it and ODOO_SIM_MAX_BODY_BYTES', async () => {
      const res = await fetch(`${sim().url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `"${'x'.repeat(5000)}"` });
      assert.equal(res.status, 413);
      assert.match(await res.text(), /capacity limit \(4096 bytes; setting ODOO_SIM_MAX_BODY_BYTES\)/);
    });
  });

  describe('a simulator with the largest caps the settings allow', () => {
    const sim = useSimulator({ maxXmlRpcDepth: 1000, maxJsonDepth: 1000 });

    it('reads 1,000 levels of XML-RPC and JSON without a stack overflow, and refuses 1,001 naming the cap', async () => {
      assert.equal(await xmlFault(sim().url, call(arrays(1000))), '');
      assert.match(await xmlFault(sim().url, call(arrays(1001))), /nested deeper than 1000 arrays\/structs/);
      assert.equal((await jsonRpcStatus(sim().url, json(997))).status, 200);
      assert.equal((await jsonRpcStatus(sim().url, json(998))).status, 400);
    });
  });
});
