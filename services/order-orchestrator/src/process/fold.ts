// The pure heart of the orchestrator: (process, signal, context) -> (process,
// effects). Facts are recorded as they come (in any order: an invoice may be
// posted before the goods left), then the steps are re-derived from the facts
// in order of order to cash; the stage is the first step not done. Deciding
// steps (credit, allocation) ask the policy; a stage change publishes
// OrderStageChanged; the stage's SLA sets the one due timer; an overdue step is
// caught up and retried, then handed to a case.
import { deterministicEventId } from '@odx/runtime';
import {
  formatDecimal,
  parseDecimal,
  type FulfillmentRequested,
  type OrchestratorSignal,
  type Order,
  type OrderStageChanged,
} from '@odx/schemas';
import type { CaseSeverity, Effect } from './effects.js';
import type { CreditFacts, ProcessPolicy, ProductKindName, SlaScope } from './process-policy.js';
import {
  MAX_EVIDENCE,
  MAX_HISTORY,
  MAX_SIGNAL_IDS,
  cloneProcess,
  newProcess,
  type AllocationPartState,
  type OrderFacts,
  type ProcessState,
  type ShipmentState,
  type StepState,
} from './process-state.js';
import { STEPS, bridgeOfStep, isStepName, type Stage, type StageStatus, type StepName } from './steps.js';

export interface FoldSettings {
  /** `fulfillment-requested`: the orchestrator releases (publishes FulfillmentRequested); `observe`: wms-bridge releases on OrderConfirmed. */
  releaseMode: 'fulfillment-requested' | 'observe';
  /** Tenant of the events the process publishes. */
  company: string;
  /** Delay before each retry of an overdue step is judged again; their count is the retries before a case opens. */
  retryDelaysMs: readonly number[];
  /** Named in events and cases. @default 'order-orchestrator' */
  service: string;
}

export interface FoldContext {
  /** The signal's time in ms (its inbox record's timestamp): the same on a replay. */
  now: number;
  policy: ProcessPolicy;
  settings: FoldSettings;
  /**
   * The customer's credit position, read before the fold for an order awaiting its credit decision; absent: nothing
   * owed, no limit; `unavailable`: it could not be read (the decision waits for the credit step's timer).
   */
  credit?: CreditFacts | 'unavailable';
  /** Available stock (decimal strings) per `${sku}|${warehouse}` for the given SKUs. */
  stock: (skus: readonly string[]) => ReadonlyMap<string, string>;
  /**
   * The kind of the given SKUs' products (ProductUpserted), those known; absent: the policy is asked without kinds
   * (the service's policy port then reads its product view).
   */
  products?: (skus: readonly string[]) => ReadonlyMap<string, ProductKindName>;
}

export interface FoldResult {
  state: ProcessState;
  effects: Effect[];
  /** False when the signal was a repeat or changed nothing worth storing. */
  changed: boolean;
}

const AMOUNT = { precision: 18, scale: 4 } as const;
const units = (amount: string): bigint => parseDecimal(amount, AMOUNT);

/** Applies one signal to an order's process (null: the order is new). Pure: `state` is not changed. */
export function foldSignal(state: ProcessState | null, signal: OrchestratorSignal, ctx: FoldContext): FoldResult {
  if (state?.signals.includes(signal.meta.eventId)) return { state, effects: [], changed: false };
  const s = state ? cloneProcess(state) : newProcess(signal.orderId, ctx.now);
  const effects: Effect[] = [];
  s.signals.push(signal.meta.eventId);
  if (s.signals.length > MAX_SIGNAL_IDS) s.signals.splice(0, s.signals.length - MAX_SIGNAL_IDS);
  if (signal.evidence.length > 0) {
    s.evidence.push(...signal.evidence);
    if (s.evidence.length > MAX_EVIDENCE) s.evidence.splice(0, s.evidence.length - MAX_EVIDENCE);
  }
  const before = { stage: s.stage, status: s.stageStatus };
  const fold = new Fold(s, ctx, effects, signal);
  const reason = fold.apply();
  fold.advance(reason, before);
  s.updatedAt = ctx.now;
  s.version++;
  return { state: s, effects, changed: true };
}

