import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@odx/runtime';
import type { AttemptDoc, DeliveryStore } from './delivery-store.js';

/**
 * Group commit of the delivery log: attempts are buffered and inserted in one
 * unordered insertMany at most every `flushMs` (FerretDB inserts batches fast,
 * single documents slowly). The log is evidence, not the guarantee: a crash
 * loses at most the last interval's entries, and the deliveries they describe
 * are below no saved watermark yet unless they were delivered.
 */
export class AttemptWriter {
  private buffer: AttemptDoc[] = [];
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: DeliveryStore,
    private readonly logger: Logger,
    private readonly flushMs = 200,
  ) {}

  add(doc: AttemptDoc): void {
    this.buffer.push(doc);
    if (this.buffer.length >= 1_000) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.flushMs);
  }

  /** Writes what is buffered (after any write under way); a failed write is tried again a few times, then logged. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const docs = this.buffer;
    this.buffer = [];
    const run = (this.flushing ?? Promise.resolve()).then(() => this.write(docs));
    this.flushing = run;
    return run;
  }

  private async write(docs: AttemptDoc[]): Promise<void> {
    for (let attempt = 1; docs.length > 0; attempt++) {
      try {
        await this.store.recordAttempts(docs);
        return;
      } catch (err) {
        if (attempt >= 5) {
          this.logger.error('delivery log entries lost after 5 tries', { entries: docs.length, err });
          return;
        }
        await sleep(200 * attempt);
      }
    }
  }
}
