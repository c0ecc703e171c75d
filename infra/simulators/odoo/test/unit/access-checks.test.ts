// The access-check methods a client written from Odoo's external API documentation calls first.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { executeKw, jsonRpc, useSimulator, xmlRpc } from './helpers.js';

const sim = useSimulator();

describe('access checks as Odoo answers them', () => {
  it("check_access_rights (Odoo 17): the documentation's first call, with raise_exception=False, and positionally", async () => {
    assert.equal(await executeKw(sim().url, 'res.partner', 'check_access_rights', ['read'], { raise_exception: false }), true);
    assert.equal(await executeKw(sim().url, 'sale.order', 'check_access_rights', ['create', false]), true);
    assert.equal(await executeKw(sim().url, 'res.partner', 'check_access_rights', ['unlink']), true);
    const xml = await xmlRpc(sim().url, '/xmlrpc/2/object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', 'check_access_rights', ['read'], { raise_exception: false }]);
    assert.deepEqual(xml, { result: true });
  });

  it('check_access and has_access (Odoo 18) on an empty recordset or on records; check_access_rule on records', async () => {
    assert.equal(await executeKw(sim().url, 'res.partner', 'has_access', [[], 'read']), true);
    assert.equal(await executeKw(sim().url, 'res.partner', 'check_access', [[], 'write']), null);
    const [id] = await executeKw<number[]>(sim().url, 'res.partner', 'search', [[]], { limit: 1 });
    assert.equal(await executeKw(sim().url, 'res.partner', 'has_access', [[id], 'write']), true);
    assert.equal(await executeKw(sim().url, 'res.partner', 'check_access', [[id]], { operation: 'unlink' }), null);
    assert.equal(await executeKw(sim().url, 'res.partner', 'check_access_rule', [[id], 'read']), null);
  });

  it('an operation that is not read/write/create/unlink is an AssertionError, a missing one a TypeError', async () => {
    await assert.rejects(executeKw(sim().url, 'res.partner', 'check_access_rights', ['delete']), /AssertionError: Invalid access mode/);
    await assert.rejects(executeKw(sim().url, 'res.partner', 'has_access', [[], 'export']), /AssertionError: Invalid access mode/);
    await assert.rejects(executeKw(sim().url, 'res.partner', 'check_access_rights', []), /TypeError: .*missing 1 required positional argument: 'operation'/);
  });

  it('method names found on Object.prototype are unknown methods, not a crash', async () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      const answer = await jsonRpc(sim().url, 'object', 'execute_kw', ['odx', 2, 'admin', 'res.partner', name, [[]], {}]);
      assert.equal(answer.error?.data.name, 'builtins.AttributeError', name);
      assert.match(answer.error?.data.message ?? '', new RegExp(`The method '${name}' does not exist on the model 'res.partner'`));
    }
  });
});
