import { createHash } from 'node:crypto';
import { context, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';

/**
 * One trace per order. Events about an order are published in a trace whose id
 * derives from the order (company and order id), so every service that
 * touches the order (the Odoo poller, the bridges when a WMS or TMS webhook
 * arrives, the EDI gateway) joins the same trace without sharing state: a
 * webhook hours later, in another process, lands in the order's trace. The
 * span that caused the publish (a poll, a webhook request) is linked.
 */
export function orderTraceContext(company: string, orderId: string, base: Context = context.active()): Context {
  return trace.setSpanContext(base, orderRootSpanContext(company, orderId));
}

/** The order's trace id: 32 hex digits of SHA-256 over "odx-order/<company>/<orderId>". */
export function orderTraceId(company: string, orderId: string): string {
  return orderRootSpanContext(company, orderId).traceId;
}

function orderRootSpanContext(company: string, orderId: string): SpanContext {
  const digest = createHash('sha256').update(`odx-order/${company}/${orderId}`).digest('hex');
  return { traceId: digest.slice(0, 32), spanId: digest.slice(32, 48), traceFlags: TraceFlags.SAMPLED, isRemote: true };
}

type Json = Record<string, unknown>;
const asRecord = (v: unknown): Json | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : null);
const asId = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * The order an event is about, where its payload names one: `orderId` at the
 * top, or inside `order`, `shipment`, `invoice` or `payment` (the canonical
 * schemas' places). Null for events about no single order (stock, products).
 */
export function orderIdOf(payload: unknown): string | null {
  const p = asRecord(payload);
  if (!p) return null;
  const direct = asId(p['orderId']);
  if (direct) return direct;
  for (const field of ['order', 'shipment', 'invoice', 'payment', 'returnOrder']) {
    const inner = asRecord(p[field]);
    const id = inner ? asId(inner['orderId']) : null;
    if (id) return id;
  }
  return null;
}
