import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { OdxError, PermanentError, TransientError } from '@odx/runtime';
import { OdooClient } from '../../src/odoo/odoo-client.js';

/** A stand-in for a broken Odoo or the proxy in front of it: answers what `reply` says. */
async function badOdoo(
  t: { after: (fn: () => Promise<void>) => void },
  reply: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<string> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => reply(req, res, body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
};

function client(url: string, timeoutMs = 2_000): OdooClient {
  return new OdooClient({ url, db: 'odx', username: 'admin', password: 'admin', timeoutMs });
}

async function expectError(p: Promise<unknown>, kind: 'transient' | 'permanent', errorClass: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof OdxError, `expected an OdxError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    assert.match(err.errorClass, errorClass);
    return true;
  });
}

test('Odoo faults are classified by exception class', async (t) => {
  const faults: Record<string, string> = {
    'odoo.exceptions.AccessError': 'You are not allowed to modify Sales Order',
    'odoo.exceptions.ValidationError': 'The SKU must be unique',
    'odoo.exceptions.MissingError': 'Record does not exist or has been deleted.',
    'builtins.ValueError': "Invalid leaf ('x', '~', 1)",
    'psycopg2.errors.SerializationFailure': 'could not serialize access due to concurrent update',
  };
  let next = '';
  const url = await badOdoo(t, (_req, res, body) => {
    const call = JSON.parse(body) as { params: { method: string } };
    if (call.params.method === 'authenticate') return json(res, 200, { jsonrpc: '2.0', id: 1, result: 2 });
    json(res, 200, {
      jsonrpc: '2.0',
      id: 1,
      error: { code: 200, message: 'Odoo Server Error', data: { name: next, message: faults[next], debug: 'Traceback ...' } },
    });
  });
  const c = client(url);
  t.after(() => c.close());
  for (const [name, cls, kind] of [
    ['odoo.exceptions.AccessError', /^odoo\.access$/, 'permanent'],
    ['odoo.exceptions.ValidationError', /^odoo\.validation$/, 'permanent'],
    ['odoo.exceptions.MissingError', /^odoo\.missing-record$/, 'permanent'],
    ['builtins.ValueError', /^odoo\.invalid-request$/, 'permanent'],
    ['psycopg2.errors.SerializationFailure', /^odoo\.concurrency$/, 'transient'],
  ] as const) {
    next = name;
    await expectError(c.searchRead('sale.order', []), kind, cls);
  }
});

test('wrong credentials are a clear permanent error naming user and database', async (t) => {
  const url = await badOdoo(t, (_req, res) => json(res, 200, { jsonrpc: '2.0', id: 1, result: false }));
  const c = client(url);
  t.after(() => c.close());
  await assert.rejects(c.authenticate(), (err: unknown) => {
    assert.ok(err instanceof PermanentError);
    assert.match(err.message, /refused the login of "admin" on database "odx"/);
    return true;
  });
});

test('HTML error pages, truncated JSON, 5xx and timeouts are transient; 404 is permanent', async (t) => {
  let mode = '';
  const url = await badOdoo(t, (_req, res) => {
    if (mode === 'html') return void res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>');
    if (mode === 'html200') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Maintenance</body></html>');
    if (mode === 'truncated')
      return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"jsonrpc": "2.0", "id": 1, "resu');
    if (mode === '503') return void res.writeHead(503, { 'retry-after': '4' }).end('busy');
    if (mode === '404') return void res.writeHead(404).end('not found');
    if (mode === 'no-result') return json(res, 200, { jsonrpc: '2.0', id: 1 });
    // 'hang': never answer
  });
  // A fresh client per case: five transient failures in a row rightly open the circuit. Only 'hang' needs the
  // short timeout; the others get time to answer on a loaded machine (a late 404 would read as a timeout).
  const fresh = (m: string): OdooClient => {
    mode = m;
    const c = client(url, m === 'hang' ? 300 : 5_000);
    t.after(() => c.close());
    return c;
  };
  await expectError(fresh('html').version(), 'transient', /^odoo\.http\.502$/);
  await expectError(fresh('html200').version(), 'transient', /^odoo\.bad-response$/);
  await expectError(fresh('truncated').version(), 'transient', /^odoo\.bad-response$/);
  await assert.rejects(fresh('503').version(), (err: unknown) => err instanceof TransientError && err.retryAfterMs === 4000);
  await expectError(fresh('no-result').version(), 'transient', /^odoo\.bad-response$/);
  await expectError(fresh('hang').version(), 'transient', /^odoo\.timeout$/);
  await expectError(fresh('404').version(), 'permanent', /^odoo\.http\.404$/);
});

test('an unreachable Odoo is transient and opens the circuit', async (t) => {
  const c = client('http://127.0.0.1:9', 500);
  t.after(() => c.close());
  await expectError(c.version(), 'transient', /^odoo\.unreachable$/);
  for (let i = 0; i < 10 && c.circuit.state !== 'open'; i++) await c.version().catch(() => undefined);
  assert.equal(c.circuit.state, 'open');
  await expectError(c.version(), 'transient', /^circuit-open$/);
});
