import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PermanentError } from '@odx/runtime';
import { loadBridgeConfig } from '../../src/config.js';
import { mapTrackingWebhook } from '../../src/mapping/map-tracking.js';
import { parseShipmentPage } from '../../src/tms/shipment-page.js';
import { trackingWebhookSchema } from '../../src/tms/tms-types.js';
import { trackingWebhooksOf } from '../../src/tracking/tracking-history.js';

const SECRET = { TMS_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LQ==' };
const carrier = { code: 'UPS', name: 'UPS', scac: 'UPSN' };
const service = { code: 'UPS_STANDARD', name: 'UPS Standard', level: 'standard' };
const event = (eventId: string, status: string, exceptionCode: string | null = null) => ({
  eventId,
  status,
  occurredAt: '2030-01-15T10:00:00.000Z',
  description: status,
  exceptionCode,
  location: { facility: 'UPS-HUB-DE', city: null, postalCode: null, countryCode: 'DE' },
});
const shipment = {
  id: 'SHP-000007',
  reference: 'SHIP-S42',
  orderRef: 'S42',
  status: 'in_transit',
  carrier,
  service,
  trackingNumber: '1ZODX7',
  packages: [{ packageNumber: 1, packageId: 'LPN1', trackingNumber: '1ZODX7' }],
  cost: { amount: '9.99', currency: 'EUR' },
  estimatedDeliveryAt: '2030-01-18T17:00:00.000Z',
  createdAt: '2030-01-15T09:00:00.000Z',
  updatedAt: '2030-01-15T10:00:00.000Z',
  events: [
    event('EVT-1', 'picked_up'),
    event('EVT-2', 'exception', 'DELAYED'),
    event('EVT-3', 'in_transit'),
    event('EVT-4', 'returned_to_sender'),
  ],
};

test("a listed shipment's history becomes the webhooks the TMS sent for it: same events, same event ids; unknown statuses left out", () => {
  const page = parseShipmentPage({ items: [shipment], nextPageToken: null });
  const hooks = trackingWebhooksOf(page.items[0]!);
  assert.deepEqual(
    hooks.map((h) => h.type),
    ['tracking.picked_up', 'tracking.exception', 'tracking.in_transit'],
  );
  // What the TMS posted for EVT-3 (the simulator's webhook body), mapped the webhook way.
  const posted = trackingWebhookSchema.parse({
    type: 'tracking.in_transit',
    timestamp: '2030-01-15T10:00:00.100Z',
    data: {
      shipmentId: 'SHP-000007',
      reference: 'SHIP-S42',
      orderRef: 'S42',
      trackingNumber: '1ZODX7',
      carrier,
      service,
      status: 'in_transit',
      event: event('EVT-3', 'in_transit'),
      estimatedDeliveryAt: '2030-01-18T17:00:00.000Z',
      packages: [],
      version: 4,
    },
  });
  const ctx = { company: 'acme' };
  assert.deepEqual(mapTrackingWebhook(hooks[2]!, ctx), mapTrackingWebhook(posted, ctx), 'the same event, id included');
  assert.equal(mapTrackingWebhook(hooks[1]!, ctx).eventType, 'ShipmentException');
});

test('a shipment page is read with updatedAt and events; anything else is a permanent tms.bad-response naming the fault', () => {
  const fails = (body: unknown, message: RegExp): void => {
    assert.throws(
      () => parseShipmentPage(body),
      (err: unknown) => err instanceof PermanentError && err.errorClass === 'tms.bad-response' && message.test(err.message),
    );
  };
  fails(null, /not a JSON object/);
  fails({ items: 'none' }, /items: /);
  fails({ items: [{ ...shipment, updatedAt: 'yesterday' }] }, /items\.0\.updatedAt/);
  fails({ items: [{ ...shipment, events: [{ status: 'in_transit' }] }] }, /items\.0\.events\.0\./);
  assert.equal(parseShipmentPage({ items: [] }).nextPageToken, null);
});

test('catch-up settings: defaults, and bad values name the variable', () => {
  assert.deepEqual(loadBridgeConfig(SECRET).catchUp, {
    intervalMs: 60_000,
    overlapMs: 30_000,
    pageSize: 100,
    initialLookbackMs: 86_400_000,
    concurrency: 4,
  });
  assert.equal(loadBridgeConfig({ ...SECRET, ODX_TMS_BRIDGE_CATCHUP_INTERVAL_MS: '0' }).catchUp.intervalMs, 0);
  assert.throws(() => loadBridgeConfig({ ...SECRET, ODX_TMS_BRIDGE_CATCHUP_PAGE_SIZE: '0' }), /ODX_TMS_BRIDGE_CATCHUP_PAGE_SIZE/);
  assert.throws(
    () => loadBridgeConfig({ ...SECRET, ODX_TMS_BRIDGE_CATCHUP_PAGE_SIZE: '1001' }),
    /ODX_TMS_BRIDGE_CATCHUP_PAGE_SIZE: must be at most 1000/,
  );
  assert.throws(() => loadBridgeConfig({ ...SECRET, ODX_TMS_BRIDGE_CATCHUP_CONCURRENCY: 'many' }), /ODX_TMS_BRIDGE_CATCHUP_CONCURRENCY/);
});
