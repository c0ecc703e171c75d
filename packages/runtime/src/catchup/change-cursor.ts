import type { Collection, Db } from 'mongodb';

/**
 * How far a catch-up has handled a remote system's change feed: the
 * (updatedAt, id) of the last record whose events Kafka acknowledged.
 */
export interface ChangeCursor {
  /** The record's last change, as an ISO 8601 UTC time (`Date.toISOString()`). */
  updatedAt: string;
  id: string;
}

interface CursorDoc extends ChangeCursor {
  _id: string;
  savedAt: Date;
}

/** True when `a` lies after `b` in the feed's (updatedAt, id) order. */
export function cursorAfter(a: ChangeCursor, b: ChangeCursor): boolean {
  const ta = Date.parse(a.updatedAt);
  const tb = Date.parse(b.updatedAt);
  return ta > tb || (ta === tb && a.id > b.id);
}

/** The later of two positions (either may be missing). */
export function laterCursor(a: ChangeCursor | undefined, b: ChangeCursor | undefined): ChangeCursor | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return cursorAfter(b, a) ? b : a;
}

/**
 * Catch-up cursors in MongoDB, one document per feed (`_id` = the feed's
 * cursor id). A plain upsert, no compare-and-set (FerretDB has none): one
 * process writes a feed's cursor at a time, and a cursor written back by a
 * second instance only makes the next run re-read records whose events are
 * recorded as published already.
 */
export class ChangeCursorStore {
  private readonly c: Collection<CursorDoc>;

  /** @param collection @default 'odx_catchup_cursors' */
  constructor(db: Db, collection = 'odx_catchup_cursors') {
    this.c = db.collection<CursorDoc>(collection);
  }

  async load(cursorId: string): Promise<ChangeCursor | undefined> {
    const doc = await this.c.findOne({ _id: cursorId });
    return doc ? { updatedAt: doc.updatedAt, id: doc.id } : undefined;
  }

  /** Saves the position; call only after Kafka acknowledged every event up to it. */
  async save(cursorId: string, cursor: ChangeCursor): Promise<void> {
    await this.c.replaceOne({ _id: cursorId }, { updatedAt: cursor.updatedAt, id: cursor.id, savedAt: new Date() }, { upsert: true });
  }
}
