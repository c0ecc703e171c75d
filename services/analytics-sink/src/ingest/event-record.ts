import { ERROR_HEADERS, canonicalEventOf, type CanonicalEvent, type ConsumedEvent } from '@odx/runtime';
import type { EventMeta } from '@odx/schemas';
import { keyLinkKind, link, orderLinks } from './order-links.js';

/** What an index entry is: a canonical event, or a copy of one parked in a retry or dead-letter topic. */
export type EntryKind = 'event' | 'retry' | 'dlq';

/** Small type-specific facts the KPIs need, so they never re-read payloads. Absent keys are left out. */
export interface EventFacts {
  carrier?: string;
  /** ShipmentMilestone.code (PICKED_UP, IN_TRANSIT, ...). */
  milestone?: string;
  exceptionCode?: string;
  severity?: string;
  shortPicked?: boolean;
  sku?: string;
  warehouse?: string;
  odooOnHand?: string;
  wmsOnHand?: string;
  difference?: string;
  tolerance?: string;
  partner?: string;
  transactionSet?: string;
  documentId?: string;
  groupControlNumber?: string;
  /** EDI businessObjectType / businessObjectId / businessRef. */
  objectType?: string;
  objectId?: string;
  objectRef?: string;
  ediStatus?: string;
  amount?: string;
  currency?: string;
}

/** Where a retried or dead-lettered message came from and why it failed (the odx.errors.* headers). */
export interface FailureInfo {
  group: string | null;
  errorClass: string | null;
  kind: string | null;
  message: string | null;
  attempt: number | null;
  originalTopic: string | null;
  originalPartition: number | null;
  originalOffset: number | null;
  firstFailureTime: Date | null;
}

