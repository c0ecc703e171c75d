// One subscription's deliveries in the instance that holds its lease: FIFO per
// order key (the message key), keys in parallel up to a limit, each failed head
// retried on the schedule while the other keys go on. The queue is durable in
// MongoDB (DeliveryStore); memory holds at most `maxItems`, and a backlog beyond
// that is read back from MongoDB as memory frees up.
import { setMaxListeners } from 'node:events';
import type { Logger } from '@odx/runtime';
import { signedHeaders } from './sign.js';
import type { AttemptWriter } from './attempt-writer.js';
import { attemptId, type AttemptOutcome, type DeliveryDoc, type DeliveryStore } from './delivery-store.js';
import type { AttemptResult, HttpSender } from './http-sender.js';
import { nextAttempt, verdictOf } from './retry-schedule.js';
import type { WebhookMetrics } from './webhook-metrics.js';

/** What a lane needs of its subscription at the time of each attempt (a rotation applies to the next attempt). */
export interface LaneTarget {
  url: string;
  secrets: readonly string[];
  /** Failed attempts before this (the subscription was disabled, then enabled) do not count. */
  activeSince: Date;
}

export interface LaneItem {
  id: string;
  orderKey: string;
  seq: number;
  eventId: string;
  body: string;
  /** When a live event was queued, for the latency metric (undefined for reloaded, redelivered or recovered ones). */
  eventTimeMs: number | undefined;
  failures: number;
}

export type DisableReason = 'gone' | 'failing';

export interface LaneOptions {
  subscriptionId: string;
  /** Queue positions staged after this were staged while the lane existed. */
  takenAtSeq: number;
  target: () => LaneTarget | undefined;
  store: DeliveryStore;
  sender: HttpSender;
  attempts: AttemptWriter;
  logger: Logger;
  metrics: WebhookMetrics;
  schedule: readonly number[];
  /** Attempts in flight at once (different keys). */
  concurrency: number;
  /** Deliveries held in memory; more wait in MongoDB. */
  maxItems: number;
  /** The watermark stays this far behind now (deliveries another instance queued a moment ago are still found by a reload). */
  watermarkMarginMs: number;
  /** Lowest queue position staged in this process but not yet handed over (a crash before the hand-over must not lose it). */
  stagedMin: () => number | undefined;
  /** The receiver answered 410 or the retries ran out: the dispatcher disables the subscription. */
  onDisable: (reason: DisableReason, detail: string) => void;
  retentionMs: number;
}

/** Keeps the ids of the last finished deliveries, so a reload does not bring them back before their log entry is written. */
class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly max: number) {}
  add(id: string): void {
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
  }
  has(id: string): boolean {
    return this.ids.has(id);
  }
}

export function itemOf(d: DeliveryDoc, live: boolean): LaneItem {
  return {
    id: d._id,
    orderKey: d.orderKey,
    seq: d.seq,
    eventId: d.eventId,
    body: d.body,
    eventTimeMs: live ? d.createdAt.getTime() : undefined,
    failures: 0,
  };
}

export class Lane {
  private readonly queues = new Map<string, LaneItem[]>();
  private readonly ready = new Set<string>();
  private readonly busy = new Set<string>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly known = new Set<string>();
  private readonly recent = new RecentIds(100_000);
  private readonly abort = new AbortController();
  private inFlight = 0;
  private draining = false;
  private spillFrom: number | undefined;
  private loading: Promise<void> | undefined;
  private buffered: LaneItem[] | undefined;
  private readonly idle = new Set<() => void>();
  /** Whether deliveries are taken before their insert (see Dispatcher.handOver). */
  takesEarly = false;

  constructor(private readonly options: LaneOptions) {
    // Every attempt in flight listens to this signal (with its own deadline).
    setMaxListeners(0, this.abort.signal);
  }

  get takenAtSeq(): number {
    return this.options.takenAtSeq;
  }

  get size(): number {
    return this.known.size;
  }

  get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  /** Deliveries of the subscription just queued in this process, in queue order. */
  accept(items: readonly LaneItem[]): void {
    if (this.stopped) return;
    if (this.buffered) {
      this.buffered.push(...items);
      return;
    }
    for (const item of items) this.add(item);
    this.pump();
  }

