// odx resync: republish full master data (or all orders) from Odoo, for first
// loads and periodic enrichment. Reads everything in (id) order in batches and
// publishes it; the poll cursors are neither read nor moved. Event ids are the
// same as the poller's for the same record version, so consumers drop what
// they already have.
//
//   node --import tsx services/odoo-outbox-poller/src/resync.ts products|customers|prices|orders [--batch 500]
import { parseArgs } from 'node:util';
import { createServiceRuntime, errorMessage, provisionCatalogTopics } from '@odx/runtime';
import { loadPollerConfig } from './config.js';
import { FieldCatalog } from './odoo/field-catalog.js';
import { OdooClient } from './odoo/odoo-client.js';
import { versionAdapter } from './odoo/version-adapter.js';
import type { OdooRecord } from './mapping/map-sale-order.js';
import { modelSpecs } from './poller-service.js';

const MODELS: Record<string, string> = {
  products: 'product.product',
  customers: 'res.partner',
  prices: 'product.pricelist.item',
  orders: 'sale.order',
};
const { positionals, values } = parseArgs({ allowPositionals: true, options: { batch: { type: 'string', default: '500' } } });
const what = positionals[0] ?? '';
const model = MODELS[what];
if (!model) {
  console.error(`usage: resync ${Object.keys(MODELS).join('|')} [--batch N]`);
  process.exit(2);
}
const batch = Number(values.batch);
const config = loadPollerConfig();
const rt = await createServiceRuntime({
  name: 'odoo-resync',
  env: { ...process.env, ODX_LOG_LEVEL: process.env['ODX_LOG_LEVEL'] ?? 'warn' },
});
const client = new OdooClient(config.odoo);
let exitCode = 0;
try {
  const adapter = versionAdapter((await client.version()).major);
  await client.authenticate();
  await provisionCatalogTopics(rt.cluster);
  const catalog = new FieldCatalog(client);
  const spec = modelSpecs(client, catalog, adapter, rt.config.company)[model]!();
  const fields = await catalog.available(model, [...spec.fields, 'write_date']);
  const total = await client.executeKw<number>(model, 'search_count', [spec.domain ?? []], { context: { active_test: false } });
  let lastId = 0;
  let done = 0;
  let published = 0;
  const started = Date.now();
  for (;;) {
    const records = await client.searchRead<OdooRecord>(model, [...(spec.domain ?? []), ['id', '>', lastId]], {
      fields,
      order: 'id asc',
      limit: batch,
      context: { active_test: false },
    });
    if (records.length === 0) break;
    const events = await spec.toEvents(records);
    await rt.producer.publish(events);
    lastId = records[records.length - 1]!.id;
    done += records.length;
    published += events.length;
    process.stderr.write(
      `resync ${what}: ${done}/${total} records, ${published} events (${Math.round(done / ((Date.now() - started) / 1000 || 1))}/s)\n`,
    );
  }
  console.log(JSON.stringify({ model, records: done, events: published, seconds: (Date.now() - started) / 1000 }));
} catch (err) {
  console.error(`resync ${what} failed: ${errorMessage(err)}`);
  exitCode = 1;
} finally {
  client.close();
  await rt.shutdown('resync finished');
}
process.exit(exitCode);
