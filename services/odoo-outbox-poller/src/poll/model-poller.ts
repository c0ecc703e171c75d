import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, compileRetryPolicy, type EventProducer, type Logger, type OutgoingEvent } from '@odx/runtime';
import type { OdooRecord } from '../mapping/map-sale-order.js';
import type { OdooClient } from '../odoo/odoo-client.js';
import type { FieldCatalog } from '../odoo/field-catalog.js';
import { odooDate, toOdooDatetime } from '../odoo/odoo-values.js';
import { cursorAfter, type CursorStore, type PollCursor } from './cursor-store.js';
import { ORDER_BY_ID, ORDER_BY_WRITE_DATE, behindCursorDomain, laterSecondsDomain, restOfSecondDomain } from './poll-domain.js';

/** One Odoo model the poller follows and how its records become events. */
export interface ModelSpec {
  model: string;
  fields: string[];
  /** Extra domain terms (e.g. only outgoing pickings). */
  domain?: unknown[];
  /** Maps a batch of records to events, reading related records in batches. */
  toEvents(records: OdooRecord[]): Promise<OutgoingEvent[]>;
  /** Called once Kafka acknowledged `events` (state that must follow what was published, e.g. a PO's last announced version). */
  published?(events: OutgoingEvent[]): Promise<void>;
}

export interface ModelPollerOptions {
  client: OdooClient;
  fields: FieldCatalog;
  spec: ModelSpec;
  cursors: CursorStore;
  producer: EventProducer;
  logger: Logger;
  /** Records per search_read. @default 500 */
  batchSize?: number;
  /** Seconds re-scanned behind the cursor for late-committed transactions. @default 30 */
  lookbackSeconds?: number;
  /** Pause between polls when caught up. @default 1000 */
  intervalMs?: number;
  /** Called after each successful or failed cycle (readiness, metrics). */
  onCycle?: (outcome: { model: string; ok: boolean; records: number; error?: unknown }) => void;
}

/**
 * Follows one model with a `(write_date, id)` cursor. A batch is published and
 * acknowledged by Kafka before the cursor moves, so a crash re-reads at most
 * one batch, and the deterministic event ids make that harmless. Behind the
 * cursor, a lookback window is re-scanned each cycle: a long transaction can
 * commit a record whose write_date is older than records already seen, and
 * the re-scan publishes it (anything already published in the window is
 * remembered and skipped).
 */
export class ModelPoller {
  private cursor: PollCursor | undefined;
  private loaded = false;
  /**
   * Event ids published recently (until their expiry). The lookback dedupes on
   * events, not on record versions: the API shows write_date to the second, so
   * a draft read at 10:00:00 and its confirmation later in that same second
   * look like the same version, but only the second one has an event.
   */
  private readonly published = new Map<string, number>();
  private readonly batchSize: number;
  private readonly lookbackMs: number;
  private readonly intervalMs: number;

  constructor(private readonly options: ModelPollerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.lookbackMs = (options.lookbackSeconds ?? 30) * 1000;
    this.intervalMs = options.intervalMs ?? 1000;
  }

  get model(): string {
    return this.options.spec.model;
  }

  get position(): PollCursor | undefined {
    return this.cursor;
  }

  private readFields: string[] = [];

  private async ensureCursor(): Promise<void> {
    if (this.loaded) return;
    this.readFields = await this.options.fields.available(this.model, [...this.options.spec.fields, 'write_date']);
    this.cursor = await this.options.cursors.load(this.model);
    this.loaded = true;
  }

  /**
   * Reads and publishes the next batch after the cursor, then moves the cursor;
   * returns how many records it published. See poll-domain.ts for why the
   * cursor moves in whole seconds.
   */
  async pollOnce(): Promise<number> {
    await this.ensureCursor();
    const base = this.options.spec.domain ?? [];
    const kw = { fields: this.readFields, limit: this.batchSize, context: { active_test: false } };
    if (this.cursor) {
      // 1. Finish the cursor's second, in id order.
      const rest = await this.options.client.searchRead<OdooRecord>(this.model, [...base, ...restOfSecondDomain(this.cursor)], {
        ...kw,
        order: ORDER_BY_ID,
      });
      if (rest.length > 0) {
        await this.publish(rest);
        await this.advance({ writeDate: this.cursor.writeDate, id: rest[rest.length - 1]!.id });
        return rest.length;
      }
    }
    // 2. Later seconds, in write_date order.
    const later = await this.options.client.searchRead<OdooRecord>(this.model, [...base, ...laterSecondsDomain(this.cursor)], {
      ...kw,
      order: ORDER_BY_WRITE_DATE,
    });
    if (later.length === 0) return 0;
    const lastSecond = secondOf(later[later.length - 1]!);
    if (later.length === this.batchSize) {
      const complete = later.filter((r) => secondOf(r) !== lastSecond);
      if (complete.length === 0) {
        // The whole batch is one busy second: read that second in id order from its start.
        await this.advance({ writeDate: lastSecond, id: 0 });
        return this.pollOnce();
      }
      // The last second may go on past this batch: it is read again next time.
      await this.publish(complete);
      await this.advance(maxCursor(complete));
      return complete.length;
    }
    await this.publish(later);
    await this.advance(maxCursor(later));
    return later.length;
  }

