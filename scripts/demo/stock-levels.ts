// Before the demo places orders: the order orchestrator allocates from the
// stock levels it has heard (InventoryLevelChanged, which the poller publishes
// from Odoo's quants on its first poll). An order that arrives before any
// level is short of stock and waits for the allocation step's SLA (minutes),
// so the demo waits until the orchestrator's store holds levels (and, where
// consumables are sold, the product kinds that say they need no stock).
import { MongoClient } from 'mongodb';

/** The orchestrator's stock-level collection (services/order-orchestrator/src/intake/stock-feed.ts). */
const STOCK_COLLECTION = 'orchestrator_stock_levels';
/** The orchestrator's product kinds (services/order-orchestrator/src/intake/product-feed.ts): consumables need no stock. */
const PRODUCT_COLLECTION = 'orchestrator_products';

/** Resolves with the number of stored levels once there are some, or 0 after `timeoutMs`. */
export function waitForStockLevels(mongo: { url: string; database: string }, timeoutMs: number): Promise<number> {
  return waitForDocuments(mongo, STOCK_COLLECTION, timeoutMs);
}

/** Resolves with the number of products whose kind the orchestrator knows once there are some, or 0 after `timeoutMs`. */
export function waitForProductKinds(mongo: { url: string; database: string }, timeoutMs: number): Promise<number> {
  return waitForDocuments(mongo, PRODUCT_COLLECTION, timeoutMs);
}

async function waitForDocuments(mongo: { url: string; database: string }, collection: string, timeoutMs: number): Promise<number> {
  const client = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    const docs = client.db(mongo.database).collection(collection);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = await docs.estimatedDocumentCount();
      if (n > 0 || Date.now() > deadline) return n;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    await client.close();
  }
}
