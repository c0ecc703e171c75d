import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { CanonicalEvent, EventMetaLike } from '@odx/runtime';
import type { EvidenceLink, OrchestratorSignal } from '@odx/schemas';
import { sampleEvent, sampleMeta } from '@odx/schemas/fixtures';
import { signalsOf, type IntakeEventType } from '../../src/intake/map-event.js';
import { foldSignal, type FoldContext } from '../../src/process/fold.js';
import type { Effect } from '../../src/process/effects.js';
import type { ProcessPolicy } from '../../src/process/process-policy.js';
import type { ProcessState } from '../../src/process/process-state.js';
import { commandSignal, stepFailureSignal, timerSignal } from '../../src/process/signals.js';
import { policyPort } from '../../src/policy/index.js';
import { policyOf } from './policy-support.js';

const T0 = Date.UTC(2026, 11, 7, 8, 0, 0);
const HOUR = 3_600_000;

/** Approves every order but customer HOLD, ships everything from WH1, SLA one hour per step. */
const policy: ProcessPolicy = {
  decideCredit: (i) =>
    i.customerId === 'HOLD'
      ? { decision: 'hold', rule: 'over-credit-limit', detail: 'over its limit' }
      : { decision: 'approve', rule: 'within-credit-limit', detail: 'fine' },
  allocate: (i) =>
    i.stock.get('NONE|WH1') === '0'
      ? { kind: 'short', missing: [{ sku: 'X', qty: '1' }] }
      : { kind: 'allocated', parts: [{ warehouseCode: 'WH1', lines: i.lines }] },
  slaMs: () => HOUR,
};

function ctx(now: number, overrides: Partial<FoldContext> = {}): FoldContext {
  return {
    now,
    policy,
    settings: { releaseMode: 'fulfillment-requested', company: 'acme', retryDelaysMs: [60_000, 120_000], service: 'order-orchestrator' },
    stock: () => new Map(),
    ...overrides,
  };
}

const evidence: EvidenceLink = { kind: 'record', topic: 'odx.orders.v1', partition: 0, offset: '1', eventId: null, note: null };
let seq = 0;
const meta = (): EventMetaLike & { causationId: null; source: string } => ({
  ...sampleMeta(),
  eventId: `00000000-0000-8000-8000-${String(++seq).padStart(12, '0')}`,
  causationId: null,
});

function signal(
  event: CanonicalEvent<IntakeEventType>,
  invoiceOrders: Map<string, string> = new Map([['9001', '42']]),
): OrchestratorSignal {
  const [s] = signalsOf(event, evidence, invoiceOrders).signals;
  assert.ok(s, `no signal for ${event.eventType}`);
  return s;
}

/** The canonical facts of order 42 from confirmation to payment, with the shipment the orchestrator released (42-WH1). */
function lifecycle(): OrchestratorSignal[] {
  const sh = '42-WH1';
  return [
    signal({ eventType: 'OrderConfirmed', payload: sampleEvent('OrderConfirmed', { meta: meta() }) }),
    signal({ eventType: 'ShipmentPicked', payload: sampleEvent('ShipmentPicked', { meta: meta(), shipmentId: sh, shortPicked: false }) }),
    signal({ eventType: 'ShipmentPacked', payload: sampleEvent('ShipmentPacked', { meta: meta(), shipmentId: sh }) }),
    signal({ eventType: 'ShipmentBooked', payload: sampleEvent('ShipmentBooked', { meta: meta(), shipmentId: sh }) }),
    signal({
      eventType: 'ShipmentDispatched',
      payload: {
        ...sampleEvent('ShipmentDispatched'),
        meta: meta(),
        shipment: { ...sampleEvent('ShipmentDispatched').shipment, shipmentId: sh, orderId: '42' },
      },
    }),
    signal({ eventType: 'ShipmentDelivered', payload: sampleEvent('ShipmentDelivered', { meta: meta(), shipmentId: sh }) }),
    signal({
      eventType: 'InvoicePosted',
      payload: {
        ...sampleEvent('InvoicePosted'),
        meta: meta(),
        invoice: {
          ...sampleEvent('InvoicePosted').invoice,
          invoiceId: '9001',
          orderId: '42',
          moveType: 'out_invoice',
          paymentState: 'not_paid',
        },
      },
    }),
    signal({
      eventType: 'PaymentReceived',
      payload: {
        ...sampleEvent('PaymentReceived'),
        meta: meta(),
        payment: {
          ...sampleEvent('PaymentReceived').payment,
          allocations: [{ invoiceId: '9001', invoiceName: null, amount: sampleEvent('InvoicePosted').invoice.amountTotal }],
        },
      },
    }),
  ];
}

