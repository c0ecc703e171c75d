// Before the demo places orders: the order orchestrator allocates from the
// stock levels it has heard (InventoryLevelChanged, which the poller publishes
// from Odoo's quants on its first poll). An order that arrives before any
// level is short of stock and waits for the allocation step's SLA (minutes),
// so the demo waits until the orchestrator's store holds levels.
import { MongoClient } from 'mongodb';

/** The orchestrator's stock-level collection (services/order-orchestrator/src/intake/stock-feed.ts). */
const STOCK_COLLECTION = 'orchestrator_stock_levels';

/** Resolves with the number of stored levels once there are some, or 0 after `timeoutMs`. */
export async function waitForStockLevels(mongo: { url: string; database: string }, timeoutMs: number): Promise<number> {
  const client = new MongoClient(mongo.url, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.connect();
    const levels = client.db(mongo.database).collection(STOCK_COLLECTION);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const n = await levels.estimatedDocumentCount();
      if (n > 0 || Date.now() > deadline) return n;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  } finally {
    await client.close();
  }
}
