import { InsertBatcher } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';

interface SeenDoc {
  /**
   * `<partner>:<ISA13>` for the first attempt at a control number, `<partner>:<ISA13>#<n>` for the
   * n-th; with `:done` (accepted, wholly or partly) or `:rejected` appended once it was processed.
   */
  _id: string;
  sha256: string;
  at: Date;
}

/** A claimed attempt at a control number: 1 for the first, 2 for a resend after a rejection, ... */
export type ClaimResult = { kind: 'new' | 'resume'; attempt: number } | { kind: 'duplicate' };

/** Attempts at one control number; past this, a further resend is refused as a duplicate. @default 100 */
const MAX_ATTEMPTS = 100;

/**
 * ISA13s (and UNB05s) seen per partner, with inserts only. Only an accepted
 * interchange (wholly or partly) counts as received: a partner resends a
 * corrected interchange under the same control number after we rejected
 * it, so a control number whose attempts all ended rejected may be claimed
 * again, as the next attempt. Within an attempt, the first claim is a
 * unique insert; a second claim with the same bytes while the first never
 * finished (no marker: a crash mid-way) resumes it; other bytes wait for
 * its outcome (a duplicate until it is marked rejected).
 */
export class SeenInterchanges {
  private readonly col: Collection<SeenDoc>;
  /** Claims and markers of interchanges processed at once go out as one insertMany (runtime InsertBatcher). */
  private readonly inserts: InsertBatcher<SeenDoc>;

  constructor(db: Db, collection = 'edi_seen_interchanges') {
    this.col = db.collection<SeenDoc>(collection);
    this.inserts = new InsertBatcher(this.col);
  }

  async claim(partnerId: string, key: string, sha256: string): Promise<ClaimResult> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const _id = attemptId(partnerId, key, attempt);
      if (await this.inserts.insert({ _id, sha256, at: new Date() })) return { kind: 'new', attempt };
      const [first, done, rejected] = await Promise.all([
        this.col.findOne({ _id }),
        this.col.findOne({ _id: `${_id}:done` }),
        this.col.findOne({ _id: `${_id}:rejected` }),
      ]);
      if (done) return { kind: 'duplicate' };
      if (rejected) continue;
      return first && first.sha256 === sha256 ? { kind: 'resume', attempt } : { kind: 'duplicate' };
    }
    return { kind: 'duplicate' };
  }

  /** Marks an attempt processed: accepted (the control number is now received) or rejected (it may come again). */
  async done(partnerId: string, key: string, attempt: number, sha256: string, outcome: 'accepted' | 'rejected'): Promise<void> {
    const marker = outcome === 'accepted' ? 'done' : 'rejected';
    await this.inserts.insert({ _id: `${attemptId(partnerId, key, attempt)}:${marker}`, sha256, at: new Date() });
  }
}

const attemptId = (partnerId: string, key: string, attempt: number): string =>
  attempt === 1 ? `${partnerId}:${key}` : `${partnerId}:${key}#${attempt}`;
