import { findByIds, insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';

interface EchoDoc {
  _id: string;
  model: string;
  odooId: number;
  cause: string;
  at: Date;
}

/**
 * Records written back to Odoo because of an event from another system, so the
 * poller does not announce them again as if Odoo had done it: the WMS's
 * ShipmentDispatched validates the picking, and the picking's "done" must not
 * come back as a second ShipmentDispatched (a second ASN to the partner, a
 * second shipment in the KPIs). Insert-only (`_id` `<model>:<id>`), one read
 * per poll batch.
 */
export class EchoMarks {
  private readonly c: Collection<EchoDoc>;

  constructor(db: Db, collection = 'odoo_writeback_echoes') {
    this.c = db.collection<EchoDoc>(collection);
  }

  /** Marks the record before the write, so a crash between the two still suppresses the echo. */
  async mark(model: string, odooId: number, cause: string): Promise<void> {
    await insertOnce(this.c, { _id: `${model}:${odooId}`, model, odooId, cause, at: new Date() });
  }

  /**
   * Which record an event's write-back chose, remembered before the write (`_id` `cause:<event id>`).
   * A receipt's validation moves the rest to a backorder, so a redelivered event must go back to the
   * picking it chose the first time, not to the next open one. Returns the record first chosen.
   */
  async choose(cause: string, model: string, odooId: number): Promise<number> {
    const id = `cause:${cause}`;
    if (await insertOnce(this.c, { _id: id, model, odooId, cause, at: new Date() })) return odooId;
    const [doc] = await findByIds(this.c, [id]);
    return doc?.odooId ?? odooId;
  }

  /** The record an event's write-back chose before, if it got that far. */
  async chosen(cause: string): Promise<number | undefined> {
    const [doc] = await findByIds(this.c, [`cause:${cause}`]);
    return doc?.odooId;
  }

  /** The ids among `odooIds` that ODX itself changed. */
  async marked(model: string, odooIds: number[]): Promise<Set<number>> {
    if (odooIds.length === 0) return new Set();
    // Point lookups: an `_id: { $in }` filter scans the whole collection on FerretDB, which grows with history.
    const docs = await findByIds(
      this.c,
      odooIds.map((id) => `${model}:${id}`),
    );
    return new Set(docs.map((d) => d.odooId));
  }
}