  /**
   * Reads the queue back from MongoDB from `fromSeq` (taking the lane over, a
   * backlog beyond memory, deliveries another instance queued). With
   * `history`, failed attempts already made count towards the schedule.
   */
  reload(fromSeq: number, o: { history: boolean; limit?: number }): Promise<void> {
    if (this.loading || this.stopped) return this.loading ?? Promise.resolve();
    const limit = o.limit ?? Math.max(1, Math.floor(this.options.maxItems / 2));
    this.buffered = [];
    this.loading = (async () => {
      try {
        const docs = await this.options.store.fromSeq(this.options.subscriptionId, fromSeq, limit);
        const candidates = docs.filter((d) => !this.known.has(d._id) && !this.recent.has(d._id));
        const delivered = await this.options.store.deliveredAmong(candidates.map((d) => d._id));
        const fresh = candidates.filter((d) => !delivered.has(d._id));
        const failedAt = new Map<string, { failures: number; last: number }>();
        if (o.history && fresh.length > 0) {
          const since = this.options.target()?.activeSince.getTime() ?? 0;
          for (const a of await this.options.store.attemptsOf(fresh.map((d) => d._id))) {
            if (a.outcome === 'delivered' || a.at.getTime() < since) continue;
            const f = failedAt.get(a.deliveryId) ?? { failures: 0, last: 0 };
            failedAt.set(a.deliveryId, { failures: f.failures + 1, last: Math.max(f.last, a.at.getTime()) });
          }
        }
        if (docs.length >= limit) this.spillFrom = Math.min(this.spillFrom ?? Infinity, docs[docs.length - 1]!.seq + 1);
        for (const d of fresh) {
          const item = itemOf(d, false);
          const history = failedAt.get(d._id);
          if (history) item.failures = history.failures;
          this.add(item);
          if (history && this.queues.get(item.orderKey)?.[0] === item) this.waitBeforeRetry(item, history.last);
        }
      } finally {
        const pending = this.buffered ?? [];
        this.buffered = undefined;
        this.loading = undefined;
        for (const item of pending) this.add(item);
        this.pump();
      }
    })();
    return this.loading;
  }

  private add(item: LaneItem): void {
    if (this.known.has(item.id) || this.recent.has(item.id)) return;
    if (this.known.size >= this.options.maxItems) {
      this.spillFrom = Math.min(this.spillFrom ?? Infinity, item.seq);
      return;
    }
    this.known.add(item.id);
    const queue = this.queues.get(item.orderKey);
    if (!queue) {
      this.queues.set(item.orderKey, [item]);
      if (!this.busy.has(item.orderKey) && !this.timers.has(item.orderKey)) this.ready.add(item.orderKey);
      return;
    }
    // Usually the newest: append. A reload may bring older ones: keep queue order, never before a head in flight.
    let at = queue.length;
    const floor = this.busy.has(item.orderKey) ? 1 : 0;
    while (at > floor && queue[at - 1]!.seq > item.seq) at--;
    queue.splice(at, 0, item);
  }

  private pump(): void {
    while (!this.stopped && !this.draining && this.inFlight < this.options.concurrency && this.ready.size > 0) {
      const key = this.ready.values().next().value as string;
      this.ready.delete(key);
      const head = this.queues.get(key)?.[0];
      if (!head) continue;
      this.busy.add(key);
      this.inFlight++;
      void this.attempt(key, head);
    }
    this.options.metrics.pending.set({ subscription: this.options.subscriptionId }, this.known.size);
    if (this.inFlight === 0) for (const resolve of this.idle) resolve();
  }