class Fold {
  /** Allocation is tried again on this signal (a timer or an operator's retry). */
  private retryAllocation = false;
  /** The credit decision is tried again on this signal (it waited for the customer's credit position). */
  private retryCredit = false;

  constructor(
    private readonly s: ProcessState,
    private readonly ctx: FoldContext,
    private readonly effects: Effect[],
    private readonly signal: OrchestratorSignal,
  ) {}

  /** Records the signal's facts; returns what to name as the reason of a stage change. */
  apply(): string {
    const { signal } = this;
    switch (signal.kind) {
      case 'fact':
        this.applyFact();
        return signal.factType ?? 'fact';
      case 'timer-fired':
        if (signal.timer) this.onTimer(signal.timer.step, signal.timer.attempt);
        return `timer ${signal.timer?.step ?? ''} #${signal.timer?.attempt ?? ''}`;
      case 'command':
        if (signal.command) this.onCommand(signal.command.command, signal.command.step, signal.command.actor, signal.command.note);
        return `${signal.command?.command ?? 'command'} by ${signal.command?.actor ?? 'someone'}`;
      case 'step-failed':
        if (signal.failure) this.onFailure(signal.failure.step, signal.failure.errorClass, signal.failure.lastError);
        return `step failed: ${signal.failure?.errorClass ?? 'unknown'}`;
      default:
        return `signal ${signal.kind} (not understood; recorded only)`;
    }
  }

  private applyFact(): void {
    const { s, signal } = this;
    if (signal.order) {
      s.order ??= orderFacts(signal.order, signal.meta.occurredAt.getTime());
    }
    if (signal.cancellation && !s.cancellation) {
      s.cancellation = {
        reason: signal.cancellation.reason,
        cancelledBy: signal.cancellation.cancelledBy,
        at: signal.cancellation.cancelledAt.getTime(),
        stageAtCancel: s.stage,
        compensation: { wmsCancel: 'not-needed', tmsVoid: 'not-needed', allocation: 'not-needed', returnCase: false },
      };
    }
    const f = signal.shipment;
    if (f) {
      let sh = s.shipments.find((x) => x.shipmentId === f.shipmentId);
      if (!sh) {
        sh = emptyShipment(f.shipmentId);
        s.shipments.push(sh);
      }
      sh.warehouseCode ??= f.warehouseCode;
      sh.carrierCode = f.carrierCode ?? sh.carrierCode;
      sh.bookingRef = f.bookingRef ?? sh.bookingRef;
      sh.trackingNumber = f.trackingNumber ?? sh.trackingNumber;
      const at = f.at.getTime();
      switch (f.stage) {
        case 'requested':
          sh.requested ??= at;
          break;
        case 'picked':
          sh.picked ??= at;
          sh.shortPicked ||= f.shortPicked;
          break;
        case 'packed':
          sh.packed ??= at;
          break;
        case 'booked':
          sh.booked ??= at;
          break;
        case 'dispatched':
          sh.dispatched ??= at;
          break;
        case 'delivered':
          sh.delivered ??= at;
          break;
        case 'exception':
          sh.exception = { code: f.exceptionCode ?? 'OTHER', description: f.description, at };
          this.onShipmentException(sh.shipmentId, sh.exception.code, f.description);
          break;
      }
    }
    const inv = signal.invoice;
    if (inv) {
      const next = {
        invoiceId: inv.invoiceId,
        name: inv.name,
        moveType: inv.moveType,
        currency: inv.currency,
        amountTotal: inv.amountTotal,
        amountResidual: inv.amountResidual,
        paymentState: inv.paymentState,
      };
      const i = s.invoices.findIndex((x) => x.invoiceId === inv.invoiceId);
      if (i >= 0) s.invoices[i] = next;
      else s.invoices.push(next);
    }
    const pay = signal.payment;
    if (pay && !s.payments.some((p) => p.paymentId === pay.paymentId && p.invoiceId === pay.invoiceId)) {
      s.payments.push({ paymentId: pay.paymentId, invoiceId: pay.invoiceId, amount: pay.amount, at: pay.paidAt.getTime() });
    }
  }

