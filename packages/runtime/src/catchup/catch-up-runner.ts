import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { mapLimited } from '../concurrency/map-limited.js';
import type { Logger } from '../logging/logger.js';
import { PermanentError, classifyError } from '../resilience/errors.js';
import { catchUpMetrics, type CatchUpMetrics } from './catch-up-metrics.js';
import { cursorAfter, laterCursor, type ChangeCursor, type ChangeCursorStore } from './change-cursor.js';

/** One page of a remote change feed, ordered by (updatedAt, id); `nextPageToken` null on the last page. */
export interface ChangePage<T> {
  items: T[];
  nextPageToken: string | null;
}

/**
 * A remote system's list of records "changed since", and how one record's
 * missed events are published. The bridge owning the remote system implements
 * it; the runner owns the cursor, paging, schedule and metrics.
 */
export interface ChangeFeed<T> {
  /** One page of the records whose last change is at or after `updatedSince`; throws on an unreadable answer. */
  list(query: { updatedSince: Date; limit: number; pageToken: string | null }): Promise<ChangePage<T>>;
  /** The record's place in the feed: its last change and its id. */
  positionOf(record: T): ChangeCursor;
  /**
   * Publishes the events the record's state implies and nobody published yet
   * (the same events, with the same ids, as its webhooks would have); resolves
   * after Kafka acknowledged them, with how many there were.
   */
  catchUp(record: T): Promise<number>;
}

/** Everything optional; `compileCatchUpOptions` fills the defaults. */
export interface CatchUpOptions {
  /** Pause between scheduled runs; 0 = only on demand. @default 60000 */
  intervalMs?: number;
  /** Each run re-reads this far behind the cursor, for clock skew and late commits on the remote. @default 30000 */
  overlapMs?: number;
  /** Records per page. @default 100 */
  pageSize?: number;
  /** How far back the first run (no cursor stored yet) reads. @default 86400000 (24 h) */
  initialLookbackMs?: number;
  /** Records of one page caught up at once. @default 4 */
  concurrency?: number;
}

export interface CompiledCatchUpOptions {
  intervalMs: number;
  overlapMs: number;
  pageSize: number;
  initialLookbackMs: number;
  concurrency: number;
}

export function compileCatchUpOptions(o: CatchUpOptions = {}): CompiledCatchUpOptions {
  return {
    intervalMs: o.intervalMs ?? 60_000,
    overlapMs: o.overlapMs ?? 30_000,
    pageSize: o.pageSize ?? 100,
    initialLookbackMs: o.initialLookbackMs ?? 24 * 3_600_000,
    concurrency: o.concurrency ?? 4,
  };
}

export type CatchUpTrigger = 'start' | 'schedule' | 'request';

export interface CatchUpReport {
  runId: string;
  trigger: CatchUpTrigger;
  startedAt: string;
  finishedAt: string;
  /** The `updatedSince` the run listed from (the cursor minus the overlap, or the initial lookback). */
  updatedSince: string;
  pages: number;
  records: number;
  eventsPublished: number;
  /** False when the runner was stopped between pages. */
  complete: boolean;
  /** Where the cursor stands after the run. */
  cursor: ChangeCursor | null;
}

/** A run over the feed is already going (one at a time per process); callers answer 409. */
export class CatchUpBusyError extends Error {
  constructor(readonly runId: string) {
    super(`catch-up ${runId} is running`);
    this.name = 'CatchUpBusyError';
  }
}

export interface CatchUpRunnerOptions<T> {
  /** Names the feed in metrics and logs, e.g. `wms-orders`. */
  feed: string;
  /** `_id` of the cursor document, e.g. `wms-bridge:wms-orders`. */
  cursorId: string;
  source: ChangeFeed<T>;
  cursors: ChangeCursorStore;
  logger: Logger;
  /** The service's metrics registry (`rt.metrics.registry`). */
  registry: Registry;
  options: CompiledCatchUpOptions;
}

/**
 * Catch-up over a remote change feed: webhooks are lossy (a sender gives up
 * after its retry policy), so on a schedule and on demand the runner lists the
 * records changed since its cursor (minus an overlap) page by page, has each
 * record's missed events published, and moves the cursor past a page only
 * after every event of that page was acknowledged by Kafka. A crash re-reads
 * at most a page and the overlap; the feed's deterministic event ids and
 * published-state records make that publish nothing twice.
 */
export class CatchUpRunner<T> {
  private cursor: ChangeCursor | undefined;
  private loaded = false;
  /** Epoch ms up to which every change is known handled: the start of the last complete run. */
  private coveredUntil: number | undefined;
  private running: { runId: string; done: Promise<CatchUpReport>; abort: AbortController } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private stopping: Promise<void> | undefined;
  private readonly metrics: CatchUpMetrics;

  constructor(private readonly setup: CatchUpRunnerOptions<T>) {
    this.metrics = catchUpMetrics(setup.registry);
    this.metrics.lagSources.set(setup.feed, () => this.lagSeconds());
  }

  /** The cursor as this process last saw it (undefined before the first run, or when none is stored). */
  get position(): ChangeCursor | undefined {
    return this.cursor;
  }

  /** Runs once now, then `intervalMs` after each run ends, until `stop()`; nothing when `intervalMs` is 0. */
  start(): void {
    if (this.started || this.stopping || this.setup.options.intervalMs <= 0) return;
    this.started = true;
    this.schedule(0, 'start');
  }

