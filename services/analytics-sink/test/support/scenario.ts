import { randomUUID } from 'node:crypto';
import type { EventPayloads, EventType } from '@odx/schemas';
import { sampleEdiDocument, sampleEvent, sampleMeta, samplePayment, sampleShipment } from '@odx/schemas/fixtures';
import { outgoingEvent, type OutgoingEvent } from '@odx/runtime';

/** Which of the sink's topics an event goes to (the test maps kinds to its own topic names). */
export type TopicKind = 'orders' | 'shipments' | 'inventory' | 'invoices' | 'payments' | 'edi';

/** One event of the scenario, typed by its event type. */
export type ScenarioEvent = OutgoingEvent & { kind: TopicKind };

const KIND: Record<string, TopicKind> = {
  OrderReceived: 'orders',
  OrderConfirmed: 'orders',
  OrderCancelled: 'orders',
  FulfillmentRequested: 'shipments',
  ShipmentPicked: 'shipments',
  ShipmentPacked: 'shipments',
  ShipmentBooked: 'shipments',
  ShipmentDispatched: 'shipments',
  ShipmentMilestoneRecorded: 'shipments',
  ShipmentDelivered: 'shipments',
  ShipmentException: 'shipments',
  InventoryLevelChanged: 'inventory',
  InventoryAdjusted: 'inventory',
  InventoryMismatchDetected: 'inventory',
  InvoicePosted: 'invoices',
  PaymentReceived: 'payments',
  EdiDocumentReceived: 'edi',
  EdiDocumentSent: 'edi',
};

export const HOUR = 3_600_000;

/**
 * A fixed order-to-cash scenario with explicit business times (T0 + hours),
 * unique ids per call. The expected KPIs for the window [T0, T0 + 48 h) are
 * worked out by hand in `EXPECTED` below.
 */
