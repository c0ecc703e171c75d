// Which order an invoice belongs to. InvoicePosted names the order;
// PaymentReceived names only invoices, and may be read before its invoice
// (other topic, other partition). A payment of an invoice not linked yet is
// parked; whichever of the two arrives second finds the other (each side
// writes first, then reads), so no payment is lost to the race. A payment
// both sides send goes out twice with one id: the fold drops the repeat.
import { deleteByIds, deleteManyInBatches, findByIds, insertManyInChunks, type EventMetaLike } from '@odx/runtime';
import type { EvidenceLink, OrchestratorSignal, Payment } from '@odx/schemas';
import type { Collection, Db } from 'mongodb';
import { paymentSignal } from './map-event.js';

interface LinkDoc {
  _id: string;
  orderId: string;
  /** When it was linked (the sweeper's clock). */
  at: Date;
}

interface ParkedPayment {
  /** `<payment event id>|<invoice id>`. */
  _id: string;
  invoiceId: string;
  meta: { eventId: string; occurredAt: Date; source: string; correlationId: string; company: string };
  payment: { paymentId: string; amount: string; currency: string; paidAt: Date };
  evidence: EvidenceLink;
  parkedAt: Date;
}

export const INVOICE_LINK_COLLECTIONS = { links: 'orchestrator_invoice_orders', parked: 'orchestrator_parked_payments' } as const;

export class InvoiceLinks {
  private readonly links: Collection<LinkDoc>;
  private readonly parked: Collection<ParkedPayment>;

  constructor(db: Db) {
    this.links = db.collection<LinkDoc>(INVOICE_LINK_COLLECTIONS.links);
    this.parked = db.collection<ParkedPayment>(INVOICE_LINK_COLLECTIONS.parked);
  }

  async init(): Promise<void> {
    await this.parked.createIndex({ invoiceId: 1 });
  }

  /** Records invoice -> order (insert once; a repeat is a duplicate key, ignored). */
  async link(invoices: ReadonlyArray<{ invoiceId: string; orderId: string }>): Promise<void> {
    if (invoices.length === 0) return;
    await insertManyInChunks(
      this.links,
      invoices.map((i) => ({ _id: i.invoiceId, orderId: i.orderId, at: new Date() })),
    );
  }

  async ordersOf(invoiceIds: readonly string[]): Promise<Map<string, string>> {
    if (invoiceIds.length === 0) return new Map();
    const docs = await findByIds(this.links, invoiceIds);
    return new Map(docs.map((d) => [d._id, d.orderId]));
  }

  /**
   * Parks a payment's allocations to invoices with no known order, then looks
   * again: signals for those linked meanwhile, and the parked ids they settle.
   */
  async park(
    payment: { meta: EventMetaLike; payment: Payment },
    invoiceIds: readonly string[],
    evidence: EvidenceLink,
  ): Promise<{ signals: OrchestratorSignal[]; settled: string[] }> {
    const p = payment.payment;
    const meta = payment.meta;
    const docs: ParkedPayment[] = p.allocations
      .filter((a) => invoiceIds.includes(a.invoiceId))
      .map((a) => ({
        _id: `${meta.eventId}|${a.invoiceId}`,
        invoiceId: a.invoiceId,
        meta: {
          eventId: meta.eventId,
          occurredAt: meta.occurredAt,
          source: meta.source,
          correlationId: meta.correlationId,
          company: meta.company,
        },
        payment: { paymentId: p.paymentId, amount: a.amount, currency: p.currency, paidAt: p.paymentDate },
        evidence,
        parkedAt: new Date(),
      }));
    await insertManyInChunks(this.parked, docs);
    const orders = await this.ordersOf(invoiceIds);
    const ready = docs.filter((d) => orders.has(d.invoiceId));
    return { signals: ready.map((d) => this.signalOf(d, orders.get(d.invoiceId)!)), settled: ready.map((d) => d._id) };
  }

  /** Payments parked for invoices just linked: their signals, and the parked ids they settle. */
  async release(
    invoices: ReadonlyArray<{ invoiceId: string; orderId: string }>,
  ): Promise<{ signals: OrchestratorSignal[]; settled: string[] }> {
    const signals: OrchestratorSignal[] = [];
    const settled: string[] = [];
    for (const inv of invoices) {
      for (const d of await this.parked.find({ invoiceId: inv.invoiceId }).toArray()) {
        signals.push(this.signalOf(d, inv.orderId));
        settled.push(d._id);
      }
    }
    return { signals, settled };
  }

  /**
   * Deletes links and parked payments older than `before` (a late payment of an invoice linked longer ago than
   * the retention is parked until its own retention ends). FerretDB has no TTL index.
   */
  async sweep(before: Date, signal?: AbortSignal): Promise<number> {
    const o = signal ? { signal } : {};
    const links = await deleteManyInBatches(this.links, { at: { $lt: before } }, o);
    const parked = await deleteManyInBatches(this.parked, { parkedAt: { $lt: before } }, o);
    return links.deleted + parked.deleted;
  }

  /** Forgets parked payments whose signals the inbox acknowledged. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await deleteByIds(this.parked, ids);
  }

  private signalOf(d: ParkedPayment, orderId: string): OrchestratorSignal {
    return paymentSignal(
      orderId,
      { ...d.meta, causationId: null },
      {
        paymentId: d.payment.paymentId,
        invoiceId: d.invoiceId,
        amount: d.payment.amount,
        currency: d.payment.currency,
        paidAt: d.payment.paidAt,
      },
      d.evidence,
    );
  }
}
