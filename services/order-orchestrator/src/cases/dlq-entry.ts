// A dead-lettered message of an order topic, read as the opening of a case:
// which order it is about, which step it blocks, why it failed and where it
// lies. Pure: the DLQ intake decodes the record (when it can) and passes the
// result in. Everything on the record is untrusted input: the bytes may be what
// made it fail, and anyone who can produce to a DLQ topic chooses the headers.
import { ERROR_HEADERS, orderIdOf, parseDerivedTopic, type CanonicalEvent, type RawMessage } from '@odx/runtime';
import type { CaseOpening, Evidence, Severity } from './case-model.js';

/** The order id of entries whose order cannot be told (unreadable payload on a topic not keyed by order). */
export const UNATTRIBUTED_ORDER = 'unattributed';

/** How the DLQ intake reads one original topic's dead letters. */
export interface OrderTopicRule {
  /** The message key is the order id (the catalog's key for the topic), so even an undecodable entry names its order. */
  keyIsOrderId: boolean;
}

/** Catalog names of the order topics whose dead letters open cases. */
export const ORDER_TOPIC_RULES: Record<string, OrderTopicRule> = {
  'odx.orders.v1': { keyIsOrderId: true },
  'odx.shipments.v1': { keyIsOrderId: false },
  'odx.invoices.v1': { keyIsOrderId: false },
  'odx.payments.v1': { keyIsOrderId: false },
  'odx.orchestrator.inbox.v1': { keyIsOrderId: true },
};

/** A consumer group that does a step of the order's process on an order topic. */
export interface GroupStep {
  /** Catalog name of the original topic. */
  topic: string;
  /** The service's consumer group (its default name; a deployment's prefix such as `sys-<id>-` is allowed). */
  group: string;
  /** Only dead letters of this event type (else any type). */
  eventType?: string;
  /** The process step the group's work serves. */
  step: string;
}

/**
 * Which step of the order's process a consumer group's failure blocks. A dead
 * letter of one of these groups (a readable event that names its order) is
 * that step failing for good: it goes to the order's process as a step
 * failure (ProcessCommands.stepFailed), which records the step as failed and
 * opens (or joins) the one case of that step. First match wins. Groups not
 * listed do no step of the process (analytics-sink, edi-gateway, the
 * orchestrator's own intake, odoo-writeback's OrderReceived, which creates the
 * order in Odoo before any process exists): their dead letters, and every
 * undecodable entry, are filed on a case by the desk, step `dlq:<topic>`.
 */
export const GROUP_STEPS: readonly GroupStep[] = [
  // wms-bridge creates the WMS order (release mode order-confirmed) and cancels it on OrderCancelled.
  { topic: 'odx.orders.v1', group: 'wms-bridge', step: 'release' },
  // tms-bridge voids the carrier booking on OrderCancelled.
  { topic: 'odx.orders.v1', group: 'tms-bridge', step: 'carrier-booking' },
  // wms-bridge creates the WMS order of each FulfillmentRequested (release mode fulfillment-requested).
  { topic: 'odx.shipments.v1', group: 'wms-bridge', step: 'release' },
  // tms-bridge books the carrier for packed shipments.
  { topic: 'odx.shipments.v1', group: 'tms-bridge', step: 'carrier-booking' },
  // The poller's write-back: a booking's carrier and tracking onto the Odoo picking ...
  { topic: 'odx.shipments.v1', group: 'odoo-writeback', eventType: 'ShipmentBooked', step: 'carrier-booking' },
  // ... and the picking validated in Odoo when the goods left (ShipmentDispatched).
  { topic: 'odx.shipments.v1', group: 'odoo-writeback', step: 'dispatch' },
];

/** The step `group` serves for `eventType` on `topic` (catalog name), or null. */
export function stepOfGroup(topic: string, group: string, eventType: string | null): string | null {
  const hit = GROUP_STEPS.find(
    (g) =>
      g.topic === topic && (group === g.group || group.endsWith(`-${g.group}`)) && (g.eventType === undefined || g.eventType === eventType),
  );
  return hit?.step ?? null;
}

export type DlqEntryReading =
  | {
      kind: 'opening';
      opening: CaseOpening;
      /**
       * Set when the entry is a readable event of an order that a group doing a process step gave up on
       * (GROUP_STEPS): the step failed, and the order's process should be told (the opening's step is this step).
       */
      stepFailure: { step: string; group: string } | null;
    }
  | { kind: 'skip'; why: string };