export function buildScenario(t0: Date = new Date(Date.UTC(2026, 0, 5))) {
  const u = randomUUID().slice(0, 8);
  const ids = {
    A: `A-${u}`,
    B: `B-${u}`,
    C: `C-${u}`,
    D: `D-${u}`,
    E: `E-${u}`,
    F: `F-${u}`,
    shipA: `SA-${u}`,
    shipB: `SB-${u}`,
    shipC: `SC-${u}`,
    shipE: `SE-${u}`,
    invA: `IA-${u}`,
    payA: `PA-${u}`,
    poA: `PO-A-${u}`,
    nameA: `S-A-${u}`,
    d856: `EDI856-${u}`,
    d810: `EDI810-${u}`,
    d855: `EDI855-${u}`,
    dP2: `EDIP2-${u}`,
    d850F: `EDI850F-${u}`,
    ack1: `ACK1-${u}`,
    ack2: `ACK2-${u}`,
    sku1: `SKU1-${u}`,
    sku2: `SKU2-${u}`,
    sku3: `SKU3-${u}`,
    p1: `P1-${u}`,
    p2: `P2-${u}`,
  };
  const at = (h: number): Date => new Date(t0.getTime() + h * HOUR);
  const events: ScenarioEvent[] = [];
  const add = <T extends EventType>(
    eventType: T,
    h: number,
    key: string,
    source: string,
    build: (p: EventPayloads[T]) => void,
    correlationId = key,
  ): void => {
    const payload = sampleEvent(eventType);
    payload.meta = sampleMeta({ eventId: randomUUID(), occurredAt: at(h), source, correlationId });
    build(payload);
    events.push({ ...outgoingEvent(eventType, key, payload), kind: KIND[eventType]! });
  };
  const order = (p: EventPayloads['OrderConfirmed' | 'OrderReceived'], id: string, name = id, po: string | null = null): void => {
    p.order = { ...p.order, orderId: id, odooId: id, name, clientOrderRef: po };
  };
  const shipment = (id: string, orderId: string, carrier = 'UPSN') =>
    sampleShipment({ shipmentId: id, orderId, orderName: null, clientOrderRef: null, carrierCode: carrier });

  // Order A: the whole happy path, paid.
  add('OrderReceived', 0, ids.A, 'odoo', (p) => {
    order(p, ids.A, ids.nameA, ids.poA);
    p.sourceDocumentId = null;
  });
  add('OrderConfirmed', 1, ids.A, 'odoo', (p) => order(p, ids.A, ids.nameA, ids.poA));
  add('FulfillmentRequested', 2, ids.shipA, 'odoo', (p) => {
    p.shipment = shipment(ids.shipA, ids.A);
  });
  add('ShipmentPicked', 3, ids.shipA, 'wms', (p) => {
    p.shipmentId = ids.shipA;
    p.orderId = ids.A;
    p.shortPicked = false;
  });
  add('ShipmentPacked', 4, ids.shipA, 'wms', (p) => {
    p.shipmentId = ids.shipA;
    p.orderId = ids.A;
  });
  add('ShipmentBooked', 5, ids.shipA, 'tms', (p) => {
    p.shipmentId = ids.shipA;
    p.orderId = ids.A;
    p.carrierCode = 'UPSN';
  });
  add('ShipmentDispatched', 6, ids.shipA, 'wms', (p) => {
    p.shipment = shipment(ids.shipA, ids.A);
  });
  for (const [h, code] of [
    [7, 'PICKED_UP'],
    [8, 'IN_TRANSIT'],
    [20, 'OUT_FOR_DELIVERY'],
  ] as const) {
    add('ShipmentMilestoneRecorded', h, ids.shipA, 'tms', (p) => {
      p.shipmentId = ids.shipA;
      p.orderId = ids.A;
      p.carrierCode = 'UPSN';
      p.milestone = { ...p.milestone, code };
    });
  }
  add('EdiDocumentSent', 7, ids.p1, 'odx', (p) => {
    p.document = sampleEdiDocument({
      documentId: ids.d856,
      partnerId: ids.p1,
      transactionSet: '856',
      groupControlNumber: `G856-${u}`,
      businessObjectType: 'shipment',
      businessObjectId: ids.shipA,
      businessRef: null,
    });
    p.inResponseTo = null;
  });
  add('EdiDocumentReceived', 8, ids.p1, 'edi', (p) => {
    p.document = sampleEdiDocument({
      documentId: ids.ack1,
      partnerId: ids.p1,
      transactionSet: '997',
      groupControlNumber: null,
      businessObjectType: 'ack',
      businessObjectId: ids.d856,
      businessRef: null,
    });
    p.ackDocumentId = null;
  });
  add('ShipmentDelivered', 22, ids.shipA, 'tms', (p) => {
    p.shipmentId = ids.shipA;
    p.orderId = ids.A;
    p.carrierCode = 'UPSN';
  });
  add('InvoicePosted', 23, ids.invA, 'odoo', (p) => {
    p.invoice = {
      ...p.invoice,
      invoiceId: ids.invA,
      orderId: ids.A,
      orderName: ids.nameA,
      clientOrderRef: ids.poA,
      shipmentIds: [ids.shipA],
    };
  });
  add('EdiDocumentSent', 24, ids.p1, 'odx', (p) => {
    p.document = sampleEdiDocument({
      documentId: ids.d810,
      partnerId: ids.p1,
      transactionSet: '810',
      groupControlNumber: `G810-${u}`,
      businessObjectType: 'invoice',
      businessObjectId: ids.invA,
      businessRef: null,
    });
    p.inResponseTo = null;
  });
  // The 810's 997 names the group control number only, and comes 26 h later (late against a 24 h SLA).
  add('EdiDocumentReceived', 50, ids.p1, 'edi', (p) => {
    p.document = sampleEdiDocument({
      documentId: ids.ack2,
      partnerId: ids.p1,
      transactionSet: '997',
      groupControlNumber: null,
      businessObjectType: 'ack',
      businessObjectId: null,
      businessRef: `IN G810-${u}`,
    }); // as the edi-gateway writes it: functional id and GS06
    p.ackDocumentId = null;
  });
  add('PaymentReceived', 30, ids.payA, 'odoo', (p) => {
    p.payment = { ...samplePayment(), paymentId: ids.payA, allocations: [{ invoiceId: ids.invA, invoiceName: null, amount: '10.0000' }] };
  });

  // Order B: short pick; the pick names only the shipment (linked through FulfillmentRequested); delivered at +30 h.
  add('OrderReceived', 0, ids.B, 'edi', (p) => {
    order(p, ids.B);
    p.sourceDocumentId = null;
  });
  add('OrderConfirmed', 2, ids.B, 'odoo', (p) => order(p, ids.B));
  add('FulfillmentRequested', 3, ids.shipB, 'odoo', (p) => {
    p.shipment = shipment(ids.shipB, ids.B);
  });
  add('ShipmentPicked', 4, ids.shipB, 'wms', (p) => {
    p.shipmentId = ids.shipB;
    p.orderId = null;
    p.shortPicked = true;
  });
  add('ShipmentPacked', 5, ids.shipB, 'wms', (p) => {
    p.shipmentId = ids.shipB;
    p.orderId = null;
  });
  add('ShipmentBooked', 6, ids.shipB, 'tms', (p) => {
    p.shipmentId = ids.shipB;
    p.orderId = ids.B;
    p.carrierCode = 'UPSN';
  });
  add('ShipmentDispatched', 8, ids.shipB, 'wms', (p) => {
    p.shipment = shipment(ids.shipB, ids.B);
  });
  add('ShipmentMilestoneRecorded', 10, ids.shipB, 'tms', (p) => {
    p.shipmentId = ids.shipB;
    p.orderId = ids.B;
    p.carrierCode = 'UPSN';
    p.milestone = { ...p.milestone, code: 'IN_TRANSIT' };
  });
  add('ShipmentDelivered', 30, ids.shipB, 'tms', (p) => {
    p.shipmentId = ids.shipB;
    p.orderId = ids.B;
    p.carrierCode = 'UPSN';
  });
  add('EdiDocumentSent', 25, ids.p1, 'odx', (p) => {
    p.document = sampleEdiDocument({
      documentId: ids.d855,
      partnerId: ids.p1,
      transactionSet: '855',
      groupControlNumber: `G855-${u}`,
      businessObjectType: 'order',
      businessObjectId: ids.B,
      businessRef: null,
    });
    p.inResponseTo = null;
  });

  // Order C: released, then a damaged-goods exception.
  add('OrderConfirmed', 3, ids.C, 'odoo', (p) => order(p, ids.C));
  add('FulfillmentRequested', 4, ids.shipC, 'odoo', (p) => {
    p.shipment = shipment(ids.shipC, ids.C);
  });
  add('ShipmentException', 5, ids.shipC, 'wms', (p) => {
    p.shipmentId = ids.shipC;
    p.orderId = ids.C;
    p.exceptionCode = 'DAMAGED';
  });

  // Order D: cancelled before release.
  add('OrderConfirmed', 4, ids.D, 'odoo', (p) => order(p, ids.D));
  add('OrderCancelled', 5, ids.D, 'odoo', (p) => {
    p.orderId = ids.D;
    p.orderName = ids.D;
    p.clientOrderRef = null;
  });

  // Order E: confirmed before the window; its shipment (another carrier, no tracking) is delivered inside it.
  add('OrderConfirmed', -12, ids.E, 'odoo', (p) => order(p, ids.E));
  add('ShipmentDispatched', 2, ids.shipE, 'wms', (p) => {
    p.shipment = shipment(ids.shipE, ids.E, 'FDEG');
  });
  add('ShipmentDelivered', 12, ids.shipE, 'tms', (p) => {
    p.shipmentId = ids.shipE;
    p.orderId = ids.E;
    p.carrierCode = 'FDEG';
  });

  // Order F: received by EDI (850), never confirmed.
  add('EdiDocumentReceived', 6, ids.p2, 'edi', (p) => {
    p.document = sampleEdiDocument({
      documentId: ids.d850F,
      partnerId: ids.p2,
      transactionSet: '850',
      businessObjectType: 'order',
      businessObjectId: ids.F,
      businessRef: `PO-F-${u}`,
    });
    p.ackDocumentId = null;
  });
  add('OrderReceived', 6, ids.F, 'edi', (p) => {
    order(p, ids.F, ids.F, `PO-F-${u}`);
    p.sourceDocumentId = ids.d850F;
  });
  add('EdiDocumentSent', 26, ids.p2, 'odx', (p) => {
    p.document = sampleEdiDocument({
      documentId: ids.dP2,
      partnerId: ids.p2,
      transactionSet: '855',
      groupControlNumber: `GP2-${u}`,
      businessObjectType: 'order',
      businessObjectId: ids.F,
      businessRef: null,
    });
    p.inResponseTo = ids.d850F;
  });

  // Inventory: three positions, one mismatch.
  add('InventoryLevelChanged', 1, ids.sku1, 'wms', (p) => {
    p.level = { ...p.level, sku: ids.sku1, warehouseCode: 'WH1' };
  });
  add('InventoryLevelChanged', 2, ids.sku2, 'wms', (p) => {
    p.level = { ...p.level, sku: ids.sku2, warehouseCode: 'WH1' };
  });
  add('InventoryAdjusted', 3, ids.sku3, 'wms', (p) => {
    p.adjustment = { ...p.adjustment, sku: ids.sku3, warehouseCode: 'WH1' };
  });
  add('InventoryMismatchDetected', 4, ids.sku2, 'odx', (p) => {
    p.sku = ids.sku2;
    p.warehouseCode = 'WH1';
  });
  // Outside the window (after it): must not count.
  add('InventoryMismatchDetected', 49, ids.sku1, 'odx', (p) => {
    p.sku = ids.sku1;
    p.warehouseCode = 'WH1';
  });

  return { events, ids, t0, window: { from: at(0), to: at(48) } } as {
    events: ScenarioEvent[];
    ids: typeof ids;
    t0: Date;
    window: { from: Date; to: Date };
  };
}

