import { GroupCommitStore, type Logger } from '@odx/runtime';
import type { Db } from 'mongodb';
import type { EventIndex } from './event-index.js';
import type { IndexedEvent } from './event-record.js';

/**
 * Group commit of the event index (the runtime's GroupCommitStore): the sink's
 * only effect is inserting an index entry whose `_id` is the event id, so the
 * entries of a claim window go in with one unordered insertMany.
 */
export class IndexCommit extends GroupCommitStore<IndexedEvent> {
  constructor(
    db: Db,
    private readonly index: EventIndex,
    logger: Logger,
    private readonly onCommitted: (inserted: number, staged: number, seconds: number) => void = () => undefined,
  ) {
    super(db, 'analytics-sink', logger, 'event index insert');
  }

  /** Called by the handler: the entry is written when its claim window completes. */
  stage(entry: IndexedEvent): void {
    this.staged.set(entry._id, entry);
  }

  override init(): Promise<void> {
    return this.index.init();
  }

  protected override async commit(entries: IndexedEvent[]): Promise<void> {
    const started = process.hrtime.bigint();
    const inserted = await this.index.insert(entries);
    this.onCommitted(inserted, entries.length, Number(process.hrtime.bigint() - started) / 1e9);
  }
}