  /** Stops the schedule and ends a run in progress after its current page. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.running?.abort.abort();
      await this.running?.done.catch(() => undefined);
      this.metrics.lagSources.delete(this.setup.feed);
    })();
    return this.stopping;
  }

  /** One run over the feed now; rejects with CatchUpBusyError while another runs, or with the feed's error. */
  run(trigger: CatchUpTrigger): Promise<CatchUpReport> {
    if (this.running) return Promise.reject(new CatchUpBusyError(this.running.runId));
    const runId = `catchup-${this.setup.feed}-${new Date().toISOString()}-${randomUUID().slice(0, 8)}`;
    const abort = new AbortController();
    const done = this.runPages(runId, trigger, abort.signal)
      .then(
        (report) => {
          this.metrics.runs.inc({ feed: this.setup.feed, trigger, outcome: 'ok' });
          return report;
        },
        (err: unknown) => {
          this.metrics.runs.inc({ feed: this.setup.feed, trigger, outcome: 'failed' });
          const c = classifyError(err);
          this.setup.logger.warn('catch-up run failed; the cursor stays where the last acknowledged page left it', {
            feed: this.setup.feed,
            run_id: runId,
            trigger,
            error_class: c.errorClass,
            err,
            cursor: this.cursor ?? null,
          });
          throw err;
        },
      )
      .finally(() => {
        this.running = null;
      });
    this.running = { runId, done, abort };
    return done;
  }

  /** Catches up the given records (one order's, asked for by the orchestrator) without moving the cursor. */
  async catchUpRecords(records: readonly T[]): Promise<{ records: number; eventsPublished: number }> {
    this.metrics.records.inc({ feed: this.setup.feed }, records.length);
    const counts = await mapLimited(records, this.setup.options.concurrency, (r) => this.catchUpOne(r));
    return { records: records.length, eventsPublished: counts.reduce((a, b) => a + b, 0) };
  }

  private schedule(delayMs: number, trigger: CatchUpTrigger): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.run(trigger)
        .catch(() => undefined) // logged by run(); a busy runner is simply skipped
        .finally(() => this.schedule(this.setup.options.intervalMs, 'schedule'));
    }, delayMs);
    this.timer.unref();
  }

  private async catchUpOne(record: T): Promise<number> {
    const published = await this.setup.source.catchUp(record);
    if (published > 0) this.metrics.eventsPublished.inc({ feed: this.setup.feed }, published);
    return published;
  }

  private async runPages(runId: string, trigger: CatchUpTrigger, signal: AbortSignal): Promise<CatchUpReport> {
    const { source, cursors, cursorId, feed, options } = this.setup;
    const startedAt = new Date();
    if (!this.loaded) {
      this.cursor = laterCursor(this.cursor, await cursors.load(cursorId));
      this.loaded = true;
    }
    const updatedSince = this.cursor
      ? new Date(Date.parse(this.cursor.updatedAt) - options.overlapMs)
      : new Date(startedAt.getTime() - options.initialLookbackMs);
    let pages = 0;
    let records = 0;
    let eventsPublished = 0;
    let pageToken: string | null = null;
    let complete = true;
    do {
      if (signal.aborted) {
        complete = false;
        break;
      }
      const page: ChangePage<T> = await source.list({ updatedSince, limit: options.pageSize, pageToken });
      pages++;
      records += page.items.length;
      this.metrics.records.inc({ feed }, page.items.length);
      const counts = await mapLimited(page.items, options.concurrency, (r) => this.catchUpOne(r));
      eventsPublished += counts.reduce((a, b) => a + b, 0);
      // Every event of the page is acknowledged: the cursor may pass the page.
      const end = page.items.reduce<ChangeCursor | undefined>((m, r) => laterCursor(m, normalized(source.positionOf(r))), undefined);
      if (end !== undefined && (this.cursor === undefined || cursorAfter(end, this.cursor))) {
        // In memory first: a store that cannot save it fails this run, but the next run goes on from here.
        this.cursor = end;
        await cursors.save(cursorId, end);
      }
      if (page.nextPageToken !== null && (page.items.length === 0 || page.nextPageToken === pageToken)) {
        throw new PermanentError(
          `${feed}: the change feed answered a next page token that does not advance (${page.items.length} items); stopping this run`,
          { errorClass: 'catchup.stuck-page-token' },
        );
      }
      pageToken = page.nextPageToken;
    } while (pageToken !== null);
    if (complete) {
      this.coveredUntil = startedAt.getTime();
      this.metrics.lastSuccess.set({ feed }, startedAt.getTime() / 1000);
    }
    const report: CatchUpReport = {
      runId,
      trigger,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      updatedSince: updatedSince.toISOString(),
      pages,
      records,
      eventsPublished,
      complete,
      cursor: this.cursor ?? null,
    };
    const log = eventsPublished > 0 ? this.setup.logger.info.bind(this.setup.logger) : this.setup.logger.debug.bind(this.setup.logger);
    log(eventsPublished > 0 ? 'catch-up published events whose webhooks never arrived' : 'catch-up run found nothing missing', {
      feed,
      run_id: runId,
      trigger,
      pages,
      records,
      events: eventsPublished,
      cursor: report.cursor,
    });
    return report;
  }

  private lagSeconds(): number | undefined {
    const cursorMs = this.cursor === undefined ? undefined : Date.parse(this.cursor.updatedAt);
    const covered = Math.max(cursorMs ?? Number.NEGATIVE_INFINITY, this.coveredUntil ?? Number.NEGATIVE_INFINITY);
    return Number.isFinite(covered) ? Math.max(0, (Date.now() - covered) / 1000) : undefined;
  }
}

function normalized(p: ChangeCursor): ChangeCursor {
  return { updatedAt: new Date(p.updatedAt).toISOString(), id: p.id };
}
