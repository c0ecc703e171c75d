import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startRecordingReceiver, type RecordingReceiver } from '@odx/sim-wms/kit';
import { startTmsSimulator, TEST_TIMINGS, type TmsSimulator } from '../../src/index.js';
import { ADMIN, call, typesOf } from '@odx/sim-wms/kit';

const booking = (reference: string) => ({
  reference,
  carrier: 'DHL',
  service: 'DHL_PARCEL',
  shipFrom: { postalCode: '10115', countryCode: 'DE' },
  shipTo: { postalCode: '20095', countryCode: 'DE' },
  packages: [{ weightKg: 3, lengthCm: 30, widthCm: 20, heightCm: 15 }],
});

describe('tms simulator: fault injection', () => {
  let sim: TmsSimulator;
  let receiver: RecordingReceiver;

  before(async () => {
    receiver = await startRecordingReceiver();
    sim = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false, webhookUrl: receiver.url });
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
    receiver.received.length = 0;
  });

  for (const mode of ['hang', 'late', 'reset'] as const) {
    test(`timeout-but-succeed (${mode}): the booking exists although the client saw no answer; lookup by reference finds exactly one`, async () => {
      await call(sim.url, 'PATCH', '/sim/admin/faults', { timeoutButSucceed: { routes: ['POST /v1/shipments'], mode, lateMs: 1000, count: 1 } }, ADMIN);
      const reference = `SHIP-${randomUUID()}`;
      await assert.rejects(call(sim.url, 'POST', '/v1/shipments', booking(reference), {}, AbortSignal.timeout(250)));

      const lookup = await call(sim.url, 'GET', `/v1/shipments?reference=${reference}`);
      assert.equal(lookup.status, 200);
      assert.equal(lookup.body.items.length, 1);
      assert.equal(lookup.body.items[0].status, 'booked');

      const rebook = await call(sim.url, 'POST', '/v1/shipments', booking(reference));
      assert.equal(rebook.status, 200, 'a blind retry is answered with the existing booking');
      assert.equal(rebook.body.id, lookup.body.items[0].id);
      assert.equal(sim.shipments.list({ limit: 1000 }).length, 1, 'one booking, not two');
      const faults = await call(sim.url, 'GET', '/sim/admin/faults', undefined, ADMIN);
      assert.equal(faults.body.injected.timeoutButSucceed, 1);
    });
  }

  test('429 with Retry-After on rates, and a downtime window on every API call', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { errors: { rate: 1, statuses: [429], retryAfterSeconds: 3, routes: ['POST /v1/rates'] } }, ADMIN);
    const limited = await call(sim.url, 'POST', '/v1/rates', {});
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '3');
    assert.equal((await call(sim.url, 'GET', '/v1/shipments')).status, 200);

    await call(sim.url, 'POST', '/sim/admin/downtime', { seconds: 30 }, ADMIN);
    const down = await call(sim.url, 'POST', '/v1/shipments', booking('R-down'));
    assert.equal(down.status, 503);
    assert.ok(Number(down.headers.get('retry-after')) >= 29);
    await call(sim.url, 'DELETE', '/sim/admin/downtime', undefined, ADMIN);
    assert.equal((await call(sim.url, 'POST', '/v1/shipments', booking('R-down'))).status, 201);
  });

  test('duplicated and reordered tracking webhooks reach the receiver as injected', async () => {
    await call(sim.url, 'PATCH', '/sim/admin/faults', { webhooks: { duplicateRate: 1, outOfOrderWindowMs: 100 } }, ADMIN);
    const booked = await call(sim.url, 'POST', '/v1/shipments', booking('R-chaos'));
    for (let i = 0; i < 2; i++) await call(sim.url, 'POST', `/sim/admin/shipments/${booked.body.id}/advance`, undefined, ADMIN);
    const hooks = await receiver.waitFor((r) => r.length >= 4);
    await sim.webhooks.idle();
    const ids = hooks.map((h) => h.webhookId);
    assert.equal(new Set(ids).size, 2, 'two messages, each delivered twice');
    const firstOfEach = typesOf(hooks).filter((_t, i) => ids.indexOf(ids[i]) === i);
    assert.deepEqual(firstOfEach, ['tracking.in_transit', 'tracking.picked_up']);
  });

  test('hostile bodies get problem answers, not crashes', async () => {
    assert.equal((await call(sim.url, 'POST', '/v1/rates', '{"packages": [')).status, 400);
    assert.equal((await call(sim.url, 'POST', '/v1/shipments', 'null')).status, 400);
    assert.equal((await call(sim.url, 'POST', '/v1/shipments', { reference: 'x'.repeat(10_000) })).status, 422);
    const nan = await call(sim.url, 'POST', '/v1/rates', '{"shipFrom":{"postalCode":"1","countryCode":"DE"},"shipTo":{"postalCode":"2","countryCode":"DE"},"packages":[{"weightKg":1e309,"lengthCm":1,"widthCm":1,"heightCm":1}]}');
    assert.equal(nan.status, 422);
    assert.equal((await call(sim.url, 'GET', '/v1/labels/LBL-nope.pdf')).status, 404);
    assert.equal((await call(sim.url, 'GET', '/sim/health')).status, 200);
  });
});
