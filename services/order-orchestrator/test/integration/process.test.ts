import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildDlqHeaders } from '@odx/runtime';
import { payloadsOf } from '@odx/runtime/testing';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import {
  confirmedOrder,
  eventually,
  level,
  shortPolicy,
  startOrchestrator,
  type RunningOrchestrator,
} from '../support/orchestrator-kit.js';
import { DLQ_CURSOR_COLLECTION } from '../../src/cases/dlq-intake.js';

const meta = (): ReturnType<typeof sampleMeta> => sampleMeta({ eventId: randomUUID(), source: 'wms' });

/** The warehouse and carrier facts of one shipment, in order, as the bridges publish them. */
async function ship(
  o: RunningOrchestrator,
  orderId: string,
  shipmentId: string,
  upTo: 'packed' | 'booked' | 'dispatched' | 'delivered',
): Promise<void> {
  const t = o.topics.shipments;
  await o.publish(
    'ShipmentPicked',
    shipmentId,
    sampleEvent('ShipmentPicked', { meta: meta(), shipmentId, orderId, shortPicked: false }),
    t,
  );
  await o.publish('ShipmentPacked', shipmentId, sampleEvent('ShipmentPacked', { meta: meta(), shipmentId, orderId }), t);
  if (upTo === 'packed') return;
  await o.publish('ShipmentBooked', shipmentId, sampleEvent('ShipmentBooked', { meta: meta(), shipmentId, orderId }), t);
  if (upTo === 'booked') return;
  const d = sampleEvent('ShipmentDispatched', { meta: meta() });
  d.shipment = { ...d.shipment, shipmentId, orderId };
  await o.publish('ShipmentDispatched', shipmentId, d, t);
  if (upTo === 'dispatched') return;
  await o.publish('ShipmentDelivered', shipmentId, sampleEvent('ShipmentDelivered', { meta: meta(), shipmentId, orderId }), t);
}

async function stage(o: RunningOrchestrator, orderId: string, want: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const p = await o.process(orderId);
      return p?.stage === want ? p : undefined;
    },
    timeoutMs,
    `order ${orderId} at stage ${want}`,
  );
}