  /**
   * A shipment exception a person must handle (lost, refused, damaged, an address problem, a carrier refusal) opens
   * a case on the step the shipment is at; it resolves when that step is done. A delay or a short pick is reported
   * by the step's own progress (and its SLA), not as a case.
   */
  private onShipmentException(shipmentId: string, code: string, description: string | null): void {
    const { s } = this;
    if (code === 'DELAYED' || code === 'SHORT_PICK' || s.cancellation) return;
    const sh = s.shipments.find((x) => x.shipmentId === shipmentId);
    const step: StepName =
      sh?.dispatched != null || sh?.delivered != null
        ? 'delivery'
        : sh?.booked != null
          ? 'dispatch'
          : sh?.packed != null
            ? 'carrier-booking'
            : 'pick-pack';
    if (s.steps[step].status === 'done') return;
    s.steps[step].caseOpen = true;
    this.openCase(
      step,
      `shipment.exception.${code.toLowerCase()}`,
      `shipment ${shipmentId}: ${code}${description ? ` (${description})` : ''}`,
      code === 'LOST' ? 'critical' : 'high',
      null,
      `${s.orderId}:exception:${shipmentId}:${code}`,
    );
  }

  private onTimer(stepName: string, attempt: number): void {
    const { s, ctx } = this;
    const due = s.due;
    // A timer of an earlier round, or of a step the process left: nothing to do (duplicates collapse here too).
    if (!due || !isStepName(stepName) || due.step !== stepName || due.attempt !== attempt || s.cancellation) return;
    const step = s.steps[stepName];
    if (step.status === 'done') return;
    if (stepName === 'credit' && s.credit === null && s.order && this.creditReadable()) {
      // The credit check waited for the customer's position, and this timer brings it: decide now (not overdue).
      this.retryCredit = true;
      return;
    }
    step.attempts++;
    const round = step.attempts - retryBase(step);
    const retries = ctx.settings.retryDelaysMs;
    // The step's own error (allocation: the SKUs short of stock) stays what the step and its case say; the overdue
    // note goes beside it, and stands in for it only when the step has none.
    const own = step.lastError !== null && step.lastError !== step.overdue ? step.lastError : null;
    const note = `${stepName} overdue (attempt ${step.attempts}): no progress within its SLA`;
    step.overdue = note;
    step.lastError = own ?? note;
    if (round <= retries.length) {
      this.retryStep(stepName, step.attempts);
      s.due = { step: stepName, attempt: step.attempts, at: ctx.now + (retries[round - 1] ?? 0) };
      return;
    }
    s.due = null;
    step.caseOpen = true;
    this.openCase(
      stepName,
      'step.overdue',
      `${own ? `${own}; ` : ''}${note}; ${round - 1} catch-up and retry rounds did not help`,
      severityOf(stepName),
      'retry-step',
      `${s.orderId}:${stepName}:overdue:${step.attempts}`,
    );
  }

  /** The credit check can be decided on this signal: its position was read, or the policy needs none. */
  private creditReadable(): boolean {
    const { ctx } = this;
    const order = this.s.order;
    if (ctx.credit === 'unavailable' || !order) return false;
    if (ctx.credit !== undefined) return true;
    const needed = ctx.policy.creditFactsNeeded?.({
      customerId: order.customerId,
      orderTotal: order.amountTotal,
      currency: order.currency,
    });
    return needed === false;
  }

