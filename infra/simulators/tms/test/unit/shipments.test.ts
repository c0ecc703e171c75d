import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startRecordingReceiver, type RecordingReceiver } from '@odx/sim-wms/kit';
import { DEFAULT_WEBHOOK_SECRET, startTmsSimulator, TEST_TIMINGS, type TmsSimulator } from '../../src/index.js';
import { ADMIN, assertSigned, call, typesOf } from '@odx/sim-wms/kit';

const parcels = [
  { packageId: 'LPN00000001', weightKg: 4.2, lengthCm: 40, widthCm: 30, heightCm: 25 },
  { packageId: 'LPN00000002', weightKg: 2.5, lengthCm: 30, widthCm: 20, heightCm: 15 },
];
const lane = { shipFrom: { postalCode: '10115', countryCode: 'DE', city: 'Berlin' }, shipTo: { postalCode: '80331', countryCode: 'DE', city: 'München' } };

describe('tms simulator: rates, booking, void', () => {
  let sim: TmsSimulator;

  before(async () => {
    sim = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false });
  });
  after(() => sim.close());
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
  });

  test('rates come from several carriers with decimal prices, transit days and expiring quote ids', async () => {
    const res = await call(sim.url, 'POST', '/v1/rates', { ...lane, packages: parcels });
    assert.equal(res.status, 200);
    const carriers = new Set(res.body.rates.map((r: any) => r.carrier.code));
    assert.ok(carriers.size >= 3, `carriers: ${[...carriers].join(', ')}`);
    for (const rate of res.body.rates) {
      assert.match(rate.price.amount, /^\d+\.\d{2}$/);
      assert.equal(rate.price.currency, 'EUR');
      assert.ok(Number.isInteger(rate.transitDays) && rate.transitDays >= 1);
      assert.match(rate.quoteId, /^qt_/);
      assert.ok(Date.parse(rate.expiresAt) > Date.now());
    }
    const prices = res.body.rates.map((r: any) => Number(r.price.amount));
    assert.deepEqual(prices, [...prices].sort((a, b) => a - b), 'cheapest first');
    assert.ok(res.body.messages.some((m: any) => m.carrier === 'NRL' && m.code === 'below_minimum'), 'LTL explains why it did not quote');
  });

  test('heavy freight gets an LTL quote, parcel carriers refuse; service level filters', async () => {
    const heavy = await call(sim.url, 'POST', '/v1/rates', { ...lane, packages: [{ weightKg: 180, lengthCm: 120, widthCm: 80, heightCm: 100 }] });
    assert.deepEqual(heavy.body.rates.map((r: any) => r.carrier.code), ['NRL']);
    assert.ok(heavy.body.messages.some((m: any) => m.code === 'package_too_heavy'));
    const express = await call(sim.url, 'POST', '/v1/rates', { ...lane, packages: parcels, serviceLevel: 'express' });
    assert.ok(express.body.rates.length >= 2);
    assert.ok(express.body.rates.every((r: any) => r.service.level === 'express'));
  });

  test('booking by quote id returns tracking number, label and cost; a repeat reference returns the same booking', async () => {
    const rates = await call(sim.url, 'POST', '/v1/rates', { ...lane, packages: parcels });
    const quote = rates.body.rates.find((r: any) => r.carrier.code === 'UPS');
    const reference = `SHIP-${randomUUID()}`;
    const booked = await call(sim.url, 'POST', '/v1/shipments', { reference, orderRef: 'S00042', quoteId: quote.quoteId });
    assert.equal(booked.status, 201);
    assert.equal(booked.body.status, 'booked');
    assert.equal(booked.body.carrier.scac, 'UPSN');
    assert.match(booked.body.trackingNumber, /^1Z/);
    assert.deepEqual(booked.body.cost, quote.price);
    assert.equal(booked.body.packages.length, 2);
    assert.equal(booked.body.packages[0].packageId, 'LPN00000001');
    const label = await fetch(booked.body.label.url);
    assert.equal(label.status, 200);
    assert.equal(label.headers.get('content-type'), 'application/pdf');

    const again = await call(sim.url, 'POST', '/v1/shipments', { reference, quoteId: quote.quoteId });
    assert.equal(again.status, 200);
    assert.equal(again.body.id, booked.body.id);
    const found = await call(sim.url, 'GET', `/v1/shipments?reference=${reference}`);
    assert.equal(found.body.items.length, 1);
    assert.equal((await call(sim.url, 'GET', `/v1/shipments/${booked.body.id}`)).body.reference, reference);
  });

  test('booking by carrier and service, and the validation that goes with it', async () => {
    const direct = await call(sim.url, 'POST', '/v1/shipments', { reference: `R-${randomUUID()}`, carrier: 'DPD', service: 'DPD_CLASSIC', ...lane, packages: parcels });
    assert.equal(direct.status, 201);
    assert.equal(direct.body.carrier.code, 'DPD');

    const missing = await call(sim.url, 'POST', '/v1/shipments', { reference: `R-${randomUUID()}` });
    assert.equal(missing.status, 422);
    assert.deepEqual(missing.body.errors.map((e: any) => e.field).sort(), ['carrier', 'packages', 'service', 'shipFrom', 'shipTo']);
    const unknownQuote = await call(sim.url, 'POST', '/v1/shipments', { reference: `R-${randomUUID()}`, quoteId: 'qt_nope' });
    assert.equal(unknownQuote.body.code, 'unknown_quote');
    const unknownService = await call(sim.url, 'POST', '/v1/shipments', { reference: `R-${randomUUID()}`, carrier: 'DHL', service: 'TELEPORT', ...lane, packages: parcels });
    assert.equal(unknownService.status, 422);
    assert.equal(unknownService.body.errors[0].field, 'service');
    const badRates = await call(sim.url, 'POST', '/v1/rates', { shipFrom: { postalCode: '10115', countryCode: 'germany' }, packages: [] });
    assert.equal(badRates.status, 422);
  });

  test('an expired quote cannot be booked', async () => {
    const shortLived = await startTmsSimulator({ port: 0, quoteTtlMs: 20, autoAdvance: false });
    try {
      const rates = await call(shortLived.url, 'POST', '/v1/rates', { ...lane, packages: parcels });
      await new Promise((r) => setTimeout(r, 40));
      const res = await call(shortLived.url, 'POST', '/v1/shipments', { reference: 'R-1', quoteId: rates.body.rates[0].quoteId });
      assert.equal(res.status, 422);
      assert.equal(res.body.code, 'quote_expired');
    } finally {
      await shortLived.close();
    }
  });

  test('void: allowed while booked (idempotent), 409 once the carrier picked it up', async () => {
    const a = await call(sim.url, 'POST', '/v1/shipments', { reference: `R-${randomUUID()}`, carrier: 'DHL', service: 'DHL_PARCEL', ...lane, packages: parcels });
    assert.equal((await call(sim.url, 'POST', `/v1/shipments/${a.body.id}/void`)).body.status, 'voided');
    assert.equal((await call(sim.url, 'POST', `/v1/shipments/${a.body.id}/void`)).status, 200);
    const b = await call(sim.url, 'POST', '/v1/shipments', { reference: `R-${randomUUID()}`, carrier: 'DHL', service: 'DHL_PARCEL', ...lane, packages: parcels });
    await call(sim.url, 'POST', `/sim/admin/shipments/${b.body.id}/advance`, undefined, ADMIN);
    const refused = await call(sim.url, 'POST', `/v1/shipments/${b.body.id}/void`);
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'already_collected');
    assert.equal((await call(sim.url, 'POST', '/v1/shipments/SHP-999999/void')).status, 404);
  });
});

