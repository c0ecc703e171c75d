import type { Collection, Db } from 'mongodb';

interface RefsDoc { _id: string; refs: string[]; at: Date }
interface CancelDoc { _id: string; at: Date }

const isDuplicateKey = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === 11000;

/**
 * What the bridge remembers per ODX order, as insert-only documents keyed by
 * `_id` (FerretDB's cheap operations): the WMS external references created
 * for it, and that it was cancelled (so a create still waiting in a retry
 * topic does not resurrect it).
 */
export class OrderRecords {
  private readonly refs: Collection<RefsDoc>;
  private readonly cancellations: Collection<CancelDoc>;

  constructor(db: Db) {
    this.refs = db.collection<RefsDoc>('wms_bridge_orders');
    this.cancellations = db.collection<CancelDoc>('wms_bridge_cancellations');
  }

  async rememberRefs(orderId: string, refs: string[]): Promise<void> {
    await this.refs.insertOne({ _id: orderId, refs, at: new Date() }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err; // same order, same refs (deterministic)
    });
  }

  /** The external references created for the order, or null when it never reached the WMS through this bridge. */
  async refsOf(orderId: string): Promise<string[] | null> {
    return (await this.refs.findOne({ _id: orderId }))?.refs ?? null;
  }

  async markCancelled(orderId: string): Promise<void> {
    await this.cancellations.insertOne({ _id: orderId, at: new Date() }).catch((err: unknown) => {
      if (!isDuplicateKey(err)) throw err;
    });
  }

  async isCancelled(orderId: string): Promise<boolean> {
    return (await this.cancellations.findOne({ _id: orderId })) !== null;
  }
}
