import { parseLink } from '../ingest/order-links.js';

/** The part of an index entry that order resolution reads. */
export interface Linked {
  _id: string;
  type: string;
  links: string[];
}

const ORDER_EVENTS = new Set(['OrderReceived', 'OrderConfirmed', 'OrderCancelled']);

/**
 * Which orders each entry belongs to. Direct `order:` links count first; then
 * shipments, invoices, returns and EDI documents are attributed to the order
 * that an entry naming both ties them to (a FulfillmentRequested names shipment
 * and order, an InvoicePosted names invoice and order, an 856 names its
 * shipment, a 997 names the document it answers), and order names and PO
 * numbers to the order that order events give them. Payments reach orders
 * through the invoices they settle. Resolution repeats until nothing new is
 * learned, so chains (997 -> 856 -> shipment -> order) resolve in any arrival order.
 */
export function assignOrders<T extends Linked>(entries: readonly T[]): Map<string, T[]> {
  const alias = new Map<string, string>(); // token -> orderId
  // Names and POs are taken only from order events: a PO reused by two orders must not merge them.
  for (const e of entries) {
    if (!ORDER_EVENTS.has(e.type)) continue;
    const order = e.links.find((t) => t.startsWith('order:'));
    if (!order) continue;
    const id = order.slice('order:'.length);
    for (const t of e.links) if (t.startsWith('name:') || t.startsWith('po:')) if (!alias.has(t)) alias.set(t, id);
  }
  const orderOf = (e: T): string[] => {
    const direct = e.links.filter((t) => t.startsWith('order:')).map((t) => t.slice('order:'.length));
    if (direct.length > 0) return direct;
    const found = new Set<string>();
    for (const t of e.links) {
      const id = alias.get(t);
      if (id !== undefined) found.add(id);
    }
    return [...found];
  };
  let changed = true;
  for (let round = 0; changed && round < 10; round++) {
    changed = false;
    for (const e of entries) {
      if (e.type === 'PaymentReceived') continue; // one payment may settle many orders' invoices: never an alias source
      const orders = orderOf(e);
      if (orders.length !== 1) continue;
      for (const t of e.links) {
        const kind = parseLink(t)?.kind;
        if (kind === 'shipment' || kind === 'invoice' || kind === 'edidoc' || kind === 'return') {
          if (!alias.has(t)) {
            alias.set(t, orders[0]!);
            changed = true;
          }
        }
      }
    }
  }
  const out = new Map<string, T[]>();
  for (const e of entries) {
    for (const id of orderOf(e)) {
      let list = out.get(id);
      if (!list) out.set(id, (list = []));
      list.push(e);
    }
  }
  return out;
}

/** Tokens a user's order reference may mean: an order id, an Odoo order name or a customer PO number. */
export function referenceTokens(ref: string): string[] {
  return [`order:${ref}`, `name:${ref}`, `po:${ref}`];
}
