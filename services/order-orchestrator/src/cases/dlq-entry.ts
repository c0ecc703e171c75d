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
  /** The step a dead letter of this topic blocks, unless the event type says better. */
  step: string;
  /** The message key is the order id (the catalog's key for the topic), so even an undecodable entry names its order. */
  keyIsOrderId: boolean;
  /** Steps by consumer group, where the group that gave up tells the step (tms-bridge on shipments: carrier booking). */
  stepByGroup?: Record<string, string>;
}

/** Catalog names of the order topics whose dead letters open cases. */
export const ORDER_TOPIC_RULES: Record<string, OrderTopicRule> = {
  'odx.orders.v1': { step: 'release', keyIsOrderId: true },
  'odx.shipments.v1': {
    step: 'dispatch',
    keyIsOrderId: false,
    stepByGroup: { 'tms-bridge': 'carrier-booking', 'wms-bridge': 'release' },
  },
  'odx.invoices.v1': { step: 'invoice', keyIsOrderId: false },
  'odx.payments.v1': { step: 'payment', keyIsOrderId: false },
  'odx.orchestrator.inbox.v1': { step: 'orchestration', keyIsOrderId: true },
};

/** Event types that name their step more precisely than their topic does. */
const STEP_BY_EVENT: Partial<Record<string, string>> = {
  ShipmentPicked: 'pick-pack',
  ShipmentPacked: 'pick-pack',
  ShipmentDelivered: 'delivery',
  ShipmentBooked: 'carrier-booking',
  ShipmentDispatched: 'dispatch',
  ShipmentMilestoneRecorded: 'delivery',
  InvoicePosted: 'invoice',
  PaymentReceived: 'payment',
};

export type DlqEntryReading = { kind: 'opening'; opening: CaseOpening } | { kind: 'skip'; why: string };

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
  const step = (decoded && STEP_BY_EVENT[decoded.eventType]) ?? rule.stepByGroup?.[parsed.group] ?? rule.step;

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
    step: orderId ? step : `dlq:${original}`,
    reasonClass: `dlq.${errorClass}`,
    lastError,
    severity,
    evidence,
    proposedAction: 'redrive-or-purge',
    dedupeKey: `dlq|${msg.topic}|${msg.partition}|${msg.offset}`,
  };
  return { kind: 'opening', opening };
}
