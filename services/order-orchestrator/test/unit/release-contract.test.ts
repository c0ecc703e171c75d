// The release the fold publishes is one wms-bridge (release mode
// fulfillment-requested) can turn into a WMS order: its mapping is pure, so the
// contract is checked here without servers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { mapFulfillmentToWms } from '@odx/wms-bridge';
import { signalsOf } from '../../src/intake/map-event.js';
import { foldSignal } from '../../src/process/fold.js';
import type { ProcessPolicy } from '../../src/process/process-policy.js';

const policy: ProcessPolicy = {
  decideCredit: () => ({ decision: 'approve', rule: 'test', detail: 'ok' }),
  allocate: (i) => ({
    kind: 'allocated',
    parts: [
      { warehouseCode: 'WH', lines: i.lines.slice(0, 1) },
      { warehouseCode: 'WH2', lines: i.lines.slice(1) },
    ],
  }),
  slaMs: () => 60_000,
};

it('wms-bridge maps each FulfillmentRequested of a split order to a WMS order of the part', () => {
  const confirmed = sampleEvent('OrderConfirmed', { meta: sampleMeta({ eventId: randomUUID() }) });
  confirmed.order.lines = confirmed.order.lines.map((l, i) => ({ ...l, quantity: `${i + 3}.0000`, uom: 'EA' }));
  const [signal] = signalsOf(
    { eventType: 'OrderConfirmed', payload: confirmed },
    { kind: 'record', topic: 't', partition: 0, offset: '0', eventId: null, note: null },
    new Map(),
  ).signals;
  const { effects } = foldSignal(null, signal!, {
    now: Date.UTC(2026, 11, 7),
    policy,
    settings: { releaseMode: 'fulfillment-requested', company: 'acme', retryDelaysMs: [1_000], service: 'order-orchestrator' },
    stock: () => new Map(),
  });
  const releases = effects.flatMap((e) => (e.kind === 'publish-fulfillment' ? [e.payload] : []));
  assert.equal(releases.length, 2);
  const orderId = confirmed.order.orderId;
  const wms = releases.map((r) => mapFulfillmentToWms(r, { map: { WH2: 'EAST' }, defaultWarehouse: 'WH' }));
  assert.deepEqual(
    wms.map((w) => [w.externalRef, w.warehouse, w.lines.map((l) => [l.sku, l.qty])]),
    [
      [`${orderId}#${orderId}-WH`, 'WH', [[confirmed.order.lines[0]!.sku, 3]]],
      [`${orderId}#${orderId}-WH2`, 'EAST', confirmed.order.lines.slice(1).map((l, i) => [l.sku, i + 4])],
    ],
  );
  assert.equal(wms[0]!.shipTo.city, confirmed.order.shipTo.city);
});