  /** First act on a late step: ask the owning bridge to reconcile, and do the step again where the orchestrator can. */
  private retryStep(stepName: StepName, attempt: number): void {
    const { s, ctx } = this;
    const bridge = bridgeOfStep(stepName);
    if (bridge) this.effects.push({ kind: 'catch-up', bridge, orderRef: s.orderId, step: stepName, attempt });
    if (stepName === 'allocation') this.retryAllocation = true;
    if (stepName === 'credit') this.retryCredit = true;
    if ((stepName === 'release' || stepName === 'pick-pack') && ctx.settings.releaseMode === 'fulfillment-requested' && s.allocation) {
      // The WMS may never have got the release: publish it again (a new event id per attempt; the WMS is idempotent by external reference).
      for (const part of s.allocation.parts) {
        const sh = s.shipments.find((x) => x.shipmentId === part.shipmentId);
        if (!sh || (sh.picked === null && sh.packed === null && sh.dispatched === null)) this.publishFulfillment(part, attempt);
      }
    }
  }

  private onCommand(command: string, stepName: string | null, actor: string, note: string | null): void {
    const { s, ctx } = this;
    if (s.cancellation) return;
    switch (command) {
      case 'approve-credit': {
        const c = s.steps.credit;
        if (c.status !== 'held' && c.status !== 'failed') return;
        if (s.credit) {
          s.credit.decision = 'approve';
          s.credit.approvedBy = actor;
        }
        c.detail = `approved by ${actor}${note ? `: ${note}` : ''}`;
        this.markDone('credit');
        return;
      }
      case 'cancel-hold': {
        const c = s.steps.credit;
        if (c.status !== 'held') return;
        c.status = 'failed';
        c.detail = `credit refused by ${actor}${note ? `: ${note}` : ''}; the order must be cancelled in Odoo`;
        return;
      }
      case 'retry-step': {
        const name = isStepName(stepName) ? stepName : isStepName(s.stage) ? s.stage : null;
        if (!name) return;
        const step = s.steps[name];
        if (step.status === 'done' || step.status === 'held') return;
        if (step.status === 'failed') step.status = 'active';
        // A refused hold retried: the credit check is decided again (and may hold again, a new case).
        if (name === 'credit' && s.credit?.decision === 'hold') s.credit = null;
        step.retryFrom = step.attempts;
        step.attempts++;
        this.retryStep(name, step.attempts);
        s.due = { step: name, attempt: step.attempts, at: ctx.now + this.sla(name) };
        return;
      }
      default:
        return;
    }
  }

  /**
   * A step failed for good elsewhere (e.g. a dead letter of the group that does it: a WMS release, a carrier booking,
   * a write-back to Odoo). The step records it (its error, a case open; failed, and the stage `failed`, when it is under
   * way) unless it is done or the order cancelled, and a case is opened on it either way (the desk joins it to the
   * step's open case): a failure nobody owns is what cases are for.
   */
  private onFailure(stepName: string | null, errorClass: string, lastError: string): void {
    const { s } = this;
    const name = isStepName(stepName) ? stepName : isStepName(s.stage) ? s.stage : null;
    if (!name) return;
    const step = s.steps[name];
    if (step.status !== 'done' && !s.cancellation) {
      // A step under way fails; one not begun yet keeps its status (it must still begin: allocation, release).
      if (step.status === 'active') step.status = 'failed';
      step.lastError = `${errorClass}: ${lastError}`;
      step.caseOpen = true;
      if (s.due?.step === name) s.due = null;
    }
    // A dead letter is redriven or purged once its cause is fixed; anything else: the step is retried.
    const action = errorClass.startsWith('dlq.') ? 'redrive-or-purge' : 'retry-step';
    this.openCase(name, errorClass, lastError, severityOf(name), action, `${s.orderId}:${name}:failed:${this.signal.meta.eventId}`);
  }

  /** Re-derives the steps from the facts, moves the stage, sets the due timer and publishes a stage change. */
  advance(reason: string, before: { stage: Stage; status: StageStatus }): void {
    const { s } = this;
    if (s.cancellation) this.cancelled();
    else if (!s.order) this.setStage('awaiting-order', 'active');
    else this.deriveSteps();
    if (s.stage !== before.stage || s.stageStatus !== before.status) this.publishStage(before, reason);
  }

