import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ADMIN, call } from '@odx/sim-wms/kit';
import { startTmsSimulator, TEST_TIMINGS, type TmsSimulator } from '../../src/index.js';

const lane = { shipFrom: { postalCode: '10115', countryCode: 'DE', city: 'Berlin' }, shipTo: { postalCode: '80331', countryCode: 'DE', city: 'München' } };
const parcel = { packageId: 'LPN00000001', weightKg: 4.2, lengthCm: 40, widthCm: 30, heightCm: 25 };

interface Listed {
  id: string;
  reference: string;
  orderRef: string | null;
  status: string;
  version: number;
  updatedAt: string;
  events: Array<{ eventId: string; status: string; occurredAt: string }>;
}

async function book(sim: TmsSimulator, orderRef: string): Promise<Listed> {
  const res = await call(sim.url, 'POST', '/v1/shipments', { reference: `SHIP-${randomUUID()}`, orderRef, carrier: 'UPS', service: 'UPS_STANDARD', ...lane, packages: [parcel] });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as Listed;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('tms simulator: listing shipments changed since a time, page by page', () => {
  let sim: TmsSimulator;

  before(async () => {
    sim = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  });
  after(() => sim.close());
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
  });

  test('tracking events move updatedAt; updatedSince and paging list each changed shipment with its events', async () => {
    const booked = [await book(sim, 'O-1'), await book(sim, 'O-1'), await book(sim, 'O-2')];
    await sleep(5);
    const since = new Date().toISOString();
    await sleep(5);
    for (const s of [booked[0]!, booked[2]!]) {
      const adv = await call(sim.url, 'POST', `/sim/admin/shipments/${s.id}/advance`, {}, ADMIN);
      assert.equal(adv.status, 200);
      assert.ok(adv.body.updatedAt > s.updatedAt && adv.body.version > s.version, 'a tracking event is a change');
    }
    await call(sim.url, 'POST', `/sim/admin/shipments/${booked[0]!.id}/exception`, { code: 'DELAYED' }, ADMIN);

    const page1 = await call(sim.url, 'GET', `/v1/shipments?updatedSince=${encodeURIComponent(since)}&limit=1`);
    assert.equal(page1.status, 200);
    assert.equal(page1.body.items.length, 1);
    assert.equal(typeof page1.body.nextPageToken, 'string');
    const page2 = await call(sim.url, 'GET', `/v1/shipments?updatedSince=${encodeURIComponent(since)}&limit=1&pageToken=${encodeURIComponent(page1.body.nextPageToken)}`);
    assert.equal(page2.body.items.length, 1);
    assert.equal(page2.body.nextPageToken, null);
    const listed = [...page1.body.items, ...page2.body.items] as Listed[];
    assert.deepEqual(listed.map((s) => s.id), [booked[2]!.id, booked[0]!.id], 'ordered by last change');
    assert.deepEqual(listed[1]!.events.map((e) => e.status), ['picked_up', 'exception'], 'the tracking events a webhook would have carried, with their ids');
    assert.ok(listed[1]!.events.every((e) => /^EVT-\d+$/.test(e.eventId)));

    const o1 = await call(sim.url, 'GET', '/v1/shipments?orderRef=O-1');
    assert.deepEqual(o1.body.items.map((s: Listed) => s.id).sort(), [booked[0]!.id, booked[1]!.id].sort(), 'orderRef filter');

    const voided = await call(sim.url, 'POST', `/v1/shipments/${booked[1]!.id}/void`, {});
    const afterVoid = await call(sim.url, 'GET', `/v1/shipments?updatedSince=${encodeURIComponent(voided.body.updatedAt)}`);
    assert.deepEqual(afterVoid.body.items.map((s: Listed) => [s.id, s.status]), [[booked[1]!.id, 'voided']]);
  });

  test('a bad updatedSince, limit or pageToken is a 400 problem naming the parameter', async () => {
    for (const [query, field, code] of [
      ['updatedSince=2030-13-45T99:00:00Z', 'updatedSince', 'invalid_query'],
      ['limit=-1', 'limit', 'invalid_query'],
      ['limit=1001', 'limit', 'invalid_query'],
      ['pageToken=%%%', 'pageToken', 'invalid_page_token'],
    ] as const) {
      const res = await call(sim.url, 'GET', `/v1/shipments?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, code, query);
      assert.equal(res.body.errors[0].field, field, query);
    }
  });
});