function run(
  signals: readonly OrchestratorSignal[],
  start: ProcessState | null = null,
  c: (i: number) => FoldContext = (i) => ctx(T0 + i * 1_000),
) {
  let state = start;
  const effects: Effect[] = [];
  signals.forEach((s, i) => {
    const r = foldSignal(state, s, c(i));
    state = r.state;
    effects.push(...r.effects);
  });
  assert.ok(state);
  return { state: state as ProcessState, effects };
}

const stages = (effects: Effect[]) =>
  effects.flatMap((e) => (e.kind === 'publish-stage' ? [`${e.payload.stage}/${e.payload.stageStatus}`] : []));

describe('the process fold', () => {
  it('takes an order from confirmation to paid, releasing it once and publishing each stage once', () => {
    const { state, effects } = run(lifecycle());
    assert.equal(state.stage, 'completed');
    assert.equal(state.open, false);
    assert.equal(state.due, null);
    for (const step of Object.values(state.steps)) assert.equal(step.status, 'done');
    const releases = effects.flatMap((e) => (e.kind === 'publish-fulfillment' ? [e.payload] : []));
    assert.equal(releases.length, 1);
    const fr = releases[0];
    assert.equal(fr?.shipment.shipmentId, '42-WH1');
    assert.equal(fr?.shipment.orderId, '42');
    assert.equal(fr?.shipment.lines.length, sampleEvent('OrderConfirmed').order.lines.length);
    assert.deepEqual(stages(effects), [
      'pick-pack/active',
      'carrier-booking/active',
      'dispatch/active',
      'delivery/active',
      'invoice/active',
      'payment/active',
      'completed/done',
    ]);
    const ids = effects.flatMap((e) => (e.kind === 'publish-stage' ? [e.payload.meta.eventId] : []));
    assert.equal(new Set(ids).size, ids.length);
  });

  it('changes nothing for a repeated signal', () => {
    const signals = lifecycle().slice(0, 3);
    const { state } = run(signals);
    const again = foldSignal(state, signals[1]!, ctx(T0 + 99_000));
    assert.equal(again.changed, false);
    assert.equal(again.state, state);
    assert.deepEqual(again.effects, []);
  });

  it('reaches the same end from any order of the facts, with no effect twice', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(lifecycle().slice(1), { minLength: 7, maxLength: 7 }),
        fc.array(fc.nat(7), { maxLength: 4 }),
        (rest, repeats) => {
          const all = [lifecycle()[0]!, ...rest];
          const withRepeats = [...all, ...repeats.map((i) => all[i]!)];
          const { state, effects } = run(withRepeats);
          assert.equal(state.stage, 'completed');
          const ids = effects.map((e) =>
            e.kind === 'publish-stage' || e.kind === 'publish-fulfillment' ? e.payload.meta.eventId : JSON.stringify(e),
          );
          assert.equal(new Set(ids).size, ids.length);
          assert.equal(effects.filter((e) => e.kind === 'publish-fulfillment').length, 1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('holds credit with a case, and an approval moves the order on and resolves it', () => {
    const confirmed = sampleEvent('OrderConfirmed', { meta: meta() });
    confirmed.order.customer = { ...confirmed.order.customer, ref: 'HOLD' };
    const held = run([signal({ eventType: 'OrderConfirmed', payload: confirmed })]);
    assert.equal(held.state.stage, 'credit');
    assert.equal(held.state.stageStatus, 'held');
    assert.equal(held.state.due, null);
    const opened = held.effects.find((e) => e.kind === 'open-case');
    assert.equal(opened?.kind === 'open-case' && opened.opening.reasonClass, 'credit.hold');
    assert.equal(held.effects.filter((e) => e.kind === 'publish-fulfillment').length, 0);

    const approve = commandSignal(
      { orderId: '42', command: 'approve-credit', caseId: 'c1', actor: 'jane' },
      'acme',
      new Date(T0),
      () => 'r1',
    );
    const after = foldSignal(held.state, approve, ctx(T0 + 5_000));
    assert.equal(after.state.stage, 'pick-pack');
    assert.equal(after.state.credit?.approvedBy, 'jane');
    assert.ok(after.effects.some((e) => e.kind === 'resolve-case' && e.step === 'credit'));
    assert.equal(after.effects.filter((e) => e.kind === 'publish-fulfillment').length, 1);
  });

  it('a refused credit hold retried is decided again, and a second hold is a case of its own', () => {
    const confirmed = sampleEvent('OrderConfirmed', { meta: meta() });
    confirmed.order.customer = { ...confirmed.order.customer, ref: 'HOLD' };
    const held = run([signal({ eventType: 'OrderConfirmed', payload: confirmed })]);
    const keyOf = (effects: Effect[]) => effects.flatMap((e) => (e.kind === 'open-case' ? [e.opening.dedupeKey] : []));
    assert.deepEqual(keyOf(held.effects), ['42:credit:hold:0']);
    const command = (c: 'cancel-hold' | 'retry-step', id: string) =>
      commandSignal({ orderId: '42', command: c, step: 'credit', actor: 'jane' }, 'acme', new Date(T0), () => id);
    const refused = foldSignal(held.state, command('cancel-hold', 'r1'), ctx(T0 + 1_000));
    assert.equal(refused.state.steps.credit.status, 'failed');
    // Retried: no position was read for it (the inbox reads one on the credit timer), so the check waits for the timer.
    const retried = foldSignal(refused.state, command('retry-step', 'r2'), ctx(T0 + 2_000));
    assert.equal(retried.state.steps.credit.status, 'active');
    assert.equal(retried.state.credit, null);
    assert.deepEqual(keyOf(retried.effects), []);
    const due = retried.state.due!;
    assert.equal(due.step, 'credit');
    const again = foldSignal(
      retried.state,
      timerSignal('42', 'credit', due.attempt, due.at, 'acme', new Date(due.at)),
      ctx(due.at, { credit: { openReceivables: '10.0000', creditLimit: '5.0000' } }),
    );
    assert.equal(again.state.steps.credit.status, 'held');
    assert.deepEqual(keyOf(again.effects), ['42:credit:hold:1']);
  });

  it('catches up and retries an overdue step, then opens a case, and resolves it when the step moves on', () => {
    const { state } = run(lifecycle().slice(0, 1));
    assert.equal(state.stage, 'pick-pack');
    assert.deepEqual(state.due, { step: 'pick-pack', attempt: 0, at: T0 + HOUR });

    let s = state;
    const all: Effect[] = [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const due = s.due!;
      const r = foldSignal(s, timerSignal('42', 'pick-pack', due.attempt, due.at, 'acme', new Date(due.at)), ctx(due.at));
      s = r.state;
      all.push(...r.effects);
      // A timer of an earlier attempt fired late changes nothing that matters.
      const stale = foldSignal(s, timerSignal('42', 'pick-pack', due.attempt, due.at, 'acme', new Date(due.at)), ctx(due.at + 1));
      assert.equal(stale.changed, false);
    }
    const catchUps = all.filter((e) => e.kind === 'catch-up');
    assert.deepEqual(
      catchUps.map((e) => e.kind === 'catch-up' && [e.bridge, e.attempt]),
      [
        ['wms', 1],
        ['wms', 2],
      ],
    );
    // Released again with a new event id per attempt (the WMS is idempotent by external reference).
    const releases = all.flatMap((e) => (e.kind === 'publish-fulfillment' ? [e.payload.meta.eventId] : []));
    assert.equal(new Set(releases).size, 2);
    const cases = all.filter((e) => e.kind === 'open-case');
    assert.equal(cases.length, 1);
    assert.equal(s.stageStatus, 'failed');
    assert.equal(s.due, null);
    assert.deepEqual(stages(all), ['pick-pack/overdue', 'pick-pack/failed']);

    const packed = foldSignal(s, lifecycle()[2]!, ctx(T0 + 10 * HOUR));
    assert.equal(packed.state.stage, 'carrier-booking');
    assert.equal(packed.state.stageStatus, 'active');
    assert.ok(packed.effects.some((e) => e.kind === 'resolve-case' && e.step === 'pick-pack'));
  });

  it('compensates a cancellation after release and proposes a return after shipment', () => {
    const cancel = (): OrchestratorSignal =>
      signal({ eventType: 'OrderCancelled', payload: sampleEvent('OrderCancelled', { meta: meta() }) });
    const released = run([...lifecycle().slice(0, 4), cancel()]);
    assert.equal(released.state.stage, 'cancelled');
    assert.deepEqual(released.state.cancellation?.compensation, {
      wmsCancel: 'requested',
      tmsVoid: 'requested',
      allocation: 'released',
      returnCase: false,
    });
    assert.equal(released.state.steps.release.status, 'compensated');
    assert.equal(released.effects.filter((e) => e.kind === 'open-case').length, 0);
    assert.equal(released.state.due, null);

    const shipped = run([...lifecycle().slice(0, 5), cancel()]);
    const ret = shipped.effects.find((e) => e.kind === 'open-case');
    assert.equal(ret?.kind === 'open-case' && ret.opening.proposedAction, 'return');
    assert.equal(shipped.state.cancellation?.compensation.returnCase, true);

    // Goods that leave after the cancellation get the return case too, once.
    const late = run([...lifecycle().slice(0, 4), cancel(), lifecycle()[4]!, lifecycle()[5]!]);
    assert.equal(late.effects.filter((e) => e.kind === 'open-case').length, 1);
  });

  it('waits for stock, retrying allocation on its timer', () => {
    const short = (skus: readonly string[]) => new Map(skus.length > 0 ? [['NONE|WH1', '0']] : []);
    const { state } = run(lifecycle().slice(0, 1), null, (i) => ctx(T0 + i, { stock: short }));
    assert.equal(state.stage, 'allocation');
    assert.equal(state.steps.allocation.status, 'waiting');
    const r = foldSignal(state, timerSignal('42', 'allocation', 0, state.due!.at, 'acme', new Date()), ctx(state.due!.at));
    assert.equal(r.state.stage, 'pick-pack');
    assert.equal(r.effects.filter((e) => e.kind === 'publish-fulfillment').length, 1);
  });

  it('allocates an order of products that have no stock level (consumables, services) by their kind', () => {
    const real = policyPort(policyOf({ allocation: { warehouses: ['WH1', 'WH2'], split: false, customers: {} } }));
    const confirmed = lifecycle().slice(0, 1);
    const skus = sampleEvent('OrderConfirmed').order.lines.map((l) => l.sku);
    // No kinds known: every line counts as storable, and nothing is in stock.
    const unknown = run(confirmed, null, (i) => ctx(T0 + i, { policy: real }));
    assert.equal(unknown.state.steps.allocation.status, 'waiting');
    assert.match(unknown.state.steps.allocation.lastError ?? '', /short of stock/);
    const consumables = run(confirmed, null, (i) =>
      ctx(T0 + i, { policy: real, products: (asked) => new Map(asked.map((sku) => [sku, 'consumable'] as const)) }),
    );
    assert.equal(consumables.state.steps.allocation.status, 'done');
    assert.deepEqual(
      consumables.state.allocation?.parts.map((p) => [p.warehouseCode, p.lines.map((l) => l.sku)]),
      [['WH1', skus]],
    );
    assert.equal(consumables.effects.filter((e) => e.kind === 'publish-fulfillment').length, 1);
  });

  it('a step failure reported from outside (a dead letter) fails the step with one case; on a step already done, only the case', () => {
    const dlqEvidence: EvidenceLink = {
      kind: 'dlq-entry',
      topic: 'odx.shipments.v1.tms-bridge.dlq',
      partition: 0,
      offset: '7',
      eventId: null,
      note: 'tms.rejected in tms-bridge',
    };
    const failure = (step: string, key: string) =>
      stepFailureSignal(
        {
          orderId: '42',
          step,
          errorClass: 'dlq.tms.rejected',
          lastError: 'the TMS refused the booking',
          reportedBy: 'tms-bridge',
          evidence: [dlqEvidence],
          key,
        },
        'acme',
        new Date(T0),
      );
    const { state } = run(lifecycle().slice(0, 3));
    assert.equal(state.stage, 'carrier-booking');
    const r = foldSignal(state, failure('carrier-booking', 'dlq|a|0|7'), ctx(T0 + 5_000));
    const step = r.state.steps['carrier-booking'];
    assert.deepEqual([step.status, step.caseOpen, step.lastError], ['failed', true, 'dlq.tms.rejected: the TMS refused the booking']);
    assert.deepEqual([r.state.stage, r.state.stageStatus, r.state.due], ['carrier-booking', 'failed', null]);
    const cases = r.effects.flatMap((e) => (e.kind === 'open-case' ? [e.opening] : []));
    assert.equal(cases.length, 1);
    assert.deepEqual(
      [cases[0]?.step, cases[0]?.reasonClass, cases[0]?.proposedAction],
      ['carrier-booking', 'dlq.tms.rejected', 'redrive-or-purge'],
    );
    assert.ok(
      cases[0]?.evidence.some((e) => e.kind === 'dlq-entry' && e.offset === '7'),
      'the DLQ entry is evidence',
    );
    // The same entry again (the intake re-read it): nothing.
    assert.equal(foldSignal(r.state, failure('carrier-booking', 'dlq|a|0|7'), ctx(T0 + 6_000)).changed, false);
    // The booking arrives after all: the step is done and its case resolved.
    const booked = foldSignal(r.state, lifecycle()[3]!, ctx(T0 + 7_000));
    assert.equal(booked.state.steps['carrier-booking'].status, 'done');
    assert.ok(booked.effects.some((e) => e.kind === 'resolve-case' && e.step === 'carrier-booking'));

    // Reported for a step not begun yet (the order not even confirmed here): its error and a case; it still begins later.
    const early = foldSignal(null, failure('release', 'dlq|c|0|1'), ctx(T0));
    assert.equal(early.state.steps.release.status, 'pending');
    assert.equal(early.state.steps.release.caseOpen, true);
    assert.equal(early.effects.filter((e) => e.kind === 'open-case').length, 1);
    const confirmed = foldSignal(early.state, lifecycle()[0]!, ctx(T0 + 1));
    assert.equal(confirmed.effects.filter((e) => e.kind === 'publish-fulfillment').length, 1, 'released all the same');
    assert.ok(confirmed.effects.some((e) => e.kind === 'resolve-case' && e.step === 'release'));

    // A write-back that failed for a step already done (Odoo never got the dispatch): a case, the step stays done.
    const later = run(lifecycle().slice(0, 6)).state;
    const w = foldSignal(later, failure('dispatch', 'dlq|b|0|9'), ctx(T0 + 8_000));
    assert.equal(w.state.steps.dispatch.status, 'done');
    assert.equal(w.state.stage, later.stage);
    assert.deepEqual(
      w.effects.flatMap((e) => (e.kind === 'open-case' ? [e.opening.step] : [])),
      ['dispatch'],
    );
  });

  it('an allocation short for good opens its case saying which SKUs are short, with the overdue note beside it', () => {
    const short = (skus: readonly string[]) => new Map(skus.length > 0 ? [['NONE|WH1', '0']] : []);
    const at = (now: number) => ctx(now, { stock: short });
    let { state: s } = run(lifecycle().slice(0, 1), null, (i) => at(T0 + i));
    assert.equal(s.steps.allocation.lastError, 'short of stock: X x 1');
    const opened: Effect[] = [];
    for (let round = 0; round < 3; round++) {
      const due = s.due!;
      assert.equal(due.step, 'allocation');
      const r = foldSignal(s, timerSignal('42', 'allocation', due.attempt, due.at, 'acme', new Date(due.at)), at(due.at));
      s = r.state;
      opened.push(...r.effects.filter((e) => e.kind === 'open-case'));
      // Every round keeps the step's own error; the overdue note is kept beside it.
      assert.equal(s.steps.allocation.lastError, 'short of stock: X x 1');
      assert.equal(s.steps.allocation.overdue, `allocation overdue (attempt ${round + 1}): no progress within its SLA`);
    }
    assert.equal(opened.length, 1);
    const c = opened[0]!;
    assert.equal(
      c.kind === 'open-case' && `${c.opening.reasonClass}: ${c.opening.lastError}`,
      'step.overdue: short of stock: X x 1; allocation overdue (attempt 3): no progress within its SLA; 2 catch-up and retry rounds did not help',
    );
    assert.equal(s.stageStatus, 'failed');
  });

  it('a step with no error of its own shows the overdue note as its last error', () => {
    const { state } = run(lifecycle().slice(0, 1));
    const due = state.due!;
    const r = foldSignal(state, timerSignal('42', 'pick-pack', due.attempt, due.at, 'acme', new Date(due.at)), ctx(due.at));
    assert.equal(r.state.steps['pick-pack'].lastError, 'pick-pack overdue (attempt 1): no progress within its SLA');
    const next = r.state.due!;
    const r2 = foldSignal(r.state, timerSignal('42', 'pick-pack', next.attempt, next.at, 'acme', new Date(next.at)), ctx(next.at));
    assert.equal(r2.state.steps['pick-pack'].lastError, 'pick-pack overdue (attempt 2): no progress within its SLA');
  });

  it('in observe mode follows the shipments wms-bridge released, not the Odoo picking reported under another id', () => {
    const observe = (i: number): FoldContext => ({ ...ctx(T0 + i * 1_000), settings: { ...ctx(0).settings, releaseMode: 'observe' } });
    const dispatchedInOdoo = sampleEvent('ShipmentDispatched', { meta: meta() });
    dispatchedInOdoo.shipment = { ...dispatchedInOdoo.shipment, shipmentId: '1310', orderId: '42' };
    const sh = { meta: meta(), shipmentId: '42', orderId: '42' };
    const picked = signal({ eventType: 'ShipmentPicked', payload: sampleEvent('ShipmentPicked', { ...sh, meta: meta() }) });
    const packed = signal({ eventType: 'ShipmentPacked', payload: sampleEvent('ShipmentPacked', { ...sh, meta: meta() }) });
    const booked = signal({ eventType: 'ShipmentBooked', payload: sampleEvent('ShipmentBooked', { ...sh, meta: meta() }) });
    const delivered = signal({ eventType: 'ShipmentDelivered', payload: sampleEvent('ShipmentDelivered', { ...sh, meta: meta() }) });
    const wmsDispatched = sampleEvent('ShipmentDispatched', { meta: meta() });
    wmsDispatched.shipment = { ...wmsDispatched.shipment, shipmentId: '42', orderId: '42' };
    const confirmed = signal({ eventType: 'OrderConfirmed', payload: sampleEvent('OrderConfirmed', { meta: meta() }) });
    const waiting = run([confirmed], null, observe);
    assert.equal(waiting.state.stage, 'release');
    assert.equal(waiting.effects.filter((e) => e.kind === 'publish-fulfillment').length, 0, 'wms-bridge releases in this mode');
    const { state } = run(
      [
        picked,
        packed,
        booked,
        signal({ eventType: 'ShipmentDispatched', payload: wmsDispatched }),
        signal({ eventType: 'ShipmentDispatched', payload: dispatchedInOdoo }),
        delivered,
      ],
      waiting.state,
      (i) => observe(i + 1),
    );
    assert.equal(state.stage, 'invoice');
    assert.equal(state.shipments.length, 2);
  });

  it('waits for a credit position that cannot be read, and decides on the credit timer', () => {
    const unreadable = run(lifecycle().slice(0, 1), null, (i) => ctx(T0 + i, { credit: 'unavailable' }));
    assert.equal(unreadable.state.stage, 'credit');
    assert.equal(unreadable.state.credit, null);
    assert.equal(unreadable.state.due?.step, 'credit');
    // A fact meanwhile does not decide it without the position.
    const still = foldSignal(unreadable.state, lifecycle()[1]!, ctx(T0 + 10));
    assert.equal(still.state.credit, null);
    const due = still.state.due!;
    const decided = foldSignal(
      still.state,
      timerSignal('42', 'credit', due.attempt, due.at, 'acme', new Date(due.at)),
      ctx(due.at, { credit: { openReceivables: '10.0000', creditLimit: '1000.0000' } }),
    );
    assert.equal(decided.state.steps.credit.status, 'done');
    assert.equal(decided.effects.filter((e) => e.kind === 'publish-fulfillment').length, 1);
  });

  it('opens a case for a shipment exception a person must handle, resolved when the step is done', () => {
    const { state } = run(lifecycle().slice(0, 4));
    assert.equal(state.stage, 'dispatch');
    const delayed = signal({
      eventType: 'ShipmentException',
      payload: sampleEvent('ShipmentException', { meta: meta(), shipmentId: '42-WH1', exceptionCode: 'DELAYED' }),
    });
    assert.equal(foldSignal(state, delayed, ctx(T0 + 9_000)).effects.filter((e) => e.kind === 'open-case').length, 0);
    const lost = signal({
      eventType: 'ShipmentException',
      payload: sampleEvent('ShipmentException', { meta: meta(), shipmentId: '42-WH1', exceptionCode: 'LOST' }),
    });
    const r = foldSignal(state, lost, ctx(T0 + 10_000));
    const opened = r.effects.find((e) => e.kind === 'open-case');
    assert.equal(
      opened?.kind === 'open-case' && `${opened.opening.reasonClass}/${opened.opening.severity}/${opened.opening.step}`,
      'shipment.exception.lost/critical/dispatch',
    );
    const rest = run(lifecycle().slice(4, 6), r.state, (i) => ctx(T0 + 20_000 + i));
    assert.ok(rest.effects.some((e) => e.kind === 'resolve-case' && e.step === 'dispatch'));
  });
});