  private deriveSteps(): void {
    const { s, ctx } = this;
    const order = s.order!;
    // credit
    const credit = s.steps.credit;
    if (credit.status === 'pending' || (credit.status === 'active' && s.credit === null && this.retryCredit)) {
      this.start('credit');
      // Decided again on a retry: the inbox read no position for an order it saw decided, so one that needs it waits for the timer.
      const unread = this.retryCredit && ctx.credit === undefined && !this.creditReadable();
      if (ctx.credit === 'unavailable' || unread) {
        // Decided on the credit step's timer, when the position can be read (again; an overdue check opens a case).
        credit.lastError = unread
          ? "the credit check is decided again on its timer, with the customer's credit position read then"
          : "the customer's credit position could not be read; the check is tried again on its timer";
      } else {
        const facts = ctx.credit ?? { openReceivables: '0', creditLimit: null };
        const d = ctx.policy.decideCredit({
          customerId: order.customerId,
          orderTotal: order.amountTotal,
          currency: order.currency,
          openReceivables: facts.openReceivables,
          creditLimit: facts.creditLimit,
        });
        s.credit = { decision: d.decision, rule: d.rule, detail: d.detail, decidedAt: ctx.now, approvedBy: null };
        credit.detail = `${d.rule}: ${d.detail}`;
        credit.lastError = null;
        if (d.decision === 'approve') this.markDone('credit');
        else {
          credit.status = 'held';
          credit.caseOpen = true;
          // One case per hold: a hold decided again (a refused hold retried) is a new case, not the resolved one.
          this.openCase('credit', 'credit.hold', d.detail, 'medium', 'approve-credit', `${s.orderId}:credit:hold:${credit.attempts}`);
        }
      }
    }
    // allocation
    const allocation = s.steps.allocation;
    if (credit.status === 'done' && (allocation.status === 'pending' || (allocation.status === 'waiting' && this.retryAllocation))) {
      this.start('allocation');
      this.allocate(order);
    }
    // release
    const release = s.steps.release;
    if (ctx.settings.releaseMode === 'fulfillment-requested') {
      if (allocation.status === 'done' && release.status === 'pending' && s.allocation) {
        this.start('release');
        for (const part of s.allocation.parts) this.publishFulfillment(part, 0);
        release.detail = `released to the WMS: ${s.allocation.parts.map((p) => `${p.shipmentId} from ${p.warehouseCode}`).join(', ')}`;
        this.markDone('release');
      }
    } else if (s.shipments.length > 0 && release.status !== 'done') {
      this.markDone('release');
    }
    // warehouse and carrier progress, all expected shipments
    const expected = this.expectedShipments();
    const all = (reached: (sh: ShipmentState) => boolean): boolean =>
      expected.length > 0 && expected.every((sh) => sh !== undefined && reached(sh));
    if (all((sh) => sh.packed !== null || sh.dispatched !== null || sh.delivered !== null)) this.markDone('pick-pack');
    if (all((sh) => sh.booked !== null || sh.delivered !== null)) this.markDone('carrier-booking');
    if (all((sh) => sh.dispatched !== null || sh.delivered !== null)) this.markDone('dispatch');
    if (all((sh) => sh.delivered !== null)) this.markDone('delivery');
    // money
    const invoices = s.invoices.filter((i) => i.moveType === 'out_invoice' && i.invoiceId !== '');
    if (invoices.length > 0) this.markDone('invoice');
    if (invoices.length > 0 && invoices.every((i) => this.settled(i.invoiceId))) this.markDone('payment');

    const current = STEPS.find((name) => s.steps[name].status !== 'done');
    if (!current) {
      s.due = null;
      s.open = false;
      this.setStage('completed', 'done');
      return;
    }
    const step = s.steps[current];
    if (step.status === 'pending') this.start(current);
    const status: StageStatus =
      step.status === 'held'
        ? 'held'
        : step.status === 'failed' || (step.caseOpen && s.due === null)
          ? 'failed'
          : step.attempts > retryBase(step) || step.caseOpen
            ? 'overdue'
            : 'active';
    if (status === 'held' || status === 'failed') s.due = null;
    else if (!s.due || s.due.step !== current) s.due = { step: current, attempt: step.attempts, at: ctx.now + this.sla(current) };
    this.setStage(current, status);
  }

