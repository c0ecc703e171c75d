import { InsertBatcher } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { PartnerOrder } from '../model/purchase-order.js';

/** What the gateway remembers of a purchase order it accepted (850 or ORDERS), to answer with 855/856/810 in the partner's terms. */
export interface EdiOrderFacts extends PartnerOrder {
  /** ODX order id. */
  _id: string;
  partnerId: string;
  documentId: string;
  createdAt: Date;
}

/** Order -> partner facts, one insert per accepted 850 (a resent PO keeps the first facts). */
export class OrderFactsStore {
  private readonly col: Collection<EdiOrderFacts>;
  private readonly cache = new Map<string, EdiOrderFacts | null>();

  /** Facts of interchanges processed at once go out as one insertMany. */
  private readonly inserts: InsertBatcher<EdiOrderFacts>;

  constructor(db: Db, collection = 'edi_orders') {
    this.col = db.collection<EdiOrderFacts>(collection);
    this.inserts = new InsertBatcher(this.col);
  }

  async remember(facts: EdiOrderFacts): Promise<void> {
    await this.inserts.insert(facts);
    this.cache.set(facts._id, facts);
  }

  /** The facts of an order received by EDI, or null (cached either way; bounded). */
  async find(orderId: string): Promise<EdiOrderFacts | null> {
    if (this.cache.has(orderId)) return this.cache.get(orderId) ?? null;
    const found = await this.col.findOne({ _id: orderId });
    if (this.cache.size > 10_000) this.cache.clear();
    if (found) this.cache.set(orderId, found);
    return found;
  }
}