  private async attempt(key: string, item: LaneItem): Promise<void> {
    let result: AttemptResult;
    const target = this.options.target();
    if (!target) result = { status: undefined, error: 'subscription not active', durationMs: 0, refused: false };
    else {
      const headers = signedHeaders(target.secrets, item.eventId, item.body);
      result = await this.options.sender.send(target.url, headers, item.body, this.abort.signal);
    }
    this.inFlight--;
    this.busy.delete(key);
    if (this.stopped || !target) return this.pump();
    const verdict = result.refused ? 'retry' : verdictOf(result.status);
    const outcome: AttemptOutcome = verdict === 'delivered' ? 'delivered' : verdict === 'gone' ? 'gone' : 'failed';
    const now = Date.now();
    this.options.attempts.add({
      _id: attemptId(item.id, item.failures + 1, outcome),
      deliveryId: item.id,
      subscriptionId: this.options.subscriptionId,
      n: item.failures + 1,
      at: new Date(now),
      outcome,
      status: result.status ?? null,
      error: result.error ?? null,
      durationMs: result.durationMs,
      expiresAt: new Date(now + this.options.retentionMs),
    });
    this.options.metrics.attempts.inc({ subscription: this.options.subscriptionId, outcome });
    this.options.metrics.attemptSeconds.observe(result.durationMs / 1000);
    if (verdict === 'delivered') {
      if (item.eventTimeMs !== undefined && item.failures === 0)
        this.options.metrics.deliveryLatency.observe((now - item.eventTimeMs) / 1000);
      this.finish(key, item);
    } else if (verdict === 'gone') {
      this.options.onDisable('gone', `the receiver answered 410 Gone for delivery ${item.id}`);
    } else {
      item.failures++;
      this.waitBeforeRetry(item, now);
    }
    this.pump();
    if (this.spillFrom !== undefined && this.known.size < this.options.maxItems / 2 && !this.loading) {
      const from = this.spillFrom;
      this.spillFrom = undefined;
      void this.reload(from, { history: false }).catch((err: unknown) => {
        this.spillFrom = Math.min(this.spillFrom ?? Infinity, from);
        this.options.logger.warn('reading the webhook backlog failed; trying again later', {
          subscription: this.options.subscriptionId,
          err,
        });
      });
    }
  }

  private finish(key: string, item: LaneItem): void {
    const queue = this.queues.get(key);
    if (queue?.[0] === item) queue.shift();
    this.known.delete(item.id);
    this.recent.add(item.id);
    if (queue && queue.length > 0) this.ready.add(key);
    else this.queues.delete(key);
  }

  /** Holds the item's key until its next attempt is due (from `lastFailureMs`), or disables the subscription when the schedule is used up. */
  private waitBeforeRetry(item: LaneItem, lastFailureMs: number): void {
    const next = nextAttempt(this.options.schedule, item.failures);
    if (next.type === 'give-up') {
      this.options.onDisable('failing', `delivery ${item.id} failed ${item.failures} times, the whole retry schedule`);
      return;
    }
    const key = item.orderKey;
    this.ready.delete(key);
    const delay = Math.max(0, lastFailureMs + next.delayMs - Date.now());
    const timer = setTimeout(() => {
      this.timers.delete(key);
      if (this.queues.has(key) && !this.busy.has(key)) this.ready.add(key);
      this.pump();
    }, delay);
    timer.unref();
    this.timers.set(key, timer);
  }

  /** When a key waits before its next attempt: its head's id and failures (the API shows them). */
  pendingInfo(deliveryId: string): { failures: number; inMemory: boolean } | undefined {
    if (!this.known.has(deliveryId)) return undefined;
    for (const q of this.queues.values()) {
      const item = q.find((i) => i.id === deliveryId);
      if (item) return { failures: item.failures, inMemory: true };
    }
    return undefined;
  }

  /** Lowest queue position not finished: everything below is delivered (or its subscription was disabled while it waited, and it waits still). */
  watermark(now = Date.now()): number {
    let low = (now - this.options.watermarkMarginMs) * 1000;
    for (const q of this.queues.values()) if (q[0] && q[0].seq < low) low = q[0].seq;
    if (this.spillFrom !== undefined && this.spillFrom < low) low = this.spillFrom;
    const staged = this.options.stagedMin();
    if (staged !== undefined && staged < low) low = staged;
    return Math.floor(low);
  }

  /** Resolves when no attempt is in flight. */
  settled(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.idle.delete(done);
        resolve();
      };
      this.idle.add(done);
    });
  }

  /** Starts no new attempt and waits up to `timeoutMs` for those in flight to finish (and be logged). */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.settled(), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Stops attempting (attempts still in flight are cut off and not logged; they are still pending in MongoDB). */
  stop(): void {
    this.abort.abort();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.ready.clear();
    this.options.metrics.pending.remove({ subscription: this.options.subscriptionId });
  }
}
