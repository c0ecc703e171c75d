import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ADMIN, call } from '../../src/kit/index.js';
import { startWmsSimulator, TEST_TIMINGS, type WmsSimulator } from '../../src/index.js';

const shipTo = { name: 'Ada Buyer', street1: 'Invalidenstr. 1', city: 'Berlin', postalCode: '10115', countryCode: 'DE' };

interface Listed {
  id: string;
  externalRef: string;
  status: string;
  version: number;
  updatedAt: string;
}

async function createOrders(sim: WmsSimulator, n: number): Promise<Listed[]> {
  const out: Listed[] = [];
  for (let i = 0; i < n; i++) {
    const res = await call(sim.url, 'POST', '/v1/outbound-orders', {
      externalRef: `S-${randomUUID()}`, warehouse: 'WH', shipTo, lines: [{ lineRef: 'L1', sku: 'SKU-A', qty: 1 }], requestedShipDate: '2030-01-15',
    });
    assert.equal(res.status, 201);
    out.push(res.body as Listed);
  }
  return out;
}

/** Every page of `path` (query without pageToken), following nextPageToken. */
async function allPages(sim: WmsSimulator, path: string): Promise<Listed[][]> {
  const pages: Listed[][] = [];
  let token: string | null = null;
  do {
    const res = await call(sim.url, 'GET', `${path}${token === null ? '' : `&pageToken=${encodeURIComponent(token)}`}`);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    pages.push(res.body.items as Listed[]);
    token = res.body.nextPageToken as string | null;
  } while (token !== null);
  return pages;
}