  /**
   * Moves the cursor forward only (after Kafka acknowledged what it covers).
   * It moves in memory first: when the store cannot save it, the next cycle
   * goes on from here instead of publishing the same batch again (it did, every
   * cycle, while the store was down: up to 21 OrderConfirmed per order in a
   * soak run). The failed save throws (the cycle is reported as failing) and is
   * repeated with the next advance; a crash before then re-reads from the saved
   * cursor, which is at-least-once with the same event ids.
   */
  private async advance(next: PollCursor): Promise<void> {
    if (this.cursor && !cursorAfter(next, this.cursor)) return;
    this.cursor = next;
    await this.options.cursors.save(this.model, next);
  }

  /** Re-scans the lookback window behind the cursor; returns how many late records it published. */
  async lookbackOnce(now = Date.now()): Promise<number> {
    await this.ensureCursor();
    if (!this.cursor || this.lookbackMs === 0) return 0;
    for (const [k, expiry] of this.published) if (expiry < now) this.published.delete(k);
    const from = toOdooDatetime(new Date((odooDate(this.cursor.writeDate)?.getTime() ?? now) - this.lookbackMs));
    const records = await this.options.client.searchRead<OdooRecord>(
      this.model,
      [...(this.options.spec.domain ?? []), ...behindCursorDomain(from, this.cursor)],
      {
        fields: this.readFields,
        order: ORDER_BY_WRITE_DATE,
        context: { active_test: false },
      },
    );
    if (records.length === 0) return 0;
    const late = await this.publish(records, true);
    if (late > 0)
      this.options.logger.info('lookback found changes the cursor had passed (late commits)', { model: this.model, events: late });
    return late;
  }

  /** Maps and publishes records; with `onlyNew`, events already published are left out. Returns events published. */
  private async publish(records: OdooRecord[], onlyNew = false): Promise<number> {
    let events = await this.options.spec.toEvents(records);
    if (onlyNew) events = events.filter((e) => !this.published.has(e.payload.meta.eventId));
    if (events.length > 0) {
      await this.options.producer.publish(events);
      await this.options.spec.published?.(events);
    }
    const expiry = Date.now() + 2 * this.lookbackMs + 60_000;
    for (const e of events) this.published.set(e.payload.meta.eventId, expiry);
    return events.length;
  }

  /** Polls until `signal` aborts: drains backlogs without pausing, backs off on errors. */
  async run(signal: AbortSignal): Promise<void> {
    const policy = compileRetryPolicy({ baseDelayMs: 500, maxDelayMs: 30_000 });
    // The lookback runs at least this often even while a backlog keeps every
    // batch full: a late commit must be found before the cursor is further
    // ahead of it than the lookback window.
    const lookbackEveryMs = Math.min(5_000, this.lookbackMs / 3);
    let lastLookback = 0;
    let failures = 0;
    while (!signal.aborted) {
      let read: number;
      try {
        read = await this.pollOnce();
        if (read < this.batchSize || Date.now() - lastLookback >= lookbackEveryMs) {
          read += await this.lookbackOnce();
          lastLookback = Date.now();
        }
        failures = 0;
        this.options.onCycle?.({ model: this.model, ok: true, records: read });
      } catch (error) {
        failures++;
        this.options.onCycle?.({ model: this.model, ok: false, records: 0, error });
        this.options.logger.warn('poll failed', { model: this.model, err: error, failures });
        await sleep(backoffDelay(policy, failures) + 100, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (read < this.batchSize) await sleep(this.intervalMs, undefined, { signal }).catch(() => undefined);
    }
  }
}

function secondOf(r: OdooRecord): string {
  return String(r['write_date']);
}

/** The cursor after a set of whole seconds: the last second and the highest id in it. */
function maxCursor(records: OdooRecord[]): PollCursor {
  const lastSecond = records.reduce((m, r) => (secondOf(r) > m ? secondOf(r) : m), '');
  const id = records.filter((r) => secondOf(r) === lastSecond).reduce((m, r) => Math.max(m, r.id), 0);
  return { writeDate: lastSecond, id };
}
