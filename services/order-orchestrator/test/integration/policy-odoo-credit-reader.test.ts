import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it, before, after } from 'node:test';
import { OdxError } from '@odx/runtime';
import { CREDIT_HOLD_CUSTOMER, startOdooSimulator, type OdooSimulator } from '@odx/sim-odoo';
import { OdooCreditReader, type OdooCreditReaderOptions } from '../../src/policy/odoo-credit-reader.js';
import { decideCredit, loadOrchestratorPolicy } from '../../src/policy/index.js';

let sim: OdooSimulator;
const readers: OdooCreditReader[] = [];
before(async () => {
  sim = await startOdooSimulator({ port: 0, seed: { products: 20, customers: 10 } });
});
after(async () => {
  for (const r of readers) r.close();
  await sim.close();
});

function reader(over: Partial<OdooCreditReaderOptions> = {}): OdooCreditReader {
  const r = new OdooCreditReader({ url: sim.url, db: 'odx', username: 'admin', password: 'admin', timeoutMs: 2_000, ...over });
  readers.push(r);
  return r;
}

async function rpc<T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(`${sim.url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: { service: 'object', method: 'execute_kw', args: ['odx', 2, 'admin', model, method, args, kwargs] },
    }),
  });
  const body = (await res.json()) as { result?: T; error?: { data: { message: string } } };
  if (body.error) throw new Error(body.error.data.message);
  return body.result as T;
}

async function admin(path: string, body: unknown = {}, method = 'POST'): Promise<void> {
  const res = await fetch(`${sim.url}/sim/admin${path}`, {
    method,
    headers: { authorization: 'Bearer sim-admin', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  assert.ok(res.ok, `admin ${path}: ${res.status}`);
}

async function partnerId(ref: string): Promise<number> {
  const [id] = await rpc<number[]>('res.partner', 'search', [[['ref', '=', ref]]]);
  assert.ok(id, ref);
  return id;
}

async function rejectsWith(p: Promise<unknown>, kind: 'transient' | 'permanent', errorClass: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OdxError, `an OdxError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    if (typeof errorClass === 'string') assert.equal(err.errorClass, errorClass, err.message);
    else assert.match(err.errorClass, errorClass, err.message);
    return true;
  });
}

describe('OdooCreditReader against the Odoo simulator over HTTP (JSON-RPC)', () => {
  it('reads the demo customer: limit 5000.00, open receivables 3220.00 (invoices not paid or partly paid, less the open credit note); the default policy holds a 2,000.00 order', async () => {
    const id = await partnerId(CREDIT_HOLD_CUSTOMER.ref);
    const credit = await reader().read(String(id));
    assert.deepEqual(
      { ...credit, readAt: null },
      { partnerId: id, creditLimit: '5000.00', openReceivables: '3220.00', openMoves: 3, readAt: null },
    );
    const policy = loadOrchestratorPolicy();
    const d = decideCredit({ customerId: CREDIT_HOLD_CUSTOMER.ref, orderTotal: '2000.00', currency: 'USD', ...credit }, policy);
    assert.deepEqual([d.decision, d.rule], ['hold', 'over-credit-limit']);
    assert.equal(decideCredit({ customerId: CREDIT_HOLD_CUSTOMER.ref, orderTotal: '1780.00', ...credit }, policy).decision, 'approve');
  });

  it('a customer without a limit of its own (credit_limit 0) reads as null; a contact or address reads as its company', async () => {
    const id = await partnerId('C00010');
    const r = reader();
    assert.equal((await r.read(id)).creditLimit, null);
    const [address] = await rpc<number[]>('res.partner', 'search', [[['parent_id', '=', await partnerId('C00003')]]], { limit: 1 });
    const viaAddress = await r.read(address!);
    assert.equal(viaAddress.partnerId, await partnerId('C00003'));
    assert.equal(viaAddress.creditLimit, '400000.00');
  });

  it('caches for cacheTtlMs, shares concurrent reads, and invalidate() forgets', async () => {
    let now = 1_000_000;
    const r = reader({ cacheTtlMs: 30_000, now: () => now });
    const id = await partnerId('C00004');
    const [first, again] = await Promise.all([r.read(id), r.read(id)]);
    assert.equal(first, again, 'one call for two concurrent reads');
    assert.equal(first.openReceivables, '0.00');
    const [billTo] = await rpc<number[]>('res.partner', 'search', [
      [
        ['parent_id', '=', id],
        ['type', '=', 'invoice'],
      ],
    ]);
    const [product] = await rpc<number[]>('product.product', 'search', [[['type', '=', 'product']]], { limit: 1 });
    const inv = await rpc<number>('account.move', 'create', [
      {
        move_type: 'out_invoice',
        partner_id: billTo,
        invoice_line_ids: [[0, 0, { product_id: product, quantity: 3, price_unit: 33.33, tax_ids: [[6, 0, []]] }]],
      },
    ]);
    assert.equal((await r.read(id)).openReceivables, '0.00', 'a draft is no receivable (and the cache still holds)');
    await rpc('account.move', 'action_post', [[inv]]);
    assert.equal((await r.read(id)).openReceivables, '0.00', 'cached');
    now += 30_001;
    assert.equal((await r.read(id)).openReceivables, '99.99', 'after the TTL: Odoo read again');
    const pay = await rpc<number>('account.payment.register', 'create', [{ amount: 99.99 }], {
      context: { active_model: 'account.move', active_ids: [inv] },
    });
    await rpc('account.payment.register', 'action_create_payments', [[pay]]);
    assert.equal((await r.read(id)).openReceivables, '99.99');
    r.invalidate(id);
    assert.equal((await r.read(id)).openReceivables, '0.00', 'in_payment: nothing left to pay');
  });

  it('classifies failures: unknown partner and wrong password permanent; downtime, HTML pages, cut-off JSON and a closed port transient; bad ids refused before any call', async () => {
    await rejectsWith(reader().read(999_999), 'permanent', 'odoo.missing-record');
    await rejectsWith(reader({ password: 'wrong' }).read(1), 'permanent', 'odoo.access-denied');
    await rejectsWith(reader().read('C00001'), 'permanent', 'policy.invalid-input');
    await rejectsWith(reader().read(-3), 'permanent', 'policy.invalid-input');
    const id = await partnerId('C00005');
    const r = reader();
    try {
      await admin('/downtime', { on: true, mode: '503' });
      await rejectsWith(r.read(id), 'transient', 'odoo.http.503');
      await admin('/downtime', { on: false });
      await admin('/faults', { htmlErrors: true });
      await rejectsWith(r.read(id), 'transient', 'odoo.http.502');
      await admin('/faults', { htmlErrors: false, truncatedJson: true });
      await rejectsWith(r.read(id), 'transient', 'odoo.bad-response');
      await admin('/faults', { truncatedJson: false, latencyMs: 2_500 });
      await rejectsWith(r.read(id), 'transient', 'odoo.timeout');
    } finally {
      await admin('/faults', {}, 'DELETE');
    }
    assert.equal((await r.read(id)).partnerId, id, 'works again once Odoo does (the failed login is retried)');
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    await rejectsWith(reader({ url: `http://127.0.0.1:${closed}` }).read(id), 'transient', 'odoo.unreachable');
  });
});