/** One document of the event index (collection `analytics_events`). */
export interface IndexedEvent {
  /** The event id for canonical events; `<entry>:<topic>:<partition>:<offset>` for retry/DLQ entries. */
  _id: string;
  eventId: string | null;
  entry: EntryKind;
  /** Simple event type (OrderConfirmed), or `unknown` for undecodable DLQ entries. */
  type: string;
  key: string | null;
  /** The topic, partition and offset this message sits at. */
  topic: string;
  partition: number;
  offset: number;
  /** The canonical topic the event belongs to. */
  originalTopic: string;
  traceId: string | null;
  /** Business time: meta.occurredAt; for retry/DLQ entries the time of the (last) failure. */
  time: Date;
  /** meta.source: odoo, wms, tms, edi, ... */
  source: string | null;
  /** CloudEvents ce_source: the ODX service that published it (/odx/<service>). */
  ceSource: string | null;
  correlationId: string | null;
  /** meta.causationId: the eventId of the event that caused this one (absent in entries indexed before it was kept). */
  causationId?: string | null;
  links: string[];
  facts: EventFacts;
  error?: FailureInfo;
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a W3C traceparent header; null when absent, malformed or all zeros. */
export function traceIdOf(traceparent: string | undefined): string | null {
  const m = traceparent ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  return m && !/^0+$/.test(m[1]!) ? m[1]! : null;
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as T;
}

/** The facts of one event (see EventFacts). */
export function factsOf(event: CanonicalEvent): EventFacts {
  switch (event.eventType) {
    case 'ShipmentPicked':
      return compact({ shortPicked: event.payload.shortPicked, warehouse: event.payload.warehouseCode });
    case 'ShipmentBooked':
      return compact({ carrier: event.payload.carrierCode });
    case 'ShipmentDispatched':
      return compact({ carrier: event.payload.shipment.carrierCode ?? undefined });
    case 'ShipmentMilestoneRecorded': {
      const e = event.payload;
      return compact({ carrier: e.carrierCode, milestone: e.milestone.code });
    }
    case 'ShipmentDelivered':
      return compact({ carrier: event.payload.carrierCode });
    case 'ShipmentException': {
      const e = event.payload;
      return compact({ exceptionCode: e.exceptionCode, severity: e.severity });
    }
    case 'InventoryMismatchDetected': {
      const e = event.payload;
      return compact({
        sku: e.sku,
        warehouse: e.warehouseCode,
        odooOnHand: e.odooOnHand,
        wmsOnHand: e.wmsOnHand,
        difference: e.difference,
        tolerance: e.tolerance,
      });
    }
    case 'InventoryLevelChanged': {
      const l = event.payload.level;
      return compact({ sku: l.sku, warehouse: l.warehouseCode });
    }
    case 'InventoryAdjusted': {
      const a = event.payload.adjustment;
      return compact({ sku: a.sku, warehouse: a.warehouseCode });
    }
    case 'EdiDocumentReceived':
    case 'EdiDocumentSent': {
      const e = event.payload;
      const d = e.document;
      return compact({
        partner: d.partnerId,
        transactionSet: d.transactionSet,
        documentId: d.documentId,
        groupControlNumber: d.groupControlNumber ?? undefined,
        objectType: d.businessObjectType ?? undefined,
        objectId: d.businessObjectId ?? undefined,
        objectRef: d.businessRef ?? undefined,
        ediStatus: 'status' in e ? e.status : undefined,
      });
    }
    case 'InvoicePosted': {
      const i = event.payload.invoice;
      return compact({ amount: i.amountTotal, currency: i.currency });
    }
    case 'PaymentReceived': {
      const pay = event.payload.payment;
      return compact({ amount: pay.amount, currency: pay.currency });
    }
    default:
      return {};
  }
}

/** The parts of the event meta the index keeps; none for a message that could not be decoded. */
type IndexedMeta = Partial<Pick<EventMeta, 'eventId' | 'occurredAt' | 'source' | 'correlationId' | 'causationId'>>;

function str(v: string | null | undefined): string | null {
  return typeof v === 'string' && v !== '' ? v : null;
}

/** The index entry of a canonical event as the consumer runner delivered it. */
export function indexEntryOf(event: ConsumedEvent): IndexedEvent {
  const meta = event.payload.meta;
  return {
    _id: event.eventId,
    eventId: event.eventId,
    entry: 'event',
    type: event.eventType,
    key: event.key,
    topic: event.receivedFrom.topic,
    partition: event.receivedFrom.partition,
    offset: Number(event.receivedFrom.offset),
    originalTopic: event.topic,
    traceId: traceIdOf(event.headers['traceparent']),
    time: meta.occurredAt,
    source: str(meta.source),
    ceSource: str(event.headers['ce_source']),
    correlationId: str(meta.correlationId) ?? str(event.headers['ce_correlationid']),
    causationId: str(meta.causationId),
    links: orderLinks(event),
    facts: factsOf(event),
  };
}

function dateOr(value: string | undefined, fallback: Date): Date {
  const d = value ? new Date(value) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : fallback;
}

function intOrNull(value: string | undefined): number | null {
  if (value === undefined || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/** A message read from a retry or DLQ topic, decoded if it could be. */
export interface FailureMessage {
  entry: 'retry' | 'dlq';
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  headers: Record<string, string>;
  /** Kafka's timestamp of the message (ms). */
  timestamp: number;
  /** The canonical topic it was taken from (from the topic name). */
  originalTopic: string;
  /** The catalog key of the original topic (orderId, shipmentId, ...), to link undecodable messages by their key. */
  catalogKey: string | undefined;
  decoded: { eventType: string; payload: unknown } | undefined;
}

/**
 * The index entry of a retried or dead-lettered message: its own coordinates as
 * `_id` (each copy is one entry, so a message retried twice shows twice), the
 * odx.errors.* context, and the links of its payload, or of its key when it
 * could not be decoded (or is of an event type this build does not know).
 */
export function failureEntryOf(m: FailureMessage): IndexedEvent {
  const h = m.headers;
  const decoded = m.decoded ? canonicalEventOf(m.decoded) : undefined;
  const meta: IndexedMeta = decoded?.payload.meta ?? {};
  const firstFailure = h[ERROR_HEADERS.firstFailureTime] ? dateOr(h[ERROR_HEADERS.firstFailureTime], new Date(m.timestamp)) : null;
  const ceType = h['ce_type'];
  const type = m.decoded?.eventType ?? (ceType ? ceType.slice(ceType.lastIndexOf('.') + 1) : 'unknown');
  const keyKind = keyLinkKind(m.catalogKey);
  const links = decoded ? orderLinks(decoded) : [keyKind ? link(keyKind, m.key) : undefined].filter((t): t is string => t !== undefined);
  const attempt = intOrNull(h[ERROR_HEADERS.attempt]);
  return {
    _id: `${m.entry}:${m.topic}:${m.partition}:${m.offset}`,
    eventId: str(h['ce_id']) ?? str(meta.eventId),
    entry: m.entry,
    type,
    key: m.key,
    topic: m.topic,
    partition: m.partition,
    offset: Number(m.offset),
    originalTopic: h[ERROR_HEADERS.originalTopic] ?? m.originalTopic,
    traceId: traceIdOf(h['traceparent']),
    // When it failed, not when the business fact happened: the timeline shows the failure where it occurred.
    time: dateOr(h[ERROR_HEADERS.lastFailureTime], new Date(m.timestamp)),
    source: str(meta.source),
    ceSource: str(h['ce_source']),
    correlationId: str(meta.correlationId) ?? str(h['ce_correlationid']),
    causationId: str(meta.causationId),
    links,
    facts: decoded ? factsOf(decoded) : {},
    error: {
      group: str(h[ERROR_HEADERS.consumerGroup]),
      errorClass: str(h[ERROR_HEADERS.errorClass]),
      kind: str(h[ERROR_HEADERS.kind]),
      message: str(h[ERROR_HEADERS.message]),
      attempt,
      originalTopic: str(h[ERROR_HEADERS.originalTopic]),
      originalPartition: intOrNull(h[ERROR_HEADERS.originalPartition]),
      originalOffset: intOrNull(h[ERROR_HEADERS.originalOffset]),
      firstFailureTime: firstFailure,
    },
  };
}