describe('tms simulator: tracking webhooks', () => {
  let sim: TmsSimulator;
  let receiver: RecordingReceiver;

  before(async () => {
    receiver = await startRecordingReceiver();
    sim = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, webhookUrl: receiver.url });
  });
  after(async () => {
    await sim.close();
    await receiver.close();
  });
  beforeEach(async () => {
    await call(sim.url, 'POST', '/sim/admin/reset', undefined, ADMIN);
    receiver.received.length = 0;
  });

  test('a booking is followed by signed picked_up, in_transit, out_for_delivery, delivered', async () => {
    const booked = await call(sim.url, 'POST', '/v1/shipments', { reference: `R-${randomUUID()}`, carrier: 'UPS', service: 'UPS_STANDARD', ...lane, packages: parcels });
    const hooks = await receiver.waitFor((r) => r.length >= 4);
    assert.deepEqual(typesOf(hooks), ['tracking.picked_up', 'tracking.in_transit', 'tracking.out_for_delivery', 'tracking.delivered']);
    for (const hook of hooks) assertSigned(hook, DEFAULT_WEBHOOK_SECRET);
    const delivered = (hooks[3]!.payload as { data: any }).data;
    assert.equal(delivered.shipmentId, booked.body.id);
    assert.equal(delivered.trackingNumber, booked.body.trackingNumber);
    assert.equal(delivered.event.status, 'delivered');
    assert.equal(delivered.event.location.postalCode, '80331');
    assert.equal((await call(sim.url, 'GET', `/v1/shipments/${booked.body.id}`)).body.status, 'delivered');
  });

  test('exceptions: injected by admin (LOST ends tracking) and by exception rate (DELAYED, then delivered)', async () => {
    const manual = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, autoAdvance: false, webhookUrl: receiver.url });
    try {
      const booked = await call(manual.url, 'POST', '/v1/shipments', { reference: 'R-lost', carrier: 'DPD', service: 'DPD_CLASSIC', ...lane, packages: parcels });
      const res = await call(manual.url, 'POST', `/sim/admin/shipments/${booked.body.id}/exception`, { code: 'LOST', description: 'Parcel lost at hub' }, ADMIN);
      assert.equal(res.body.status, 'exception');
      const [hook] = await receiver.waitFor((r) => r.length >= 1);
      assert.equal((hook!.payload as any).type, 'tracking.exception');
      assert.equal((hook!.payload as any).data.event.exceptionCode, 'LOST');
      assert.equal((await call(manual.url, 'POST', `/sim/admin/shipments/${booked.body.id}/advance`, undefined, ADMIN)).status, 409);
    } finally {
      await manual.close();
    }

    receiver.received.length = 0;
    const delayed = await startTmsSimulator({ port: 0, ...TEST_TIMINGS, exceptionRate: 1, webhookUrl: receiver.url });
    try {
      await call(delayed.url, 'POST', '/v1/shipments', { reference: 'R-late', carrier: 'DPD', service: 'DPD_CLASSIC', ...lane, packages: parcels });
      const hooks = await receiver.waitFor((r) => r.length >= 5);
      assert.deepEqual(typesOf(hooks), ['tracking.picked_up', 'tracking.in_transit', 'tracking.exception', 'tracking.out_for_delivery', 'tracking.delivered']);
    } finally {
      await delayed.close();
    }
  });
});
