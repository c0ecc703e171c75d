import { BatchingPublisher, provisionCatalogTopics, type RunningConsumer, type ServiceRuntime } from '@odx/runtime';
import type { EdiGatewayConfig } from './config.js';
import { mountEdiRoutes } from './http/edi-routes.js';
import { FolderWatcher } from './inbound/folder-watcher.js';
import { InboundProcessor } from './inbound/inbound-processor.js';
import { AckWatchdog } from './outbound/ack-watchdog.js';
import { DocumentSender } from './outbound/document-sender.js';
import { outboundHandler } from './outbound/outbound-handler.js';
import { PartnerDirectory } from './partners/partner-profile.js';
import { BookingFactsStore } from './store/booking-facts.js';
import { ControlNumberAllocator } from './store/control-numbers.js';
import { DocumentStore } from './store/document-store.js';
import { OrderFactsStore } from './store/order-facts.js';
import { PurchaseOrderFactsStore } from './store/purchase-order-facts.js';
import { SupplierFactsStore } from './store/supplier-facts.js';
import { SeenInterchanges } from './store/seen-interchanges.js';
import { ediGatewaySubscriptions } from './subscriptions.js';
import { createEdiMetrics } from './telemetry/edi-metrics.js';
import { Delivery } from './transport/delivery.js';
import { ensurePartnerFolders } from './transport/folder-layout.js';

/** The events the outbound consumer acts on. */
export const OUTBOUND_EVENT_TYPES = [
  'OrderConfirmed',
  'ShipmentBooked',
  'ShipmentDispatched',
  'InvoicePosted',
  'PurchaseOrderConfirmed',
] as const;

export interface EdiGateway {
  partners: PartnerDirectory;
  processor: InboundProcessor;
  documents: DocumentStore;
  controls: ControlNumberAllocator;
  sender: DocumentSender;
  publisher: BatchingPublisher;
  watcher: FolderWatcher | null;
  consumer: RunningConsumer | null;
  watchdog: AckWatchdog;
}

/**
 * Wires the gateway into a runtime: partner profiles, stores, the inbound
 * processor behind the folder watcher and POST /v1/edi/:partnerId, the
 * outbound consumer (855/856/810 to customers, 850 to suppliers), the acknowledgment watchdog and the
 * document listing. Call before `rt.listen()`.
 */
export async function startEdiGateway(
  rt: ServiceRuntime,
  config: EdiGatewayConfig,
  partners = PartnerDirectory.fromDirectory(config.partnersDir, config.partnerLimits),
): Promise<EdiGateway> {
  if (config.provisionTopics) await provisionCatalogTopics(rt.cluster);
  const documents = new DocumentStore(rt.db);
  await documents.init();
  const controls = new ControlNumberAllocator({ db: rt.db, owner: rt.config.instanceId, blockSize: config.controlBlockSize });
  await controls.init();
  const orderFacts = new OrderFactsStore(rt.db);
  const purchaseOrders = new PurchaseOrderFactsStore(rt.db);
  const publisher = new BatchingPublisher(rt.producer, { maxBatchSize: 1_000, lingerMs: 2 });
  rt.lifecycle.register('edi-publisher', () => publisher.flush());
  const delivery = new Delivery({ folderRoot: config.folder.root, env: config.env });
  for (const p of partners.all()) if (p.transport.folder.enabled) await ensurePartnerFolders(config.folder.root, p);
  const metrics = createEdiMetrics(rt.metrics.registry);
  const sender = new DocumentSender({
    documents,
    controls,
    delivery,
    publisher,
    company: rt.config.company,
    ediTopic: config.topics.documents,
    metrics,
  });
  const processor = new InboundProcessor({
    partners,
    documents,
    seen: new SeenInterchanges(rt.db),
    orderFacts,
    purchaseOrders,
    supplierFacts: new SupplierFactsStore(rt.db),
    sender,
    publisher,
    logger: rt.logger,
    company: rt.config.company,
    topics: { orders: config.topics.orders, edi: config.topics.documents, purchasing: config.topics.purchasing },
    maxBytes: config.maxBytes,
    limits: config.limits,
    metrics,
  });
  mountEdiRoutes(rt.http, { partners, processor, documents, maxBytes: config.maxBytes, env: config.env });

  let consumer: RunningConsumer | null = null;
  const { outbound } = ediGatewaySubscriptions(config);
  if (outbound) {
    consumer = rt.consumer({
      ...outbound,
      retryDelaysMs: config.outbound.retryDelaysMs,
      partitionConcurrency: config.outbound.partitionConcurrency,
      // A repeated outbound event sends no second document (its document id is deterministic), but it takes
      // a fresh interchange control number on the way; a crash may leave a gap of one, not of a window.
      completion: 'each',
      // Everything else on these topics (OrderReceived, our own audit, ...) is skipped by ce_type before decoding.
      eventTypes: OUTBOUND_EVENT_TYPES,
      handler: outboundHandler({
        partners,
        orderFacts,
        purchaseOrders,
        bookings: new BookingFactsStore(rt.db),
        sender,
        logger: rt.logger,
      }),
    });
    await consumer.start();
  }

  const watchdog = new AckWatchdog({
    documents,
    publisher,
    logger: rt.logger,
    company: rt.config.company,
    ediTopic: config.topics.documents,
    intervalMs: config.ackWatchIntervalMs,
  });
  rt.lifecycle.register('ack-watchdog', () => watchdog.stop());
  watchdog.start();

  let watcher: FolderWatcher | null = null;
  if (config.folder.enabled) {
    watcher = new FolderWatcher({
      root: config.folder.root,
      partners,
      processor,
      logger: rt.logger,
      intervalMs: config.folder.pollIntervalMs,
      concurrency: config.folder.concurrency,
      maxBytes: config.maxBytes,
      staleClaimMs: config.folder.staleClaimMs,
      maxFailures: config.folder.maxFailures,
      instanceId: rt.config.instanceId.replace(/\./g, '-'),
    });
    const w = watcher;
    rt.lifecycle.register('folder-watcher', () => w.stop());
    w.start();
  }
  rt.logger.info('EDI gateway started', {
    partners: partners.all().map((p) => p.id),
    folder_root: config.folder.enabled ? config.folder.root : null,
  });
  return { partners, processor, documents, controls, sender, publisher, watcher, consumer, watchdog };
}
