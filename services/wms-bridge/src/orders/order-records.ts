import { insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';

interface RefsDoc {
  _id: string;
  orderId?: string;
  refs: string[];
  at: Date;
}
interface CancelDoc {
  _id: string;
  at: Date;
}

/** Collections of per-order state, swept after the retention time. */
export const ORDER_STATE_COLLECTIONS = ['wms_bridge_orders', 'wms_bridge_cancellations'] as const;

/**
 * What the bridge remembers per ODX order, as insert-only documents keyed by
 * `_id` (FerretDB's cheap operations): the WMS external references created
 * for it (one document per OrderConfirmed release, `_id` = order id, or per
 * released picking, `_id` = its reference), and that it was cancelled (so a
 * create still waiting in a retry topic does not resurrect it).
 */
export class OrderRecords {
  private readonly refs: Collection<RefsDoc>;
  private readonly cancellations: Collection<CancelDoc>;

  constructor(db: Db) {
    this.refs = db.collection<RefsDoc>('wms_bridge_orders');
    this.cancellations = db.collection<CancelDoc>('wms_bridge_cancellations');
  }

  /** Remembers the references of one release; `docId` defaults to the order id (one OrderConfirmed release per order). */
  async rememberRefs(orderId: string, refs: string[], docId: string = orderId): Promise<void> {
    await insertOnce(this.refs, { _id: docId, orderId, refs, at: new Date() }); // a repeat is the same release, same refs (deterministic)
  }

  /** The external references created for the order, or null when it never reached the WMS through this bridge. */
  async refsOf(orderId: string): Promise<string[] | null> {
    const docs = await this.refs.find({ $or: [{ _id: orderId }, { orderId }] }).toArray();
    return docs.length === 0 ? null : [...new Set(docs.flatMap((d) => d.refs))];
  }

  async markCancelled(orderId: string): Promise<void> {
    await insertOnce(this.cancellations, { _id: orderId, at: new Date() });
  }

  async isCancelled(orderId: string): Promise<boolean> {
    return (await this.cancellations.findOne({ _id: orderId })) !== null;
  }
}
