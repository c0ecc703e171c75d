// Deprecated routes answer with Deprecation, Sunset and Link headers (docs/deprecation-policy.md, "HTTP APIs").
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import express from 'express';
import { deprecated, deprecationHeaders } from '../../src/http/index.js';

test('the headers: Deprecation as @unix seconds, Sunset as an HTTP date at the end of the day, Link to successor and policy', () => {
  const h = deprecationHeaders({
    since: '2026-12-01',
    sunset: '2027-03-01',
    successor: '/v2/orders',
    policy: 'https://example.com/deprecations#orders-v1',
  });
  assert.equal(h['Deprecation'], `@${Date.UTC(2026, 11, 1) / 1000}`);
  assert.equal(h['Sunset'], 'Mon, 01 Mar 2027 23:59:59 GMT');
  assert.equal(h['Link'], '</v2/orders>; rel="successor-version", <https://example.com/deprecations#orders-v1>; rel="deprecation"');
  assert.deepEqual(Object.keys(deprecationHeaders({ since: '2026-12-01' })), ['Deprecation'], 'no sunset, no links: only Deprecation');
});

test('impossible days and a sunset under 90 days after since are refused when the route is declared', () => {
  assert.throws(() => deprecated({ since: '2026-02-30' }), /since must be a day as YYYY-MM-DD, got "2026-02-30"/);
  assert.throws(() => deprecated({ since: '1 Dec 2026' }), /since must be a day/);
  assert.throws(
    () => deprecated({ since: '2026-12-01', sunset: '2027-02-01' }),
    /62 days after since 2026-12-01; the policy gives callers at least 90 days/,
  );
  assert.doesNotThrow(() => deprecated({ since: '2026-12-01', sunset: '2027-03-01' }), '90 days is enough');
});

test('a deprecated route sends the headers on success and on errors; other routes do not', async (t) => {
  const app = express();
  const old = deprecated({ since: '2026-12-01', sunset: '2027-06-01', successor: '/v2/things' });
  app.get('/v1/things', old, (_req, res) => void res.json({ ok: true }));
  app.get('/v1/broken', old, () => {
    throw new Error('boom');
  });
  app.get('/v2/things', (_req, res) => void res.json({ ok: true }));
  app.use(
    (_err: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).json({ error: 'x' }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const ok = await fetch(`${base}/v1/things`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('deprecation'), `@${Date.UTC(2026, 11, 1) / 1000}`);
  assert.equal(ok.headers.get('sunset'), 'Tue, 01 Jun 2027 23:59:59 GMT');
  assert.equal(ok.headers.get('link'), '</v2/things>; rel="successor-version"');
  const failed = await fetch(`${base}/v1/broken`);
  assert.equal(failed.status, 500);
  assert.ok(failed.headers.get('deprecation'), 'an error answer carries the deprecation too');
  const current = await fetch(`${base}/v2/things`);
  assert.equal(current.headers.get('deprecation'), null);
});
