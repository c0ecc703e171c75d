import type { Collection, Db } from 'mongodb';

/** Where a model's polling stands: the last (write_date, id) published and acknowledged. */
export interface PollCursor {
  /** Odoo datetime string `YYYY-MM-DD HH:MM:SS` (UTC). */
  writeDate: string;
  id: number;
}

interface CursorDoc extends PollCursor {
  _id: string;
  updatedAt: Date;
}

/** Poll cursors in MongoDB, one document per (poller instance name, model). */
export class CursorStore {
  private readonly collection: Collection<CursorDoc>;

  constructor(
    db: Db,
    private readonly scope: string,
    collection = 'odx_poll_cursors',
  ) {
    this.collection = db.collection<CursorDoc>(collection);
  }

  private id(model: string): string {
    return `${this.scope}:${model}`;
  }

  async load(model: string): Promise<PollCursor | undefined> {
    const doc = await this.collection.findOne({ _id: this.id(model) });
    return doc ? { writeDate: doc.writeDate, id: doc.id } : undefined;
  }

  /** Saves the cursor; call only after Kafka acknowledged everything up to it. */
  async save(model: string, cursor: PollCursor): Promise<void> {
    await this.collection.replaceOne(
      { _id: this.id(model) },
      { writeDate: cursor.writeDate, id: cursor.id, updatedAt: new Date() },
      { upsert: true },
    );
  }
}

/** Orders cursors the way the poll query does: by write_date, then id. */
export function cursorAfter(a: PollCursor, b: PollCursor): boolean {
  return a.writeDate > b.writeDate || (a.writeDate === b.writeDate && a.id > b.id);
}