  private allocate(order: OrderFacts): void {
    const { s, ctx } = this;
    const step = s.steps.allocation;
    const lines = order.lines.map((l) => ({
      sku: l.sku,
      qty: l.qty,
      lineId: l.lineId,
      uom: l.uom,
      description: l.description,
      productId: l.productId,
    }));
    const skus = [...new Set(lines.map((l) => l.sku))];
    const products = ctx.products?.(skus);
    const result = ctx.policy.allocate({
      lines,
      customerId: order.customerId,
      stock: ctx.stock(skus),
      ...(products ? { products } : {}),
    });
    if (result.kind === 'short') {
      step.status = 'waiting';
      step.lastError = `short of stock${result.reason ? ` (${result.reason})` : ''}: ${result.missing.map((m) => `${m.sku} x ${m.qty}`).join(', ')}`;
      return;
    }
    const parts: AllocationPartState[] = result.parts.map((p) => ({
      warehouseCode: p.warehouseCode,
      shipmentId: `${s.orderId}-${p.warehouseCode}`,
      lines: p.lines.map((l) => ({
        lineId: l.lineId,
        sku: l.sku,
        qty: l.qty,
        uom: l.uom,
        description: l.description,
        productId: l.productId,
      })),
    }));
    s.allocation = { parts, decidedAt: ctx.now, detail: parts.map((p) => `${p.warehouseCode}: ${p.lines.length} line(s)`).join('; ') };
    step.detail =
      parts.length > 1 ? `split over ${parts.length} warehouses: ${s.allocation.detail}` : `from ${parts[0]?.warehouseCode ?? '?'}`;
    this.markDone('allocation');
  }

  /** The shipments the order's progress is judged on: the allocation's parts when the orchestrator released, else those seen. */
  private expectedShipments(): Array<ShipmentState | undefined> {
    const { s, ctx } = this;
    if (ctx.settings.releaseMode === 'fulfillment-requested' && s.allocation) {
      return s.allocation.parts.map((p) => s.shipments.find((x) => x.shipmentId === p.shipmentId));
    }
    // Observing wms-bridge's own releases: the shipments the warehouse worked on (Odoo's picking, reported
    // dispatched by the poller under its own id, is the same goods, not one more shipment to wait for).
    const warehouse = s.shipments.filter((x) => x.picked !== null || x.packed !== null);
    return warehouse.length > 0 ? warehouse : s.shipments;
  }

  private settled(invoiceId: string): boolean {
    const inv = this.s.invoices.find((i) => i.invoiceId === invoiceId);
    if (!inv) return false;
    if (inv.paymentState === 'paid' || inv.paymentState === 'in_payment' || units(inv.amountResidual) <= 0n) return true;
    const paid = this.s.payments.filter((p) => p.invoiceId === invoiceId).reduce((sum, p) => sum + units(p.amount), 0n);
    return paid >= units(inv.amountTotal);
  }