const byPosition = (a: Listed, b: Listed): number => (a.updatedAt === b.updatedAt ? (a.id < b.id ? -1 : 1) : a.updatedAt < b.updatedAt ? -1 : 1);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('wms simulator: listing orders changed since a time, page by page', () => {
  let sim: WmsSimulator;

  before(async () => {
    sim = await startWmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  });
  after(() => sim.close());
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
  });

  test('pages are ordered by (updatedAt, id), hold at most limit orders and end with a null nextPageToken', async () => {
    const created = await createOrders(sim, 5);
    const pages = await allPages(sim, '/v1/outbound-orders?limit=2');
    assert.deepEqual(pages.map((p) => p.length), [2, 2, 1]);
    const listed = pages.flat();
    assert.deepEqual(listed.map((o) => o.id), [...listed].sort(byPosition).map((o) => o.id), 'ordered by (updatedAt, id)');
    assert.deepEqual(new Set(listed.map((o) => o.id)), new Set(created.map((o) => o.id)), 'every order once');
    const one = await call(sim.url, 'GET', '/v1/outbound-orders?limit=10');
    assert.equal(one.body.items.length, 5);
    assert.equal(one.body.nextPageToken, null);
  });

  test('updatedAt and version move on every state change; updatedSince keeps the orders changed at or after it', async () => {
    const [first, second] = await createOrders(sim, 2);
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    assert.equal((await call(sim.url, 'GET', `/v1/outbound-orders?updatedSince=${since}`)).body.items.length, 0, 'nothing changed since');

    const picked = await call(sim.url, 'POST', `/sim/admin/orders/${first!.id}/advance`, {}, ADMIN);
    assert.equal(picked.body.status, 'picked');
    assert.ok(picked.body.updatedAt > first!.updatedAt && picked.body.version > first!.version);
    await sleep(5);
    const cancelled = await call(sim.url, 'POST', `/v1/outbound-orders/${second!.id}/cancel`, { reason: 'customer' });
    assert.ok(cancelled.body.updatedAt > second!.updatedAt);

    const changed = await call(sim.url, 'GET', `/v1/outbound-orders?updatedSince=${encodeURIComponent(since)}`);
    assert.deepEqual(changed.body.items.map((o: Listed) => [o.id, o.status]), [[first!.id, 'picked'], [second!.id, 'cancelled']]);
    // "At or after": the exact time of the last change still lists it; a zone offset is understood.
    const exact = await call(sim.url, 'GET', `/v1/outbound-orders?updatedSince=${encodeURIComponent(cancelled.body.updatedAt)}`);
    assert.deepEqual(exact.body.items.map((o: Listed) => o.id), [second!.id]);
    const offset = new Date(Date.parse(since)).toISOString().replace('Z', '+00:00');
    assert.equal((await call(sim.url, 'GET', `/v1/outbound-orders?updatedSince=${encodeURIComponent(offset)}`)).body.items.length, 2);
    // Filters combine with it.
    const onlyPicked = await call(sim.url, 'GET', `/v1/outbound-orders?updatedSince=${encodeURIComponent(since)}&status=picked`);
    assert.deepEqual(onlyPicked.body.items.map((o: Listed) => o.id), [first!.id]);
  });

  test('a walk through the pages misses no order while orders change under it', async () => {
    const created = await createOrders(sim, 6);
    const page1 = await call(sim.url, 'GET', '/v1/outbound-orders?limit=2');
    const seen = page1.body.items as Listed[];
    // One order already listed and one not yet listed change before the next page is read.
    const notYet = created.find((o) => !seen.some((s) => s.id === o.id))!;
    await sleep(2);
    await call(sim.url, 'POST', `/sim/admin/orders/${seen[0]!.id}/advance`, {}, ADMIN);
    await call(sim.url, 'POST', `/sim/admin/orders/${notYet.id}/advance`, {}, ADMIN);
    let token = page1.body.nextPageToken as string | null;
    const rest: Listed[] = [];
    while (token !== null) {
      const res = await call(sim.url, 'GET', `/v1/outbound-orders?limit=2&pageToken=${encodeURIComponent(token)}`);
      rest.push(...(res.body.items as Listed[]));
      token = res.body.nextPageToken as string | null;
    }
    const all = [...seen, ...rest];
    assert.deepEqual(new Set(all.map((o) => o.id)), new Set(created.map((o) => o.id)), 'no order skipped');
    assert.deepEqual(rest.slice(-2).map((o) => [o.id, o.status]).sort(), [[seen[0]!.id, 'picked'], [notYet.id, 'picked']].sort(), 'changed orders come last, with their new state');
    assert.equal(all.length, 7, 'the order that changed after it was listed is listed again; nothing else twice');
  });

  test('a bad updatedSince, limit or pageToken is a 400 problem naming the parameter', async () => {
    const cases: Array<[string, string, string]> = [
      ['updatedSince=yesterday', 'updatedSince', 'invalid_query'],
      ['updatedSince=2030-01-15T10:00:00', 'updatedSince', 'invalid_query'],
      ['limit=0', 'limit', 'invalid_query'],
      ['limit=5000', 'limit', 'invalid_query'],
      ['limit=abc', 'limit', 'invalid_query'],
      ['limit=2.5', 'limit', 'invalid_query'],
      ['pageToken=not-a-token', 'pageToken', 'invalid_page_token'],
      [`pageToken=${Buffer.from(JSON.stringify({ u: 'x', i: 'OB-1' })).toString('base64url')}`, 'pageToken', 'invalid_page_token'],
    ];
    for (const [query, field, code] of cases) {
      const res = await call(sim.url, 'GET', `/v1/outbound-orders?${query}`);
      assert.equal(res.status, 400, query);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      assert.equal(res.body.code, code, query);
      assert.equal(res.body.errors[0].field, field, query);
      assert.match(res.body.detail, new RegExp(field), query);
    }
  });

  test('malformedResponses fault: answers arrive truncated or as an HTML page, status 200, then normal again', async () => {
    await createOrders(sim, 3);
    const set = await call(sim.url, 'PATCH', '/sim/admin/faults', { malformedResponses: { routes: ['GET /v1/outbound-orders'], mode: 'truncated', count: 1 } }, ADMIN);
    assert.equal(set.status, 200, JSON.stringify(set.body));
    const cut = await fetch(`${sim.url}/v1/outbound-orders`);
    assert.equal(cut.status, 200);
    const text = await cut.text();
    assert.throws(() => JSON.parse(text), SyntaxError, 'not JSON');
    assert.equal((await call(sim.url, 'GET', '/v1/outbound-orders')).body.items.length, 3, 'count 1: the next answer is whole');

    await call(sim.url, 'PATCH', '/sim/admin/faults', { malformedResponses: { mode: 'html', count: 1 } }, ADMIN);
    const html = await fetch(`${sim.url}/v1/outbound-orders?limit=1`);
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type') ?? '', /text\/html/);
    const faults = await call(sim.url, 'GET', '/sim/admin/faults', undefined, ADMIN);
    assert.equal(faults.body.injected.malformedResponses, 2);
  });
});
