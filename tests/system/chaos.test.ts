// The chaos run of issue 16, in short: the system on a three-broker cluster
// with a store of its own, a broker, every service and the store killed in
// turn and the WMS and TMS slow and failing, while orders flow. Nothing lost,
// nothing done twice, every fault recovered from (how fast is reported).
// The full run (2,000 orders) is `npm run chaos`; figures in docs/reliability.md.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chaosFailures, runChaos } from './support/chaos-scenario.js';

test(
  'on three brokers, a broker, one of two wms-bridge instances and the store killed in turn and the WMS and TMS failing: every order delivered once, every fault recovered from',
  { timeout: 900_000 },
  async (t) => {
    const r = await runChaos(t, {
      orders: 50,
      rate: 0.5,
      // One service kill shows the point (the second wms-bridge instance takes over its partitions; the restarted one
      // rejoins); tests/system/restarts.test.ts kills every service, and `npm run chaos` does here too.
      services: ['wms-bridge'],
      // Off the order path, and two cores are few for three brokers and a system: the full run keeps them.
      without: ['edi-gateway', 'analytics-sink', 'replay-dlq'],
      brokerDownMs: 10_000,
      storeDownMs: 8_000,
      simFaultMs: 8_000,
      gapMs: 2_000,
      recoveryMs: 240_000,
      recoveryWatchMs: 240_000,
      // A simulator may give up a webhook while its bridge or the store is down; the orchestrator's timers then catch
      // the order up, within the run with 20 s SLAs (the shipped ones are minutes).
      slaSeconds: 20,
      say: (line) => t.diagnostic(line),
    });
    t.diagnostic(
      `${r.delivered}/${r.confirmed} delivered (the last ${r.lastDeliverySeconds.toFixed(0)} s after the first order); WMS orders ${r.wmsOrders}, TMS bookings ${r.tmsBookings}, DLQ messages ${r.deadLettered}`,
    );
    assert.equal(r.loadErrors, 0, 'every order was created and confirmed in Odoo');
    assert.ok(r.faults.length >= 4, 'the faults ran');
    // Each fault must be recovered from (liveness), and how fast is reported, not asserted: this test shares two cores
    // with another test file, and recovery took 15 s alone and 110 s beside a busy neighbour. `npm run chaos` holds
    // the full run to 30 s (docs/reliability.md). Each fault's line above gives its time.
    assert.deepEqual(chaosFailures(r), [], `logs in ${r.logDir} (ODX_TEST_KEEP_LOGS=1 keeps them)`);
    assert.equal(r.delivered, r.confirmed);
  },
);
