import { errorMessage, provisionCatalogTopics, type ServiceRuntime } from '@odx/runtime';
import type { PollerConfig } from './config.js';
import { FieldCatalog } from './odoo/field-catalog.js';
import { OdooClient } from './odoo/odoo-client.js';
import { versionAdapter, type OdooVersionAdapter } from './odoo/version-adapter.js';
import { CursorStore } from './poll/cursor-store.js';
import { customerSpec, priceSpec, productSpec } from './poll/master-data-specs.js';
import { ModelPoller, type ModelSpec } from './poll/model-poller.js';
import { invoiceSpec, pickingSpec, quantSpec } from './poll/operations-specs.js';
import { saleOrderSpec } from './poll/sale-order-spec.js';
import { PurchaseOrderVersions } from './poll/po-version-store.js';
import { purchaseOrderSpec } from './poll/purchase-order-spec.js';
import type { CompiledMatchTolerances } from './mapping/three-way-match.js';
import { pollerSubscriptions } from './subscriptions.js';
import { EchoMarks } from './writeback/echo-marks.js';
import { writebackHandler } from './writeback/writeback-handlers.js';

export { WRITEBACK_TOPICS } from './subscriptions.js';

/** Every model the poller can follow, by Odoo model name. */
export function modelSpecs(
  client: OdooClient,
  catalog: FieldCatalog,
  adapter: OdooVersionAdapter,
  company: string,
  echoes?: EchoMarks,
  purchasing?: { versions: PurchaseOrderVersions; tolerances: CompiledMatchTolerances },
): Record<string, () => ModelSpec> {
  return {
    'sale.order': () => saleOrderSpec(client, catalog, adapter, company),
    'purchase.order': () => {
      if (!purchasing) throw new Error('purchase.order polling needs the PO version store');
      return purchaseOrderSpec(client, catalog, company, purchasing.versions);
    },
    'product.product': () => productSpec(adapter, company),
    'res.partner': () => customerSpec(client, catalog, company),
    'stock.quant': () => quantSpec(client, catalog, adapter, company),
    'stock.picking': () => pickingSpec(client, catalog, adapter, company, echoes),
    'account.move': () => invoiceSpec(client, catalog, company, purchasing?.tolerances),
    'product.pricelist.item': () => priceSpec(client, catalog, company),
  };
}

/**
 * Connects to Odoo (a wrong login is fatal at start), provisions the catalog
 * topics and starts one poll loop per configured model. Readiness goes red
 * while a model's last poll failed.
 */
export async function startPoller(
  rt: ServiceRuntime,
  config: PollerConfig,
): Promise<{ pollers: ModelPoller[]; client: OdooClient; done: Promise<void> }> {
  const client = new OdooClient(config.odoo);
  rt.lifecycle.register('odoo-client', () => client.close());
  const { major, serverVersion } = await client.version();
  const adapter = versionAdapter(major);
  await client.authenticate();
  rt.logger.info('connected to Odoo', { url: config.odoo.url, db: config.odoo.db, version: serverVersion });
  await provisionCatalogTopics(rt.cluster);

  const catalog = new FieldCatalog(client);
  const echoes = new EchoMarks(rt.db);
  const specs = modelSpecs(client, catalog, adapter, rt.config.company, echoes, {
    versions: new PurchaseOrderVersions(rt.db, config.pollerName),
    tolerances: config.matchTolerances,
  });
  const cursors = new CursorStore(rt.db, config.pollerName);
  const failing = new Map<string, string>();
  const pollers = config.models.map(
    (model) =>
      new ModelPoller({
        client,
        fields: catalog,
        spec: specs[model]!(),
        cursors,
        producer: rt.producer,
        logger: rt.logger,
        batchSize: config.batchSize,
        lookbackSeconds: config.lookbackSeconds,
        intervalMs: config.intervalMs,
        onCycle: ({ model: m, ok, error }) => {
          if (ok) failing.delete(m);
          else failing.set(m, errorMessage(error));
        },
      }),
  );
  rt.http.addReadinessCheck({
    name: 'odoo-polling',
    check: async () => {
      if (failing.size > 0) throw new Error([...failing].map(([m, e]) => `${m}: ${e}`).join('; '));
    },
  });
  const done = Promise.all(pollers.map((p) => p.run(rt.lifecycle.signal))).then(() => undefined);
  rt.lifecycle.register('pollers', () => done);
  const subscriptions = pollerSubscriptions(config);
  if (subscriptions.writeback) {
    const writeback = rt.consumer({
      ...subscriptions.writeback,
      // Not every write-back is safe to repeat (an InventoryAdjusted delta would apply twice, a second
      // ShipmentDispatched could validate the order's next picking): a crash may repeat only the write in hand.
      completion: 'each',
      circuits: [client.circuit],
      handler: writebackHandler({
        client,
        adapter,
        logger: rt.logger,
        confirmReceivedOrders: config.writeback.confirmReceivedOrders,
        echoes,
      }),
    });
    await writeback.start();
  }
  return { pollers, client, done };
}