/** The KPIs of buildScenario's window, worked out by hand from the story above. */
export const EXPECTED = {
  ordersTotal: 5, // A, B, C, D (confirmed in window) and F (received in window, never confirmed); E was confirmed before
  byStage: {
    received: 1,
    confirmed: 0,
    released: 1,
    picked: 0,
    packed: 0,
    booked: 0,
    dispatched: 0,
    delivered: 1,
    invoiced: 0,
    paid: 1,
    cancelled: 1,
  },
  // confirmed -> dispatched: A 6-1 = 5 h, B 8-2 = 6 h; nearest rank of 2 values: p50 = 1st, p95 = 2nd.
  confirmedToDispatched: { count: 2, p50Ms: 5 * HOUR, p95Ms: 6 * HOUR, minMs: 5 * HOUR, maxMs: 6 * HOUR },
  // confirmed -> delivered: A 22-1 = 21 h, B 30-2 = 28 h.
  confirmedToDelivered: { count: 2, p50Ms: 21 * HOUR, p95Ms: 28 * HOUR, minMs: 21 * HOUR, maxMs: 28 * HOUR },
  // reached fulfillment: A, B, C; with an exception: B (short pick), C (DAMAGED).
  fulfillmentExceptionRate: { numerator: 2, denominator: 3, rate: 2 / 3 },
  // positions seen in the window: SKU1, SKU2, SKU3 @ WH1; mismatched in the window: SKU2.
  inventoryMismatchRate: { numerator: 1, denominator: 3, rate: 1 / 3, mismatchEvents: 1 },
  // delivered in the window: A (all 4), B (IN_TRANSIT + DELIVERED), E (DELIVERED only).
  shipmentCompleteness: {
    numerator: 7,
    denominator: 12,
    rate: 7 / 12,
    shipments: 3,
    completeShipments: 1,
    missing: { PICKED_UP: 2, IN_TRANSIT: 1, OUT_FOR_DELIVERY: 2, DELIVERED: 0 },
    byCarrier: {
      FDEG: {
        numerator: 1,
        denominator: 4,
        rate: 1 / 4,
        shipments: 1,
        completeShipments: 0,
        missing: { PICKED_UP: 1, IN_TRANSIT: 1, OUT_FOR_DELIVERY: 1, DELIVERED: 0 },
      },
      UPSN: {
        numerator: 6,
        denominator: 8,
        rate: 6 / 8,
        shipments: 2,
        completeShipments: 1,
        missing: { PICKED_UP: 1, IN_TRANSIT: 0, OUT_FOR_DELIVERY: 1, DELIVERED: 0 },
      },
    },
  },
  // P1: 856 acked after 1 h (on time), 810 acked after 26 h (late), 855 never (overdue, "now" is long after); P2: 855 never.
  ediP1: {
    sent: 3,
    acknowledged: 2,
    onTime: 1,
    late: 1,
    overdue: 1,
    pending: 0,
    latency: { count: 2, p50Ms: 1 * HOUR, p95Ms: 26 * HOUR, minMs: 1 * HOUR, maxMs: 26 * HOUR },
  },
  ediP2: {
    sent: 1,
    acknowledged: 0,
    onTime: 0,
    late: 0,
    overdue: 1,
    pending: 0,
    latency: { count: 0, p50Ms: null, p95Ms: null, minMs: null, maxMs: null },
  },
  /** Order A's timeline, in order: every hop's type. */
  timelineA: [
    'OrderReceived',
    'OrderConfirmed',
    'FulfillmentRequested',
    'ShipmentPicked',
    'ShipmentPacked',
    'ShipmentBooked',
    'ShipmentDispatched',
    // Same-hour hops are ordered by topic name: the tests name the EDI topic `...edi`, before `...shipments`.
    'EdiDocumentSent',
    'ShipmentMilestoneRecorded',
    'EdiDocumentReceived',
    'ShipmentMilestoneRecorded',
    'ShipmentMilestoneRecorded',
    'ShipmentDelivered',
    'InvoicePosted',
    'EdiDocumentSent',
    'PaymentReceived',
  ],
  /** Hours of those hops after T0. */
  timelineAHours: [0, 1, 2, 3, 4, 5, 6, 7, 7, 8, 8, 20, 22, 23, 24, 30],
} as const;