describe('order orchestrator on the real stack', { timeout: 180_000 }, () => {
  it('takes orders from confirmation to paid, releasing each once (split where allowed) and publishing each stage once', async (t) => {
    // SLAs long enough that no timer fires on a loaded machine.
    const o = await startOrchestrator(t, { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '60000' }, shortPolicy(600_000));
    await o.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH', '100.0000'), o.topics.inventory);
    await o.publish('InventoryLevelChanged', 'SKU-B', level('SKU-B', 'WH2', '100.0000'), o.topics.inventory);
    await o.publish('InventoryLevelChanged', 'SKU-C', level('SKU-C', 'WH', '100.0000'), o.topics.inventory);
    const releases = await o.collect(o.topics.shipments);
    const stages = await o.collect(o.topics.process);
    await eventually(
      () => (o.orchestrator.stock ? o.orchestrator.stock.refresh().then((n) => (n >= 3 ? n : undefined)) : undefined),
      20_000,
      'stock levels',
    );

    const single = confirmedOrder(['SKU-A', 'SKU-C']);
    const split = confirmedOrder(['SKU-A', 'SKU-B'], 'SPLIT');
    for (const c of [single, split]) await o.publish('OrderConfirmed', c.order.orderId, c, o.topics.orders);

    const s1 = await stage(o, single.order.orderId, 'pick-pack');
    assert.deepEqual(
      s1.allocation?.parts.map((p) => p.shipmentId),
      [`${single.order.orderId}-WH`],
    );
    const s2 = await stage(o, split.order.orderId, 'pick-pack');
    assert.deepEqual(s2.allocation?.parts.map((p) => p.warehouseCode).sort(), ['WH', 'WH2']);

    for (const c of [single, split]) {
      const p = await o.process(c.order.orderId);
      for (const part of p?.allocation?.parts ?? []) await ship(o, c.order.orderId, part.shipmentId, 'delivered');
      await stage(o, c.order.orderId, 'invoice');
      const invoice = sampleEvent('InvoicePosted', { meta: sampleMeta({ eventId: randomUUID() }) });
      const invoiceId = `INV-${c.order.orderId}`;
      invoice.invoice = {
        ...invoice.invoice,
        invoiceId,
        orderId: c.order.orderId,
        moveType: 'out_invoice',
        paymentState: 'not_paid',
        amountTotal: '100.0000',
        amountResidual: '100.0000',
      };
      const payment = sampleEvent('PaymentReceived', { meta: sampleMeta({ eventId: randomUUID() }) });
      payment.payment = {
        ...payment.payment,
        paymentId: `PAY-${c.order.orderId}`,
        allocations: [{ invoiceId, invoiceName: null, amount: '100.0000' }],
      };
      // The payment first: it waits for its invoice's order to be known.
      await o.publish('PaymentReceived', payment.payment.paymentId, payment, o.topics.payments);
      await o.publish('InvoicePosted', invoiceId, invoice, o.topics.invoices);
    }
    const done1 = await stage(o, single.order.orderId, 'completed');
    assert.equal(done1.open, false);
    await stage(o, split.order.orderId, 'completed');

    const released = await eventually(
      () => {
        const fr = payloadsOf(releases, 'FulfillmentRequested');
        return fr.length >= 3 ? fr : undefined;
      },
      20_000,
      'releases',
    );
    assert.equal(released.length, 3, 'one release per allocation part, never twice');
    assert.equal(new Set(released.map((r) => r.shipment.shipmentId)).size, 3);
    const changes = await eventually(() => {
      const c = payloadsOf(stages, 'OrderStageChanged').filter((s) => s.orderId === single.order.orderId);
      return c.some((s) => s.stage === 'completed') ? c : undefined;
    });
    assert.equal(new Set(changes.map((c) => c.meta.eventId)).size, changes.length, 'no stage event twice');
    assert.deepEqual(
      changes.map((c) => c.sequence),
      changes.map((_, i) => i + 1),
    );
    // Closed processes go after their retention (FerretDB has no TTL index).
    assert.equal(await o.orchestrator.store.sweepClosed(Date.now() - 60_000), 0);
    assert.equal(await o.orchestrator.store.sweepClosed(Date.now() + 1), 2);
    assert.equal(await o.process(single.order.orderId), undefined);
  });

  it('allocates lines of consumables and services (ProductUpserted on odx.products.v1) without stock, with the stocked lines', async (t) => {
    const o = await startOrchestrator(t, { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '60000' }, shortPolicy(600_000));
    await o.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH2', '100.0000'), o.topics.inventory);
    const product = (sku: string, productType: string): ReturnType<typeof sampleEvent<'ProductUpserted'>> => {
      const e = sampleEvent('ProductUpserted', { meta: sampleMeta({ eventId: randomUUID(), source: 'odoo' }) });
      e.product = { ...e.product, productId: `p-${sku}`, sku, productType, updatedAt: new Date() };
      return e;
    };
    await o.publish('ProductUpserted', 'p-SKU-CONS', product('SKU-CONS', 'consumable'), o.topics.products);
    await o.publish('ProductUpserted', 'p-SKU-SERV', product('SKU-SERV', 'service'), o.topics.products);
    await o.publish('ProductUpserted', 'p-SKU-A', product('SKU-A', 'storable'), o.topics.products);
    const releases = await o.collect(o.topics.shipments);
    await eventually(() => o.orchestrator.stock.refresh().then((n) => (n >= 1 ? n : undefined)), 20_000, 'stock');
    await eventually(() => o.orchestrator.products.refresh().then((n) => (n >= 3 ? n : undefined)), 20_000, 'products');

    const mixed = confirmedOrder(['SKU-CONS', 'SKU-A', 'SKU-SERV']);
    const onlyConsumables = confirmedOrder(['SKU-CONS']);
    for (const c of [mixed, onlyConsumables]) await o.publish('OrderConfirmed', c.order.orderId, c, o.topics.orders);
    const p1 = await stage(o, mixed.order.orderId, 'pick-pack');
    assert.deepEqual(
      p1.allocation?.parts.map((p) => p.shipmentId),
      [`${mixed.order.orderId}-WH2`],
      'ships from the warehouse that has the stocked line',
    );
    const p2 = await stage(o, onlyConsumables.order.orderId, 'pick-pack');
    assert.deepEqual(
      p2.allocation?.parts.map((p) => p.shipmentId),
      [`${onlyConsumables.order.orderId}-WH`],
      'nothing stocked: the first warehouse',
    );
    const fr = await eventually(
      () => payloadsOf(releases, 'FulfillmentRequested').find((r) => r.shipment.orderId === mixed.order.orderId),
      20_000,
      'the release',
    );
    assert.deepEqual(
      fr.shipment.lines.map((l) => l.sku),
      ['SKU-CONS', 'SKU-A', 'SKU-SERV'],
    );
  });

  it("a dead letter of the group doing a step (tms-bridge's booking) fails that step of the order's process, with one case", async (t) => {
    const o = await startOrchestrator(
      t,
      { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '60000', ODX_CASES_DLQ_INTAKE: 'true', ODX_CASES_DLQ_SCAN_MS: '300' },
      shortPolicy(600_000),
    );
    await o.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH', '100.0000'), o.topics.inventory);
    await eventually(() => o.orchestrator.stock.refresh().then((n) => (n >= 1 ? n : undefined)), 20_000, 'stock');
    const c = confirmedOrder(['SKU-A']);
    const orderId = c.order.orderId;
    await o.publish('OrderConfirmed', orderId, c, o.topics.orders);
    await stage(o, orderId, 'pick-pack');
    const shipmentId = `${orderId}-WH`;
    await ship(o, orderId, shipmentId, 'packed');
    await stage(o, orderId, 'carrier-booking');

    // tms-bridge gave up booking the packed shipment: its dead letter, as the runtime writes it.
    const dlq = `${o.topics.shipments}.tms-bridge.dlq`;
    await o.rt.cluster.ensureTopics([{ name: dlq, partitions: 1, replicationFactor: 1, config: {} }]);
    const packed = sampleEvent('ShipmentPacked', { meta: meta(), shipmentId, orderId });
    const encoded = await o.rt.serde.encode(o.topics.shipments, 'ShipmentPacked', packed);
    const headers = buildDlqHeaders(
      { ce_id: packed.meta.eventId },
      {
        originalTopic: o.topics.shipments,
        receivedTopic: `${o.topics.shipments}.tms-bridge.retry.3`,
        partition: 1,
        offset: '77',
        attempt: 4,
        failure: {
          kind: 'permanent',
          errorClass: 'tms.rejected',
          message: 'the TMS refused the booking: no carrier serves the postcode',
          circuitOpen: false,
          retryAfterMs: undefined,
        },
        group: 'tms-bridge',
      },
    );
    await o.rt.producer.publishRaw([{ topic: dlq, key: shipmentId, value: encoded.value, headers }]);

    const failed = await eventually(
      async () => {
        const p = await o.process(orderId);
        return p?.stageStatus === 'failed' ? p : undefined;
      },
      30_000,
      'the booking step failed',
    );
    assert.equal(failed.stage, 'carrier-booking');
    assert.equal(failed.steps['carrier-booking']?.status, 'failed');
    assert.match(failed.steps['carrier-booking']?.lastError ?? '', /^dlq\.tms\.rejected: the TMS refused the booking/);
    const auth = { authorization: `Bearer ${o.token}` };
    type CaseView = {
      caseId: string;
      step: string;
      errorClass: string;
      evidence: Array<{ kind: string; topic: string | null; offset: string | null }>;
    };
    const cases = async (): Promise<CaseView[]> => {
      const res = await fetch(`${o.url}/v1/cases?order=${encodeURIComponent(orderId)}`, { headers: auth });
      return ((await res.json()) as { cases?: CaseView[] }).cases ?? [];
    };
    const [one] = await eventually(async () => ((await cases()).length > 0 ? cases() : undefined), 30_000, 'the case');
    assert.deepEqual([one?.step, one?.errorClass], ['carrier-booking', 'dlq.tms.rejected']);
    const full = await fetch(`${o.url}/v1/cases/${one!.caseId}`, { headers: auth }).then(
      async (r) => ((await r.json()) as { case: CaseView }).case,
    );
    assert.ok(
      full.evidence.some((e) => e.kind === 'dlq-entry' && e.topic === dlq && e.offset === '0'),
      JSON.stringify(full.evidence),
    );
    // Read again from the start (a restart before the cursor moved): still one case.
    const sent = async (): Promise<number> => {
      const text = await o.rt.metrics.registry.getSingleMetricAsString('odx_cases_dlq_entries_total');
      return Number(/outcome="process"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    assert.equal(await sent(), 1);
    await o.rt.db.collection(DLQ_CURSOR_COLLECTION).deleteMany({});
    await eventually(async () => ((await sent()) >= 2 ? true : undefined), 20_000, 'the entry read again');
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal((await cases()).length, 1, 'one case, not two');
  });

  it('compensates an order cancelled after release, and opens a return case for one cancelled after shipment', async (t) => {
    const o = await startOrchestrator(t, { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '60000' }, shortPolicy(600_000));
    await o.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH', '100.0000'), o.topics.inventory);
    await eventually(() => o.orchestrator.stock.refresh().then((n) => (n >= 1 ? n : undefined)), 20_000, 'stock');
    const released = confirmedOrder(['SKU-A']);
    const shipped = confirmedOrder(['SKU-A']);
    for (const c of [released, shipped]) await o.publish('OrderConfirmed', c.order.orderId, c, o.topics.orders);
    await stage(o, released.order.orderId, 'pick-pack');
    await stage(o, shipped.order.orderId, 'pick-pack');
    await ship(o, released.order.orderId, `${released.order.orderId}-WH`, 'booked');
    await ship(o, shipped.order.orderId, `${shipped.order.orderId}-WH`, 'dispatched');
    await stage(o, released.order.orderId, 'dispatch');
    await stage(o, shipped.order.orderId, 'delivery');
    for (const c of [released, shipped]) {
      const cancel = sampleEvent('OrderCancelled', {
        meta: sampleMeta({ eventId: randomUUID() }),
        orderId: c.order.orderId,
        reason: 'customer withdrew',
      });
      await o.publish('OrderCancelled', c.order.orderId, cancel, o.topics.orders);
    }
    const a = await stage(o, released.order.orderId, 'cancelled');
    assert.deepEqual(a.cancellation?.compensation, {
      wmsCancel: 'requested',
      tmsVoid: 'requested',
      allocation: 'released',
      returnCase: false,
    });
    assert.equal(a.steps['release']?.status, 'compensated');
    const b = await stage(o, shipped.order.orderId, 'cancelled');
    assert.equal(b.cancellation?.compensation['returnCase'], true);
    const cases = await eventually(async () => {
      const res = await fetch(`${o.url}/v1/cases?order=${encodeURIComponent(shipped.order.orderId)}`, {
        headers: { authorization: `Bearer ${o.token}` },
      });
      const body: unknown = await res.json();
      const list = typeof body === 'object' && body !== null && 'cases' in body && Array.isArray(body.cases) ? body.cases : [];
      return list.length > 0 ? list : undefined;
    });
    assert.equal(cases.length, 1);
    assert.match(JSON.stringify(cases[0]), /order\.cancelled-after-shipment/);
    assert.match(JSON.stringify(cases[0]), /"proposedAction":"return"/);
  });

  it('holds an order over its credit as a case; approving the case releases the order', async (t) => {
    const o = await startOrchestrator(t, { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '60000' }, shortPolicy(600_000, true));
    await o.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH', '100.0000'), o.topics.inventory);
    await eventually(() => o.orchestrator.stock.refresh().then((n) => (n >= 1 ? n : undefined)), 20_000, 'stock');
    const held = confirmedOrder(['SKU-A'], 'SLOW-PAYER');
    await o.publish('OrderConfirmed', held.order.orderId, held, o.topics.orders);
    const p = await stage(o, held.order.orderId, 'credit');
    assert.equal(p.stageStatus, 'held');
    const auth = { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' };
    const [hold] = await eventually(async () => {
      const res = await fetch(`${o.url}/v1/cases?order=${encodeURIComponent(held.order.orderId)}`, { headers: auth });
      const body: unknown = await res.json();
      const list = typeof body === 'object' && body !== null && 'cases' in body && Array.isArray(body.cases) ? body.cases : [];
      return list.length > 0 ? list : undefined;
    });
    const caseId = typeof hold === 'object' && hold !== null && 'caseId' in hold ? String(hold.caseId) : '';
    assert.match(JSON.stringify(hold), /credit\.hold/);
    const res = await fetch(`${o.url}/v1/cases/${caseId}/resolve`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ resolution: 'approved', note: 'customer paid its overdue invoices' }),
    });
    assert.equal(res.status, 200, await res.text());
    const released = await stage(o, held.order.orderId, 'pick-pack');
    assert.equal(released.steps['credit']?.status, 'done');
  });

  it('a refused credit hold that is retried and held again opens a new case, not the old resolved one', async (t) => {
    const o = await startOrchestrator(t, { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '60000' }, shortPolicy(2_000, true));
    const held = confirmedOrder(['SKU-A'], 'SLOW-PAYER');
    const orderId = held.order.orderId;
    await o.publish('OrderConfirmed', orderId, held, o.topics.orders);
    const auth = { authorization: `Bearer ${o.token}`, 'content-type': 'application/json' };
    const cases = async (): Promise<Array<{ caseId: string; status: string; reasonClass: string }>> => {
      const res = await fetch(`${o.url}/v1/cases?order=${encodeURIComponent(orderId)}`, { headers: auth });
      const body = (await res.json()) as { cases?: Array<{ caseId: string; status: string; errorClass: string }> };
      return (body.cases ?? []).map((c) => ({ caseId: c.caseId, status: c.status, reasonClass: c.errorClass }));
    };
    const [first] = await eventually(async () => ((await cases()).length > 0 ? cases() : undefined), 30_000, 'the first hold case');
    assert.equal(first?.reasonClass, 'credit.hold');
    const refused = await fetch(`${o.url}/v1/cases/${first!.caseId}/resolve`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ resolution: 'cancelled', note: 'no credit for now' }),
    });
    assert.equal(refused.status, 200, await refused.text());
    await eventually(async () => ((await o.process(orderId))?.steps['credit']?.status === 'failed' ? true : undefined), 30_000, 'refused');
    // The customer paid: someone retries the credit check; it is decided again on the credit timer, and holds again.
    await o.orchestrator.commands.send({ orderId, command: 'retry-step', step: 'credit', actor: 'tester', requestId: 'again' });
    const both = await eventually(
      async () => {
        const list = await cases();
        return list.length >= 2 ? list : undefined;
      },
      30_000,
      'a second hold case',
    );
    assert.equal(both.length, 2);
    const second = both.find((c) => c.caseId !== first!.caseId);
    assert.deepEqual(
      [second?.reasonClass, second?.status, both.find((c) => c.caseId === first!.caseId)?.status],
      ['credit.hold', 'open', 'resolved'],
    );
    const p = await o.process(orderId);
    assert.deepEqual([p?.stage, p?.stageStatus], ['credit', 'held']);
  });

  it('asks the bridge to catch up a late step and retries it, then opens a case, which the late fact resolves', async (t) => {
    const o = await startOrchestrator(t, { ODX_ORCHESTRATOR_RETRY_DELAYS_MS: '1000,1000' });
    await o.publish('InventoryLevelChanged', 'SKU-A', level('SKU-A', 'WH', '100.0000'), o.topics.inventory);
    await eventually(() => o.orchestrator.stock.refresh().then((n) => (n >= 1 ? n : undefined)), 20_000, 'stock');
    const releases = await o.collect(o.topics.shipments);
    const late = confirmedOrder(['SKU-A']);
    await o.publish('OrderConfirmed', late.order.orderId, late, o.topics.orders);
    await stage(o, late.order.orderId, 'pick-pack');
    // SLA 2 s, then two catch-up-and-retry rounds of 1 s, then a case.
    const failed = await eventually(
      async () => {
        const p = await o.process(late.order.orderId);
        return p?.stageStatus === 'failed' ? p : undefined;
      },
      30_000,
      'the late step handed to a case',
    );
    assert.equal(failed.steps['pick-pack']?.attempts, 3);
    assert.equal(failed.steps['pick-pack']?.caseOpen, true);
    await eventually(
      () => (o.catchUps.filter((c) => c === `wms:${late.order.orderId}`).length >= 2 ? true : undefined),
      10_000,
      'catch-ups',
    );
    assert.deepEqual(
      o.catchUps.filter((c) => c.endsWith(late.order.orderId)),
      [`wms:${late.order.orderId}`, `wms:${late.order.orderId}`],
    );
    // Released, then released again on each retry (a new event id each time).
    const fr = await eventually(
      () => {
        const mine = payloadsOf(releases, 'FulfillmentRequested').filter((r) => r.shipment.orderId === late.order.orderId);
        return mine.length >= 3 ? mine : undefined;
      },
      20_000,
      'releases',
    );
    assert.equal(fr.length, 3);
    assert.equal(new Set(fr.map((r) => r.meta.eventId)).size, 3);
    const open = await eventually(async () => {
      const res = await fetch(`${o.url}/v1/cases?order=${encodeURIComponent(late.order.orderId)}&status=open`, {
        headers: { authorization: `Bearer ${o.token}` },
      });
      const body: unknown = await res.json();
      const list = typeof body === 'object' && body !== null && 'cases' in body && Array.isArray(body.cases) ? body.cases : [];
      return list.length > 0 ? list : undefined;
    });
    assert.match(JSON.stringify(open[0]), /step\.overdue/);

    await ship(o, late.order.orderId, `${late.order.orderId}-WH`, 'packed');
    await stage(o, late.order.orderId, 'carrier-booking');
    await eventually(
      async () => {
        const res = await fetch(`${o.url}/v1/cases?order=${encodeURIComponent(late.order.orderId)}&status=resolved`, {
          headers: { authorization: `Bearer ${o.token}` },
        });
        const body: unknown = await res.json();
        const list = typeof body === 'object' && body !== null && 'cases' in body && Array.isArray(body.cases) ? body.cases : [];
        return list.length > 0 ? list : undefined;
      },
      15_000,
      'the case resolved when the process moved on',
    );
  });
});