const MAX_TEXT = 1_000;
const MAX_ID = 200;
// Ids as ODX and its sources write them: no whitespace or control characters.
const ID = /^[\x21-\x7e]{1,200}$/;
const ERROR_CLASS = /^[A-Za-z0-9._:-]{1,100}$/;
const OFFSET = /^\d{1,19}$/;
const PARTITION = /^\d{1,6}$/;

/** Text from a header, without control characters, cut to `max`. */
function cleanText(v: string | undefined, max = MAX_TEXT): string | null {
  if (v === undefined) return null;
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const t = v.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return t ? t.slice(0, max) : null;
}

function cleanId(v: string | null | undefined): string | null {
  return typeof v === 'string' && v.length <= MAX_ID && ID.test(v) ? v : null;
}

/**
 * Reads a DLQ record (`<topic>.<group>.dlq`) as a case opening, or says why it
 * opens none (not a DLQ topic, not an order topic). `decoded` is the record's
 * event when the serde could decode it, else null. `catalogName` maps a
 * deployed topic name back to its catalog name (removes ODX_TOPIC_PREFIX).
 */
export function readDlqEntry(
  msg: RawMessage,
  decoded: CanonicalEvent | null,
  catalogName: (deployed: string) => string | null,
  severity: Severity = 'high',
): DlqEntryReading {
  const parsed = parseDerivedTopic(msg.topic);
  if (!parsed?.dlq) return { kind: 'skip', why: `${msg.topic} is not a DLQ topic` };
  const original = catalogName(parsed.topic);
  const rule = original ? ORDER_TOPIC_RULES[original] : undefined;
  if (!rule) return { kind: 'skip', why: `${parsed.topic} is not an order topic` };

  const h = msg.headers;
  const fromPayload = decoded ? cleanId(orderIdOf(decoded.payload)) : null;
  const fromKey = rule.keyIsOrderId && msg.key ? cleanId(msg.key.toString('utf8')) : null;
  const orderId = fromPayload ?? fromKey;
  // Labelled by the step the failing group serves; an unreadable record, or a group that serves none: `dlq:<topic>`.
  const served = decoded && orderId && original ? stepOfGroup(original, parsed.group, decoded.eventType) : null;
  const step = served ?? `dlq:${original}`;

  const rawClass = h[ERROR_HEADERS.errorClass];
  const errorClass = rawClass !== undefined && ERROR_CLASS.test(rawClass) ? rawClass : 'unknown';
  const attempt = h[ERROR_HEADERS.attempt] !== undefined && PARTITION.test(h[ERROR_HEADERS.attempt]!) ? h[ERROR_HEADERS.attempt] : null;
  const lastError =
    cleanText(h[ERROR_HEADERS.message]) ??
    (decoded ? `${decoded.eventType} failed in ${parsed.group}` : `undecodable record failed in ${parsed.group}`);
  const eventId = decoded ? cleanId(decoded.payload.meta.eventId) : cleanId(h['ce_id']);

  const evidence: Evidence[] = [
    {
      kind: 'dlq-entry',
      topic: msg.topic,
      partition: msg.partition,
      offset: msg.offset,
      eventId,
      note: `${errorClass}${attempt ? ` after ${attempt} attempt(s)` : ''} in ${parsed.group}${decoded ? ` (${decoded.eventType})` : ''}`.slice(
        0,
        300,
      ),
    },
  ];
  const op = h[ERROR_HEADERS.originalPartition];
  const oo = h[ERROR_HEADERS.originalOffset];
  if (op !== undefined && PARTITION.test(op) && oo !== undefined && OFFSET.test(oo))
    evidence.push({ kind: 'record', topic: parsed.topic, partition: Number(op), offset: oo, eventId, note: 'the original record' });

  const opening: CaseOpening = {
    // An entry that names no order still gets an owner: one case per original topic collects them.
    orderId: orderId ?? UNATTRIBUTED_ORDER,
    step,
    reasonClass: `dlq.${errorClass}`,
    lastError,
    severity,
    evidence,
    proposedAction: 'redrive-or-purge',
    dedupeKey: `dlq|${msg.topic}|${msg.partition}|${msg.offset}`,
  };
  return { kind: 'opening', opening, stepFailure: served ? { step: served, group: parsed.group } : null };
}
