import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { admin, executeKw, jsonRpc, useSimulator } from './helpers.js';

const sim = useSimulator();
const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

describe('admin endpoints', () => {
  it('need the admin token', async () => {
    const r = await fetch(`${sim().url}/sim/admin/state`);
    assert.equal(r.status, 401);
    const bad = await admin(sim().url, '/clock/advance', { seconds: 'x' });
    assert.equal(bad.status, 400);
  });

  it('downtime answers 503 like a proxy, or closes connections', async () => {
    const url = sim().url;
    await admin(url, '/downtime', { on: true });
    const r = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 503);
    assert.match(await r.text(), /503 Service Temporarily Unavailable/);
    await admin(url, '/downtime', { on: true, mode: 'close' });
    await assert.rejects(fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json', Connection: 'close' }, body: '{}' }));
    await admin(url, '/downtime', { on: false });
    assert.equal((await jsonRpc(url, 'common', 'version', [])).error, undefined);
  });

  it('HTML error pages, truncated JSON and latency', async () => {
    const url = sim().url;
    await admin(url, '/faults', { htmlErrors: true });
    const html = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(html.status, 502);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    await admin(url, '/faults', { htmlErrors: false, truncatedJson: true });
    const cut = await fetch(`${url}/jsonrpc`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'common', method: 'version', args: [] } }) });
    assert.equal(cut.status, 200);
    await assert.rejects(cut.json());
    await admin(url, '/faults', { truncatedJson: false, latencyMs: 150 });
    const t0 = Date.now();
    await jsonRpc(url, 'common', 'version', []);
    assert.ok(Date.now() - t0 >= 140);
    await admin(url, '/faults', undefined, 'DELETE');
  });

  it('reset goes back to the seed', async () => {
    const url = sim().url;
    await executeKw(url, 'res.partner', 'create', [{ name: 'Temp' }]);
    const res = await admin(url, '/reset');
    assert.equal(res.status, 200);
    assert.deepEqual(await executeKw(url, 'res.partner', 'search', [[['name', '=', 'Temp']]]), []);
  });
});

async function startChild(port: number, dataFile: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', String(port), '--data-file', dataFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  const { url } = JSON.parse(chunk.toString()) as { url: string };
  return { child, url };
}

describe('persistence with --data-file', () => {
  it('keeps records across a restart of the process', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'odoo-sim-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const dataFile = join(dir, 'odoo.jsonl');
    const port = 20000 + Math.floor(Math.random() * 20000);
    const first = await startChild(port, dataFile);
    const orderId = await executeKw<number>(first.url, 'sale.order', 'create', [{ partner_id: 7, client_order_ref: 'PERSIST-1', order_line: [[0, 0, { product_id: 2, product_uom_qty: 1 }]] }]);
    await executeKw(first.url, 'sale.order', 'action_confirm', [[orderId]]);
    const [before] = await executeKw<{ name: string; write_date: string; picking_ids: number[] }[]>(first.url, 'sale.order', 'read', [[orderId], ['name', 'write_date', 'picking_ids']]);
    first.child.kill('SIGTERM');
    await once(first.child, 'exit');

    const second = await startChild(port, dataFile);
    t.after(() => second.child.kill('SIGTERM'));
    const [after] = await executeKw<{ name: string; write_date: string; picking_ids: number[] }[]>(second.url, 'sale.order', 'read', [[orderId], ['name', 'write_date', 'picking_ids']]);
    assert.deepEqual(after, before);
    const next = await executeKw<number>(second.url, 'sale.order', 'create', [{ partner_id: 7 }]);
    const [n] = await executeKw<{ name: string }[]>(second.url, 'sale.order', 'read', [[next], ['name']]);
    assert.notEqual(n!.name, before!.name, 'sequences continue after a restart');
    assert.ok(next > orderId);
  });
});