  private cancelled(): void {
    const { s } = this;
    const c = s.cancellation!;
    const shipped = s.shipments.some((sh) => sh.dispatched !== null || sh.delivered !== null);
    if (s.stage !== 'cancelled') {
      const released = s.steps.release.status === 'done' || s.shipments.length > 0;
      c.compensation.wmsCancel = released ? 'requested' : 'not-needed';
      c.compensation.tmsVoid = s.shipments.some((sh) => sh.booked !== null) ? 'requested' : 'not-needed';
      c.compensation.allocation = s.steps.allocation.status === 'done' ? 'released' : 'not-needed';
      for (const name of STEPS) {
        const step = s.steps[name];
        if (step.caseOpen) {
          step.caseOpen = false;
          this.effects.push({ kind: 'resolve-case', step: name, note: 'the order was cancelled' });
        }
        if (step.status === 'done') {
          if (name === 'allocation' || name === 'release') step.status = 'compensated';
        } else step.status = 'cancelled';
      }
      s.due = null;
      s.open = false;
      this.setStage('cancelled', 'done');
    }
    if (shipped && !c.compensation.returnCase) {
      // Goods left before (or despite) the cancellation: only a person can arrange a return.
      c.compensation.returnCase = true;
      const step: StepName = s.shipments.some((sh) => sh.delivered !== null) ? 'delivery' : 'dispatch';
      this.openCase(
        step,
        'order.cancelled-after-shipment',
        `order ${s.order?.orderName ?? s.orderId} was cancelled${c.reason ? ` (${c.reason})` : ''} after its goods were shipped: ${s.shipments
          .filter((sh) => sh.dispatched !== null || sh.delivered !== null)
          .map((sh) => sh.shipmentId)
          .join(', ')}`,
        'high',
        'return',
        `${s.orderId}:cancelled-after-shipment`,
      );
    }
  }

  private start(name: StepName): void {
    const step = this.s.steps[name];
    if (step.status === 'pending') {
      step.status = 'active';
      step.startedAt = this.ctx.now;
    }
  }

  private markDone(name: StepName): void {
    const step = this.s.steps[name];
    if (step.status === 'done') return;
    step.startedAt ??= this.ctx.now;
    step.status = 'done';
    step.doneAt = this.ctx.now;
    if (step.caseOpen) {
      step.caseOpen = false;
      this.effects.push({ kind: 'resolve-case', step: name, note: `${name} done: the process moved on` });
    }
    if (this.s.due?.step === name) this.s.due = null;
  }

  private setStage(stage: Stage, status: StageStatus): void {
    this.s.stage = stage;
    this.s.stageStatus = status;
  }

  private sla(step: StepName): number {
    const { s, ctx } = this;
    const scope: SlaScope = {
      customerId: s.order?.customerId ?? null,
      partnerId: s.order?.ediPartnerId ?? null,
      carrierCode: s.shipments.find((x) => x.carrierCode)?.carrierCode ?? s.order?.carrierCode ?? null,
      warehouseCode: s.allocation?.parts[0]?.warehouseCode ?? s.order?.warehouseCode ?? null,
    };
    return ctx.policy.slaMs(step, scope);
  }

  private openCase(
    step: StepName,
    reasonClass: string,
    lastError: string,
    severity: CaseSeverity,
    proposedAction: string | null,
    dedupeKey: string,
  ): void {
    const { s } = this;
    this.effects.push({
      kind: 'open-case',
      opening: {
        orderId: s.orderId,
        orderName: s.order?.orderName ?? null,
        step,
        reasonClass,
        lastError,
        severity,
        // The desk routes by step (its default owners) until someone assigns the case.
        owner: null,
        evidence: [...s.evidence],
        proposedAction,
        dedupeKey,
      },
    });
  }

  private publishFulfillment(part: AllocationPartState, attempt: number): void {
    const { s, ctx } = this;
    const order = s.order!;
    const payload: FulfillmentRequested = {
      meta: {
        eventId: deterministicEventId(ctx.settings.service, 'fulfillment', s.orderId, part.shipmentId, attempt),
        occurredAt: new Date(ctx.now),
        source: 'odx',
        correlationId: s.orderId,
        causationId: this.signal.meta.eventId,
        company: ctx.settings.company,
      },
      shipment: {
        shipmentId: part.shipmentId,
        name: null,
        orderId: s.orderId,
        orderName: order.orderName,
        clientOrderRef: order.clientOrderRef,
        customer: null,
        warehouseCode: part.warehouseCode,
        state: 'requested',
        shipFrom: null,
        shipTo: order.shipTo,
        carrierCode: order.carrierCode,
        serviceLevel: order.serviceLevel,
        bookingRef: null,
        trackingNumber: null,
        lines: part.lines.map((l, i) => ({
          lineId: `${part.shipmentId}/${i + 1}`,
          orderLineId: l.lineId,
          lineNumber: null,
          sku: l.sku,
          productId: l.productId,
          gtin: null,
          description: l.description,
          quantity: l.qty,
          uom: l.uom,
          lotNumber: null,
          expiryDate: null,
          serialNumbers: [],
        })),
        packages: [],
        milestones: [],
        totalWeightKg: null,
        scheduledShipDate: order.shipBy === null ? null : new Date(order.shipBy),
        shippedAt: null,
        estimatedDeliveryAt: null,
        deliveredAt: null,
      },
      priority: 0,
      instructions: null,
    };
    this.effects.push({ kind: 'publish-fulfillment', shipmentId: part.shipmentId, payload });
  }

