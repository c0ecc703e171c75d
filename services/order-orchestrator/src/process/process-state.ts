// The process document of one order: what the orchestrator knows (facts),
// where the order stands (stage, steps) and what it must do next (due time,
// effects not yet carried out). Stored as it is, one MongoDB document per order.
import type { Address, EvidenceLink } from '@odx/schemas';
import type { Effect } from './effects.js';
import { STEPS, type Stage, type StageStatus, type StepName, type StepStatus } from './steps.js';

export interface StepState {
  status: StepStatus;
  /** Retries so far (catch-up asked and the step retried); 0 on the first attempt. */
  attempts: number;
  /** Attempts when the current retry round began (an operator's retry starts a new round). */
  retryFrom: number;
  startedAt: number | null;
  doneAt: number | null;
  /** The step's own last error (what it lacks, e.g. the SKUs short of stock); else the latest overdue note. */
  lastError: string | null;
  /** The latest overdue round, in words (`<step> overdue (attempt n): ...`); kept apart so it never hides the step's own error. */
  overdue?: string | null;
  /** A case about this step is open (opened by the process, resolved when the step moves on). */
  caseOpen: boolean;
  /** What decided the step, in words (credit rule, allocation, ...). */
  detail: string | null;
}

export interface OrderLineFact {
  lineId: string;
  lineNumber: number;
  sku: string;
  productId: string | null;
  /** Decimal string (scale 4). */
  qty: string;
  uom: string;
  description: string;
}

/** What the process keeps of the confirmed order: enough to allocate, release and judge credit. */
export interface OrderFacts {
  orderName: string | null;
  clientOrderRef: string | null;
  /** Customer code (Party.ref), else the Odoo partner id: what policies match on. */
  customerId: string;
  partyId: string;
  customerName: string;
  ediPartnerId: string | null;
  channel: string;
  currency: string;
  amountTotal: string;
  warehouseCode: string | null;
  carrierCode: string | null;
  serviceLevel: string | null;
  shipTo: Address;
  lines: OrderLineFact[];
  confirmedAt: number;
  /** Promised, else requested delivery date: the ship date asked of the warehouse. */
  shipBy: number | null;
}

export interface AllocationPartState {
  warehouseCode: string;
  /** The shipment the part becomes: `<orderId>-<warehouse>`; WMS and TMS events carry it. */
  shipmentId: string;
  lines: Array<{ lineId: string; sku: string; qty: string; uom: string; description: string; productId: string | null }>;
}

export interface ShipmentState {
  shipmentId: string;
  warehouseCode: string | null;
  carrierCode: string | null;
  bookingRef: string | null;
  trackingNumber: string | null;
  /** When each stage happened (source time), null until it did. */
  requested: number | null;
  picked: number | null;
  packed: number | null;
  booked: number | null;
  dispatched: number | null;
  delivered: number | null;
  shortPicked: boolean;
  exception: { code: string; description: string | null; at: number } | null;
}

export interface InvoiceState {
  invoiceId: string;
  name: string | null;
  moveType: string;
  currency: string;
  amountTotal: string;
  amountResidual: string;
  paymentState: string | null;
}

export interface PaymentState {
  paymentId: string;
  invoiceId: string;
  amount: string;
  at: number;
}

export interface Compensation {
  /** wms-bridge cancels the order's WMS orders on OrderCancelled; recorded when something had been released. */
  wmsCancel: 'not-needed' | 'requested';
  /** tms-bridge voids the order's bookings on OrderCancelled. */
  tmsVoid: 'not-needed' | 'requested';
  allocation: 'not-needed' | 'released';
  /** Goods had left: a case proposes a return. */
  returnCase: boolean;
}

export interface HistoryEntry {
  at: number;
  stage: Stage;
  status: StageStatus;
  reason: string;
}

export interface DueTimer {
  step: StepName;
  attempt: number;
  at: number;
}

export interface ProcessState {
  /** The ODX order id. */
  orderId: string;
  /** +1 per stored change. */
  version: number;
  createdAt: number;
  updatedAt: number;
  /** False once completed or cancelled (timers stop; the store may sweep it after its retention). */
  open: boolean;
  order: OrderFacts | null;
  stage: Stage;
  stageStatus: StageStatus;
  /** Stage changes published so far (OrderStageChanged.sequence of the last one). */
  sequence: number;
  steps: Record<StepName, StepState>;
  credit: { decision: 'approve' | 'hold'; rule: string; detail: string; decidedAt: number; approvedBy: string | null } | null;
  allocation: { parts: AllocationPartState[]; decidedAt: number; detail: string } | null;
  shipments: ShipmentState[];
  invoices: InvoiceState[];
  payments: PaymentState[];
  cancellation: { reason: string | null; cancelledBy: string | null; at: number; stageAtCancel: Stage; compensation: Compensation } | null;
  /** The one SLA timer: the current stage's step, the attempt it guards, and when it fires. */
  due: DueTimer | null;
  /** Evidence of the latest facts (newest last, at most 6): the links a case gets. */
  evidence: EvidenceLink[];
  /** Ids of the latest signals applied (newest last): a redelivered signal changes nothing. */
  signals: string[];
  history: HistoryEntry[];
  /** Effects decided but not yet known to be carried out (re-run after a crash: each is idempotent). */
  outbox: Effect[];
  /** Owned by the store, not the fold: the due-index entry written for `due` (so a change removes the old one). */
  dueIndexed: IndexedDue | null;
}

export interface IndexedDue extends DueTimer {
  /** The inbox partition that owns the order (entries are kept per partition: one writer per bucket). */
  partition: number;
  /**
   * The slot the entry was filed under (absent: the slot of `at`, as entries written before this field). A due
   * time already past (or within the current slot) when the entry is written is filed under the slot after the
   * current one, which the scanner has not passed, so it still fires; its entry then carries that slot's start
   * as its time (DueIndex.file, DueIndex.entryTime).
   */
  slot?: number;
}

// Caps that keep the document small: FerretDB's cost per statement grows with the bytes it moves. 64 signal ids
// cover any redelivery (a repeated batch, a timer sent twice); facts older than that are idempotent by themselves.
export const MAX_SIGNAL_IDS = 64;
export const MAX_EVIDENCE = 6;
export const MAX_HISTORY = 40;

function freshStep(): StepState {
  return { status: 'pending', attempts: 0, retryFrom: 0, startedAt: null, doneAt: null, lastError: null, caseOpen: false, detail: null };
}

/** An order the orchestrator has heard of for the first time. */
export function newProcess(orderId: string, now: number): ProcessState {
  const steps = {} as Record<StepName, StepState>;
  for (const s of STEPS) steps[s] = freshStep();
  return {
    orderId,
    version: 0,
    createdAt: now,
    updatedAt: now,
    open: true,
    order: null,
    stage: 'awaiting-order',
    stageStatus: 'active',
    sequence: 0,
    steps,
    credit: null,
    allocation: null,
    shipments: [],
    invoices: [],
    payments: [],
    cancellation: null,
    due: null,
    evidence: [],
    signals: [],
    history: [],
    outbox: [],
    dueIndexed: null,
  };
}

/** A deep copy (the fold never changes the state it was given). */
export function cloneProcess(state: ProcessState): ProcessState {
  return structuredClone(state);
}
