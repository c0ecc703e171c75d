import { findByIds, insertManyInChunks } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';

/** One DLQ message redriven (its `_id` is `<dlq topic>/<partition>/<offset>`, plus `#<redrive id>` for forced repeats). */
export interface RedriveRecord {
  _id: string;
  source: string;
  redriveId: string;
  target: string;
  at: Date;
  actor: string;
}

/** Which DLQ messages were redriven already, so a second redrive is visible and refused unless forced. */
export class RedriveRecords {
  private readonly col: Collection<RedriveRecord>;

  constructor(db: Db, collection = 'replay_dlq_redrives') {
    this.col = db.collection<RedriveRecord>(collection);
  }

  /** The subset of `sources` already redriven (first redrive records only: one `_id` lookup each). */
  async alreadyRedriven(sources: string[]): Promise<Set<string>> {
    // Point lookups: an `_id: { $in }` filter scans the whole collection on FerretDB.
    return new Set((await findByIds(this.col, sources)).map((d) => d._id));
  }

  /** Records redriven messages; repeats (forced) get their own `_id` so nothing is overwritten. */
  async record(entries: Array<{ source: string; target: string; repeat: boolean }>, redriveId: string, actor: string): Promise<void> {
    if (entries.length === 0) return;
    const at = new Date();
    const docs = entries.map((e) => ({
      _id: e.repeat ? `${e.source}#${redriveId}` : e.source,
      source: e.source,
      redriveId,
      target: e.target,
      at,
      actor,
    }));
    // A duplicate id means a concurrent redrive recorded the same message first: that record stands.
    await insertManyInChunks(this.col, docs);
  }
}
