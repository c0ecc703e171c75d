// Lost webhooks recovered (issue 12), in short: the simulators give up on
// their webhooks while both bridges are down; the bridges' catch-up and the
// order orchestrator's timers bring every order to delivery, or to an open
// case where the WMS or TMS never did the work, with nothing done twice.
// The full-size run (200 orders, 5 minutes down) is `npm run soak:outage`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOutage } from './support/outage-scenario.js';

test(
  'orders created while wms-bridge and tms-bridge are down long enough for the simulators to give up their webhooks are each delivered, or named by an open case, once',
  { timeout: 420_000 },
  async (t) => {
    const r = await runOutage(t, {
      orders: 40,
      rate: 4,
      downMs: 25_000,
      killAfterBookings: 3,
      recoveryMs: 150_000,
      slaSeconds: 20,
      retryDelaysMs: [5_000, 10_000],
      timers: { scanMs: 1_000, slotMs: 2_000 },
      say: (line) => t.diagnostic(line),
    });
    t.diagnostic(
      `${r.delivered}/${r.orders} delivered (the last ${r.lastDeliveryAfterSeconds.toFixed(1)} s after the restart; every order delivered or named by a case from ${r.settledAfterSeconds?.toFixed(1) ?? '-'} s on); webhooks given up: WMS ${r.webhooksGivenUp.wms}, TMS ${r.webhooksGivenUp.tms}; cases opened ${r.cases.opened}, resolved ${r.cases.resolved}; timers fired ${r.recovery.timersFired}, catch-up requests ${JSON.stringify(r.recovery.catchUpRequests)}, events caught up by the bridges WMS ${r.recovery.catchUpEventsPublished.wms}, TMS ${r.recovery.catchUpEventsPublished.tms}`,
    );
    for (const x of [...r.withCase, ...r.stuck, ...r.needlessCases].slice(0, 10))
      t.diagnostic(
        `order ${x.orderId}: ${x.stage ?? 'no process'} (${x.lastError ?? '-'}), cases ${x.openCases.join(',') || '-'}, WMS ${x.wms.join(',') || '-'}, TMS ${x.tms.join(',') || '-'}`,
      );

    assert.equal(r.load.errors, 0, 'every order was created and confirmed in Odoo');
    assert.equal(r.orders, 40);
    assert.ok(r.webhooksGivenUp.wms + r.webhooksGivenUp.tms > 0, 'the outage lost webhooks for good (else it proves nothing)');
    assert.ok(
      r.recovery.catchUpEventsPublished.wms + r.recovery.catchUpEventsPublished.tms > 0,
      'the bridges published what the lost webhooks carried',
    );
    assert.deepEqual(r.stuck, [], `no order stuck without a case (logs in ${r.logDir}; ODX_TEST_KEEP_LOGS=1 keeps them)`);
    assert.deepEqual(r.needlessCases, [], 'no open case where the order was delivered or the WMS and TMS did the work');
    assert.equal(r.delivered + r.withCase.length, r.orders, 'every order delivered or named by an open case');
    assert.notEqual(r.settledAfterSeconds, null, 'settled within the recovery time');
    assert.deepEqual(r.duplicates, { wmsOrders: [], tmsBookings: [], shipmentEvents: [], stageEvents: [] }, 'nothing twice');
  },
);
