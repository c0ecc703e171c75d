// The intake router: reads the canonical topics a batch at a time, turns each
// order-related event into order signals and publishes them, keyed by order id,
// to the orchestrator's inbox, so the one consumer that owns an order's inbox
// partition is the one writer of its process. A batch's offsets are committed
// after the inbox acknowledged its signals: a crash sends the same signals
// again, with the same ids, and the fold drops the repeats.
//
// A RawConsumer rather than a ConsumerRunner: the router's only effect is a
// publish of deterministic ids, so per-event idempotency claims and retry
// topics would cost a store round trip per event for nothing; one publish per
// batch keeps intake far ahead of the fold.
import {
  PoisonMessageError,
  RawConsumer,
  canonicalEventOf,
  classifyError,
  outgoingEvent,
  type CanonicalEvent,
  type ClusterAdmin,
  type EventProducer,
  type EventSerde,
  type Logger,
  type RawBatch,
  type RawMessage,
} from '@odx/runtime';
import type { EvidenceLink, OrchestratorSignal } from '@odx/schemas';
import { INTAKE_EVENT_TYPES, signalsOf, type IntakeEventType } from './map-event.js';
import type { InvoiceLinks } from './invoice-links.js';

export interface IntakeRouterOptions {
  cluster: ClusterAdmin;
  serde: EventSerde;
  producer: EventProducer;
  links: InvoiceLinks;
  logger: Logger;
  groupId: string;
  /** The canonical topics read (orders, shipments, invoices, payments as deployed). */
  topics: string[];
  inboxTopic: string;
  partitionConcurrency: number;
  /** Counts what the router did, by outcome (signal, skipped, undecodable). */
  onRouted?: (outcome: 'signal' | 'skipped' | 'undecodable', count: number) => void;
  onFatal?: (err: Error) => void;
}

const HANDLED = new Set<string>(INTAKE_EVENT_TYPES);

function isIntakeEvent(event: CanonicalEvent): event is CanonicalEvent<IntakeEventType> {
  return HANDLED.has(event.eventType);
}

interface Decoded {
  event: CanonicalEvent<IntakeEventType>;
  evidence: EvidenceLink;
}

export class IntakeRouter {
  private readonly consumer: RawConsumer;

  constructor(private readonly options: IntakeRouterOptions) {
    this.consumer = new RawConsumer(options.cluster, {
      groupId: options.groupId,
      topics: options.topics,
      partitionConcurrency: options.partitionConcurrency,
      onBatch: (batch) => this.route(batch),
      ...(options.onFatal ? { onFatal: options.onFatal } : {}),
    });
  }

  start(): Promise<void> {
    return this.consumer.start();
  }

  close(): Promise<void> {
    return this.consumer.close();
  }

  /** One partition's batch: decode what concerns orders, map, publish the signals in one request. */
  async route(batch: RawBatch): Promise<void> {
    const { logger, onRouted } = this.options;
    const decoded: Decoded[] = [];
    let skipped = 0;
    let undecodable = 0;
    for (const m of batch.messages) {
      const ceType = m.headers['ce_type'];
      if (ceType && !HANDLED.has(ceType.slice(ceType.lastIndexOf('.') + 1))) {
        skipped++;
        continue;
      }
      const d = await this.decode(m);
      if (d === 'undecodable') undecodable++;
      else if (d === 'skip') skipped++;
      else decoded.push(d);
    }
    const { signals, settled } = await this.signalsOf(decoded);
    if (signals.length > 0) {
      await this.options.producer.publish(
        signals.map((s) => outgoingEvent('OrchestratorSignal', s.orderId, s, { topic: this.options.inboxTopic })),
      );
    }
    await this.options.links.forget(settled);
    onRouted?.('signal', signals.length);
    if (skipped > 0) onRouted?.('skipped', skipped);
    if (undecodable > 0) {
      onRouted?.('undecodable', undecodable);
      logger.warn('intake skipped undecodable records (the owning consumers dead-letter them)', {
        topic: batch.topic,
        partition: batch.partition,
        count: undecodable,
      });
    }
  }

  private async decode(m: RawMessage): Promise<Decoded | 'skip' | 'undecodable'> {
    try {
      const d = await this.options.serde.decode(m.value);
      const event = canonicalEventOf(d);
      if (!event || !isIntakeEvent(event)) return 'skip';
      return {
        event,
        evidence: {
          kind: 'record',
          topic: m.topic,
          partition: m.partition,
          offset: m.offset,
          eventId: event.payload.meta.eventId,
          note: event.eventType,
        },
      };
    } catch (err) {
      // A registry that cannot be reached fails the batch (it comes again); a poison record is not ours to keep.
      if (err instanceof PoisonMessageError || classifyError(err).kind !== 'transient') return 'undecodable';
      throw err;
    }
  }

  /**
   * Maps the batch. Invoices are linked to their order first, so payments of
   * the same batch find it; a payment of an invoice not linked yet is parked
   * and sent when the invoice arrives (see InvoiceLinks).
   */
  private async signalsOf(decoded: Decoded[]): Promise<{ signals: OrchestratorSignal[]; settled: string[] }> {
    const { links } = this.options;
    const invoices = decoded.flatMap((d) =>
      d.event.eventType === 'InvoicePosted' && d.event.payload.invoice.orderId
        ? [{ invoiceId: d.event.payload.invoice.invoiceId, orderId: d.event.payload.invoice.orderId }]
        : [],
    );
    await links.link(invoices);
    const paidInvoices = decoded.flatMap((d) =>
      d.event.eventType === 'PaymentReceived' ? d.event.payload.payment.allocations.map((a) => a.invoiceId) : [],
    );
    const orders = await links.ordersOf(paidInvoices);
    const signals: OrchestratorSignal[] = [];
    const settled: string[] = [];
    for (const d of decoded) {
      const { signals: mine, pendingInvoices } = signalsOf(d.event, d.evidence, orders);
      signals.push(...mine);
      if (pendingInvoices.length > 0 && d.event.eventType === 'PaymentReceived') {
        const parked = await links.park(d.event.payload, pendingInvoices, d.evidence);
        signals.push(...parked.signals);
        settled.push(...parked.settled);
      }
    }
    const released = await links.release(invoices);
    signals.push(...released.signals);
    settled.push(...released.settled);
    return { signals, settled };
  }
}