  private publishStage(before: { stage: Stage; status: StageStatus }, reason: string): void {
    const { s, ctx } = this;
    s.sequence++;
    s.history.push({ at: ctx.now, stage: s.stage, status: s.stageStatus, reason });
    if (s.history.length > MAX_HISTORY) s.history.splice(0, s.history.length - MAX_HISTORY);
    const payload: OrderStageChanged = {
      meta: {
        eventId: deterministicEventId(ctx.settings.service, 'stage', s.orderId, s.sequence),
        occurredAt: new Date(ctx.now),
        source: 'odx',
        correlationId: s.orderId,
        causationId: this.signal.meta.eventId,
        company: ctx.settings.company,
      },
      orderId: s.orderId,
      orderName: s.order?.orderName ?? null,
      clientOrderRef: s.order?.clientOrderRef ?? null,
      customerId: s.order?.customerId ?? null,
      stage: s.stage,
      stageStatus: s.stageStatus,
      previousStage: s.sequence === 1 ? null : before.stage,
      previousStageStatus: s.sequence === 1 ? null : before.status,
      reason,
      sequence: s.sequence,
      changedAt: new Date(ctx.now),
      dueAt: s.due ? new Date(s.due.at) : null,
      warehouseCodes: s.allocation?.parts.map((p) => p.warehouseCode) ?? [],
      openCaseIds: [],
    };
    this.effects.push({ kind: 'publish-stage', payload });
  }
}

/** Attempts at the start of the current retry round (an operator's retry starts a new round). */
function retryBase(step: StepState): number {
  return step.retryFrom;
}

function severityOf(step: StepName): CaseSeverity {
  return step === 'invoice' || step === 'payment' ? 'medium' : 'high';
}

function emptyShipment(shipmentId: string): ShipmentState {
  return {
    shipmentId,
    warehouseCode: null,
    carrierCode: null,
    bookingRef: null,
    trackingNumber: null,
    requested: null,
    picked: null,
    packed: null,
    booked: null,
    dispatched: null,
    delivered: null,
    shortPicked: false,
    exception: null,
  };
}

/** What the process keeps of a confirmed order. */
export function orderFacts(order: Order, confirmedAt: number): OrderFacts {
  const ship = order.promisedDeliveryDate ?? order.requestedDeliveryDate;
  return {
    orderName: order.name,
    clientOrderRef: order.clientOrderRef,
    customerId: order.customer.ref ?? order.customer.partyId,
    partyId: order.customer.partyId,
    customerName: order.customer.name,
    ediPartnerId: order.customer.ediPartnerId,
    channel: order.channel,
    currency: order.currency,
    amountTotal: formatDecimal(units(order.amountTotal), AMOUNT.scale),
    warehouseCode: order.warehouseCode,
    carrierCode: order.carrierCode,
    serviceLevel: order.serviceLevel,
    shipTo: order.shipTo,
    lines: [...order.lines]
      .sort((a, b) => a.lineNumber - b.lineNumber)
      .map((l) => ({
        lineId: l.lineId,
        lineNumber: l.lineNumber,
        sku: l.sku,
        productId: l.productId,
        qty: l.quantity,
        uom: l.uom,
        description: l.description,
      })),
    confirmedAt,
    shipBy: ship ? ship.getTime() : null,
  };
}
