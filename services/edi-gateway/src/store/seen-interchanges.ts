import { insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';

interface SeenDoc {
  /** `<partner>:<ISA13>`, or `<partner>:<ISA13>:done` once processed. */
  _id: string;
  sha256: string;
  at: Date;
}

export type ClaimResult = 'new' | 'resume' | 'duplicate';

/**
 * ISA13s seen per partner, with inserts only. The first claim of a control
 * number is a unique insert; a second claim with the same bytes while the first
 * never finished (no `:done` marker: a crash mid-way) is a resumed attempt;
 * anything else is a duplicate interchange.
 */
export class SeenInterchanges {
  private readonly col: Collection<SeenDoc>;

  constructor(db: Db, collection = 'edi_seen_interchanges') {
    this.col = db.collection<SeenDoc>(collection);
  }

  async claim(partnerId: string, isa13: string, sha256: string): Promise<ClaimResult> {
    const _id = `${partnerId}:${isa13}`;
    if (await insertOnce(this.col, { _id, sha256, at: new Date() })) return 'new';
    const [first, done] = await Promise.all([this.col.findOne({ _id }), this.col.findOne({ _id: `${_id}:done` })]);
    return first && !done && first.sha256 === sha256 ? 'resume' : 'duplicate';
  }

  async done(partnerId: string, isa13: string, sha256: string): Promise<void> {
    await insertOnce(this.col, { _id: `${partnerId}:${isa13}:done`, sha256, at: new Date() });
  }
}
