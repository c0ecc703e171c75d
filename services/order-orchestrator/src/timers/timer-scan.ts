// The timer scan: reads the due-index slots from its cursor to now, and for
// every entry that is due publishes a TimerFired signal to the order's inbox.
// The signal's id is (order, step, attempt), so any number of scanners (every
// instance runs one) and repeated scans send one signal; the fold ignores a
// timer that no longer matches the process. The fold's write removes the
// entry; until then a due entry is not sent again for `refireMs`.
import { outgoingEvent, type EventProducer, type Logger } from '@odx/runtime';
import { timerSignal } from '../process/signals.js';
import { isStepName } from '../process/steps.js';
import type { DueIndex } from './due-index.js';

export interface TimerScanOptions {
  index: DueIndex;
  /** Publishes the timer signals (the runtime's producer). */
  producer: Pick<EventProducer, 'publish'>;
  inboxTopic: string;
  company: string;
  /** Inbox partitions (one bucket per slot and partition). */
  partitions: number;
  /** A due entry still in the index after this long is sent again. @default 60000 */
  refireMs?: number;
  logger: Logger;
  /** Slots read per scan at most (a scanner far behind catches up over several scans). @default 2000 */
  maxSlotsPerScan?: number;
}

export interface TimerScanResult {
  buckets: number;
  entries: number;
  fired: number;
  ms: number;
}

export class TimerScanner {
  private nextSlot: number | undefined;
  /** The cursor as stored (undefined: none yet). */
  private storedSlot: number | undefined;
  private readonly sent = new Map<string, number>();
  /** The window of the cursor when past windows were last dropped. */
  private droppedBefore: number | undefined;
  private readonly partitions: number[];

  constructor(private readonly options: TimerScanOptions) {
    this.partitions = Array.from({ length: options.partitions }, (_, i) => i);
  }

  /**
   * One scan now: reads the slots from the cursor to the current one (a
   * `{ slot }` read per partition and slot), sends the due entries, and moves the cursor to the first slot that
   * still holds due entries (the fold removes them as it handles the timers).
   */
  async scan(now = Date.now()): Promise<TimerScanResult> {
    const started = performance.now();
    const { index, producer, inboxTopic, company } = this.options;
    const refireMs = this.options.refireMs ?? 60_000;
    const current = index.slotOf(now);
    // A start reads where the last scan stopped; only an index that never had a scan is listed.
    if (this.nextSlot === undefined) {
      this.storedSlot = await index.readCursor();
      this.nextSlot = this.storedSlot ?? (await index.firstSlot(this.partitions)) ?? current;
    }
    const last = Math.min(current, this.nextSlot + (this.options.maxSlotsPerScan ?? 2_000) - 1);
    const slots: number[] = [];
    for (let s = this.nextSlot; s <= last; s++) slots.push(s);
    const buckets = await index.read(slots, this.partitions);
    const due: Array<{ key: string; signal: ReturnType<typeof timerSignal> }> = [];
    const empty: Array<{ slot: number; partition: number }> = [];
    let entries = 0;
    let earliestLeft: number | undefined;
    for (const b of buckets) {
      const list = Object.values(b.e ?? {});
      entries += list.length;
      if (list.length === 0 && b.slot < current) empty.push({ slot: b.slot, partition: b.partition });
      for (const e of list) {
        if (e.t > now) continue;
        if (earliestLeft === undefined || b.slot < earliestLeft) earliestLeft = b.slot;
        const key = `${e.o}|${e.s}|${e.a}`;
        const at = this.sent.get(key);
        if (at !== undefined && now - at < refireMs) continue;
        if (!isStepName(e.s)) continue;
        due.push({ key, signal: timerSignal(e.o, e.s, e.a, e.t, company, new Date(now)) });
      }
    }
    if (due.length > 0) {
      await producer.publish(due.map((d) => outgoingEvent('OrchestratorSignal', d.signal.orderId, d.signal, { topic: inboxTopic })));
      for (const d of due) this.sent.set(d.key, now);
      this.options.logger.info('timers fired', { count: due.length });
    }
    await index.deleteEmpty(empty).catch((err: unknown) => this.options.logger.warn('could not delete empty due buckets', { err }));
    // Past slots with entries still in them are read again (the fold removes fired entries); the current slot always is.
    const resume = last < current ? last + 1 : current;
    this.nextSlot = earliestLeft === undefined ? resume : Math.min(earliestLeft, resume);
    if (this.nextSlot !== this.storedSlot) {
      await index.writeCursor(this.nextSlot);
      this.storedSlot = this.nextSlot;
    }
    // Windows of slots the cursor has passed hold nothing that is read again: dropped whole (no scan).
    const window = index.windowOf(this.nextSlot);
    if (window !== this.droppedBefore) {
      await index.dropBefore(this.nextSlot).catch((err: unknown) => this.options.logger.warn('could not drop past due windows', { err }));
      this.droppedBefore = window;
    }
    for (const [key, at] of this.sent) if (now - at > refireMs * 2) this.sent.delete(key);
    return { buckets: buckets.length, entries, fired: due.length, ms: performance.now() - started };
  }
}
