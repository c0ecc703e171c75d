// Canonical event -> the order signals it means (pure). The intake router
// publishes them to the inbox keyed by order id; a fact's signal keeps the
// source event's id, so a redelivered event is one signal.
import { deterministicEventId, type CanonicalEvent, type EventMetaLike } from '@odx/runtime';
import type { EvidenceLink, OrchestratorSignal, OrderPaymentFact, OrderShipmentFact } from '@odx/schemas';
import { emptySignal } from '../process/signals.js';

/** The canonical events that move an order's process. */
export const INTAKE_EVENT_TYPES = [
  'OrderConfirmed',
  'OrderCancelled',
  'ShipmentPicked',
  'ShipmentPacked',
  'ShipmentBooked',
  'ShipmentDispatched',
  'ShipmentDelivered',
  'ShipmentException',
  'InvoicePosted',
  'PaymentReceived',
] as const;
export type IntakeEventType = (typeof INTAKE_EVENT_TYPES)[number];

/** Where the order of an invoice is found (InvoicePosted names it; PaymentReceived only names invoices). */
export type InvoiceOrders = ReadonlyMap<string, string>;

function factSignal(
  orderId: string,
  factType: IntakeEventType,
  meta: EventMetaLike,
  evidence: EvidenceLink,
  eventId = meta.eventId,
): OrchestratorSignal {
  const s = emptySignal(orderId, 'fact', {
    eventId,
    occurredAt: meta.occurredAt,
    correlationId: meta.correlationId,
    causationId: meta.eventId,
    company: meta.company,
  });
  s.factType = factType;
  s.evidence = [evidence];
  return s;
}

function shipmentFact(shipmentId: string, stage: string, at: Date, extra: Partial<OrderShipmentFact> = {}): OrderShipmentFact {
  return {
    shipmentId,
    stage,
    at,
    warehouseCode: null,
    carrierCode: null,
    serviceLevel: null,
    bookingRef: null,
    trackingNumber: null,
    shortPicked: false,
    exceptionCode: null,
    description: null,
    ...extra,
  };
}

/** One payment may settle several invoices (and orders): one signal per allocation, its id from (event, invoice). */
export function paymentSignal(orderId: string, meta: EventMetaLike, payment: OrderPaymentFact, evidence: EvidenceLink): OrchestratorSignal {
  const s = factSignal(
    orderId,
    'PaymentReceived',
    meta,
    evidence,
    deterministicEventId('order-orchestrator', 'payment', meta.eventId, payment.invoiceId),
  );
  s.payment = payment;
  return s;
}

/**
 * The signals of one canonical event: none when it names no order (a shipment
 * event without orderId, an invoice of no order, a payment of invoices whose
 * order is not known yet: those come back through `pendingInvoices`).
 */
export function signalsOf(
  event: CanonicalEvent<IntakeEventType>,
  evidence: EvidenceLink,
  invoiceOrders: InvoiceOrders,
): { signals: OrchestratorSignal[]; pendingInvoices: string[] } {
  const none = { signals: [], pendingInvoices: [] };
  const one = (s: OrchestratorSignal): { signals: OrchestratorSignal[]; pendingInvoices: string[] } => ({
    signals: [s],
    pendingInvoices: [],
  });
  switch (event.eventType) {
    case 'OrderConfirmed': {
      const e = event.payload;
      const s = factSignal(e.order.orderId, event.eventType, e.meta, evidence);
      s.order = e.order;
      return one(s);
    }
    case 'OrderCancelled': {
      const e = event.payload;
      const s = factSignal(e.orderId, event.eventType, e.meta, evidence);
      s.cancellation = { reason: e.reason, cancelledBy: e.cancelledBy, cancelledAt: e.cancelledAt };
      return one(s);
    }
    case 'ShipmentPicked': {
      const e = event.payload;
      if (!e.orderId) return none;
      const s = factSignal(e.orderId, event.eventType, e.meta, evidence);
      s.shipment = shipmentFact(e.shipmentId, 'picked', e.pickedAt, { warehouseCode: e.warehouseCode, shortPicked: e.shortPicked });
      return one(s);
    }
    case 'ShipmentPacked': {
      const e = event.payload;
      if (!e.orderId) return none;
      const s = factSignal(e.orderId, event.eventType, e.meta, evidence);
      s.shipment = shipmentFact(e.shipmentId, 'packed', e.packedAt, { warehouseCode: e.warehouseCode });
      return one(s);
    }
    case 'ShipmentBooked': {
      const e = event.payload;
      if (!e.orderId) return none;
      const s = factSignal(e.orderId, event.eventType, e.meta, evidence);
      s.shipment = shipmentFact(e.shipmentId, 'booked', e.meta.occurredAt, {
        carrierCode: e.carrierCode,
        serviceLevel: e.serviceLevel,
        bookingRef: e.bookingRef,
        trackingNumber: e.trackingNumber,
      });
      return one(s);
    }
    case 'ShipmentDispatched': {
      const e = event.payload;
      const sh = e.shipment;
      if (!sh.orderId) return none;
      const s = factSignal(sh.orderId, event.eventType, e.meta, evidence);
      s.shipment = shipmentFact(sh.shipmentId, 'dispatched', e.dispatchedAt, {
        warehouseCode: sh.warehouseCode,
        carrierCode: sh.carrierCode,
        bookingRef: sh.bookingRef,
        trackingNumber: sh.trackingNumber,
      });
      return one(s);
    }
    case 'ShipmentDelivered': {
      const e = event.payload;
      if (!e.orderId) return none;
      const s = factSignal(e.orderId, event.eventType, e.meta, evidence);
      s.shipment = shipmentFact(e.shipmentId, 'delivered', e.deliveredAt, { carrierCode: e.carrierCode, trackingNumber: e.trackingNumber });
      return one(s);
    }
    case 'ShipmentException': {
      const e = event.payload;
      if (!e.orderId) return none;
      const s = factSignal(e.orderId, event.eventType, e.meta, evidence);
      s.shipment = shipmentFact(e.shipmentId, 'exception', e.meta.occurredAt, {
        exceptionCode: e.exceptionCode,
        description: e.description,
      });
      return one(s);
    }
    case 'InvoicePosted': {
      const e = event.payload;
      const inv = e.invoice;
      if (!inv.orderId) return none;
      const s = factSignal(inv.orderId, event.eventType, e.meta, evidence);
      s.invoice = {
        invoiceId: inv.invoiceId,
        name: inv.name,
        moveType: inv.moveType,
        state: inv.state,
        paymentState: inv.paymentState,
        currency: inv.currency,
        amountTotal: inv.amountTotal,
        amountResidual: inv.amountResidual,
      };
      return one(s);
    }
    case 'PaymentReceived': {
      const e = event.payload;
      const p = e.payment;
      const signals: OrchestratorSignal[] = [];
      const pendingInvoices: string[] = [];
      for (const a of p.allocations) {
        const orderId = invoiceOrders.get(a.invoiceId);
        if (!orderId) {
          pendingInvoices.push(a.invoiceId);
          continue;
        }
        signals.push(
          paymentSignal(
            orderId,
            e.meta,
            { paymentId: p.paymentId, invoiceId: a.invoiceId, amount: a.amount, currency: p.currency, paidAt: p.paymentDate },
            evidence,
          ),
        );
      }
      return { signals, pendingInvoices };
    }
  }
}
