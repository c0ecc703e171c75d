import type { FaultController } from './faults.js';
import { randomId } from './ids.js';
import { TimerSet } from './timers.js';
import { signWebhook } from './webhook-signature.js';

/** Retry policy of webhook deliveries: exponential backoff, as Stripe or Shopify retry. */
export interface DeliveryPolicy {
  /** Attempts including the first. */
  maxAttempts: number;
  /** Wait before the second attempt; doubles for each later one. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** An attempt without an answer within this time counts as failed. */
  timeoutMs: number;
}

export interface WebhookSubscription {
  id: string;
  url: string;
  /** Event types, `*` for all, or a prefix such as `order.*`. */
  events: string[];
  createdAt: string;
}

export interface SubscriptionInput {
  url: string;
  events?: string[] | undefined;
  /** Signing secret; the simulator's default secret when omitted. */
  secret?: string | undefined;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  /** The `webhook-timestamp` this attempt was signed with. */
  webhookTimestamp: number;
  /** HTTP status the receiver answered, null when it did not answer. */
  status: number | null;
  error: string | null;
  durationMs: number;
}

export type DeliveryStatus = 'scheduled' | 'succeeded' | 'failed' | 'cancelled';

/** One message on its way to one subscription, with every attempt made. */
export interface WebhookDelivery {
  deliveryId: string;
  /** The `webhook-id` header: the same for retries, duplicates and replays of one message. */
  webhookId: string;
  eventType: string;
  subscriptionId: string;
  url: string;
  status: DeliveryStatus;
  /** Set when the simulator injected this delivery on purpose. */
  injected: 'duplicate' | 'replay' | null;
  /** True when the out-of-order window changed this delivery's position. */
  reordered: boolean;
  createdAt: string;
  maxAttempts: number;
  nextAttemptAt: string | null;
  attempts: DeliveryAttempt[];
  payload: unknown;
}

interface DeliveryState extends Omit<WebhookDelivery, 'payload'> {
  body: string;
  secret: string;
  /** Replays keep an old timestamp instead of signing each attempt with now. */
  fixedTimestamp: number | null;
}

interface SubscriptionState extends WebhookSubscription {
  secret: string;
}

export interface DeliveryFilter {
  eventType?: string | undefined;
  status?: DeliveryStatus | undefined;
  webhookId?: string | undefined;
  subscriptionId?: string | undefined;
  limit?: number | undefined;
}

export interface WebhookDispatcherOptions {
  /** Sent as User-Agent, e.g. `odx-sim-wms/0.1`. */
  userAgent: string;
  defaultSecret: string;
  policy: DeliveryPolicy;
  faults: FaultController;
  subscriptions: SubscriptionInput[];
  /** Oldest finished deliveries are forgotten beyond this many. */
  maxLogSize: number;
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) return `${err.message}: ${(cause as Error & { code?: string }).code ?? cause.message}`;
    return err.message;
  }
  return String(err);
}

function eventMatches(patterns: readonly string[], type: string): boolean {
  return patterns.some((p) => p === '*' || p === type || (p.endsWith('.*') && type.startsWith(p.slice(0, -1))));
}

/**
 * Sends signed webhooks (Standard Webhooks headers) to the subscriptions,
 * retries failures with exponential backoff, keeps a delivery log, and
 * applies the webhook faults (duplicates, out-of-order, replays).
 */
export class WebhookDispatcher {
  readonly #opts: WebhookDispatcherOptions;
  readonly #timers = new TimerSet();
  readonly #inflight = new Set<AbortController>();
  #subscriptions: SubscriptionState[] = [];
  #log: DeliveryState[] = [];
  #held: DeliveryState[] = [];
  #flushScheduled = false;
  #pending = 0;
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#opts = options;
    for (const s of options.subscriptions) this.subscribe(s);
  }

  subscribe(input: SubscriptionInput): WebhookSubscription {
    const sub: SubscriptionState = {
      id: randomId('sub'),
      url: input.url,
      events: input.events && input.events.length > 0 ? [...input.events] : ['*'],
      secret: input.secret ?? this.#opts.defaultSecret,
      createdAt: new Date().toISOString(),
    };
    this.#subscriptions.push(sub);
    return publicSubscription(sub);
  }

  unsubscribe(id: string): boolean {
    const before = this.#subscriptions.length;
    this.#subscriptions = this.#subscriptions.filter((s) => s.id !== id);
    return this.#subscriptions.length < before;
  }

  /** Replaces every subscription. */
  setSubscriptions(inputs: SubscriptionInput[]): WebhookSubscription[] {
    this.#subscriptions = [];
    return inputs.map((i) => this.subscribe(i));
  }

  subscriptions(): WebhookSubscription[] {
    return this.#subscriptions.map(publicSubscription);
  }

  /** Queues one message per matching subscription; returns the deliveries created. */
  publish(eventType: string, data: unknown): WebhookDelivery[] {
    if (this.#closed) return [];
    const webhookId = randomId('msg');
    const body = JSON.stringify({ type: eventType, timestamp: new Date().toISOString(), data });
    const { duplicateRate, duplicateDelayMs, outOfOrderWindowMs } = this.#opts.faults.config.webhooks;
    const created: DeliveryState[] = [];
    for (const sub of this.#subscriptions) {
      if (!eventMatches(sub.events, eventType)) continue;
      const delivery = this.#create(sub, webhookId, eventType, body, null, null);
      created.push(delivery);
      if (outOfOrderWindowMs > 0) this.#hold(delivery, outOfOrderWindowMs);
      else void this.#attempt(delivery);
      if (duplicateRate > 0 && this.#opts.faults.random() < duplicateRate) {
        const duplicate = this.#create(sub, webhookId, eventType, body, 'duplicate', null);
        this.#opts.faults.count('webhookDuplicates');
        if (outOfOrderWindowMs > 0) this.#hold(duplicate, outOfOrderWindowMs);
        else this.#timers.after(duplicateDelayMs, () => void this.#attempt(duplicate));
      }
    }
    return created.map(publicDelivery);
  }

  /**
   * Sends a past delivery again with the same webhook-id and body, one
   * attempt only, signed with its original first timestamp, or with a
   * timestamp `ageSeconds` in the past when given.
   */
  replay(id: string, ageSeconds?: number): WebhookDelivery | undefined {
    const original = this.#log.find((d) => d.deliveryId === id) ?? this.#log.find((d) => d.webhookId === id);
    if (original === undefined || this.#closed) return undefined;
    const firstTimestamp = original.attempts[0]?.webhookTimestamp ?? Math.floor(Date.now() / 1000);
    const timestamp = ageSeconds === undefined ? firstTimestamp : Math.floor(Date.now() / 1000) - ageSeconds;
    const sub: SubscriptionState = { id: original.subscriptionId, url: original.url, secret: original.secret, events: ['*'], createdAt: original.createdAt };
    const replay = this.#create(sub, original.webhookId, original.eventType, original.body, 'replay', timestamp);
    replay.maxAttempts = 1;
    this.#opts.faults.count('webhookReplays');
    void this.#attempt(replay);
    return publicDelivery(replay);
  }

  deliveries(filter: DeliveryFilter = {}): WebhookDelivery[] {
    const matching = this.#log.filter(
      (d) =>
        (filter.eventType === undefined || d.eventType === filter.eventType) &&
        (filter.status === undefined || d.status === filter.status) &&
        (filter.webhookId === undefined || d.webhookId === filter.webhookId) &&
        (filter.subscriptionId === undefined || d.subscriptionId === filter.subscriptionId),
    );
    const limited = filter.limit === undefined ? matching : matching.slice(-filter.limit);
    return limited.map(publicDelivery);
  }

  delivery(deliveryId: string): WebhookDelivery | undefined {
    const d = this.#log.find((x) => x.deliveryId === deliveryId);
    return d === undefined ? undefined : publicDelivery(d);
  }

  /** Resolves once no delivery is scheduled, held or in flight. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Cancels pending deliveries, clears the log, restores the initial subscriptions. */
  reset(): void {
    this.#cancelAll();
    this.#log = [];
    this.#subscriptions = [];
    for (const s of this.#opts.subscriptions) this.subscribe(s);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#cancelAll();
  }

  #cancelAll(): void {
    this.#timers.clear();
    this.#flushScheduled = false;
    this.#held = [];
    for (const c of this.#inflight) c.abort(new Error('simulator closing'));
    for (const d of this.#log) if (d.status === 'scheduled') this.#finish(d, 'cancelled');
  }

  #create(sub: SubscriptionState, webhookId: string, eventType: string, body: string, injected: WebhookDelivery['injected'], fixedTimestamp: number | null): DeliveryState {
    const d: DeliveryState = {
      deliveryId: randomId('dlv'),
      webhookId,
      eventType,
      subscriptionId: sub.id,
      url: sub.url,
      status: 'scheduled',
      injected,
      reordered: false,
      createdAt: new Date().toISOString(),
      maxAttempts: this.#opts.policy.maxAttempts,
      nextAttemptAt: new Date().toISOString(),
      attempts: [],
      body,
      secret: sub.secret,
      fixedTimestamp,
    };
    this.#log.push(d);
    this.#pending += 1;
    this.#trimLog();
    return d;
  }

  #hold(delivery: DeliveryState, windowMs: number): void {
    this.#held.push(delivery);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    this.#timers.after(windowMs, () => {
      this.#flushScheduled = false;
      const batch = this.#held.reverse();
      this.#held = [];
      if (batch.length > 1) {
        for (const d of batch) d.reordered = true;
        this.#opts.faults.count('webhookReordered');
      }
      for (const d of batch) void this.#attempt(d);
    });
  }

  async #attempt(d: DeliveryState): Promise<void> {
    if (this.#closed || d.status !== 'scheduled') return;
    const { timeoutMs, initialDelayMs, maxDelayMs } = this.#opts.policy;
    const attempt = d.attempts.length + 1;
    const webhookTimestamp = d.fixedTimestamp ?? Math.floor(Date.now() / 1000);
    const controller = new AbortController();
    this.#inflight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    const started = Date.now();
    d.nextAttemptAt = null;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': this.#opts.userAgent,
          'webhook-id': d.webhookId,
          'webhook-timestamp': String(webhookTimestamp),
          'webhook-signature': signWebhook(d.secret, d.webhookId, webhookTimestamp, d.body),
        },
        body: d.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (err) {
      error = controller.signal.aborted ? describeError(controller.signal.reason) : describeError(err);
    } finally {
      clearTimeout(timer);
      this.#inflight.delete(controller);
    }
    d.attempts.push({ attempt, at: new Date(started).toISOString(), webhookTimestamp, status, error, durationMs: Date.now() - started });
    if (d.status !== 'scheduled') return; // cancelled while in flight
    if (status !== null && status >= 200 && status < 300) {
      this.#finish(d, 'succeeded');
    } else if (attempt >= d.maxAttempts || this.#closed) {
      this.#finish(d, this.#closed ? 'cancelled' : 'failed');
    } else {
      const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (attempt - 1));
      d.nextAttemptAt = new Date(Date.now() + delay).toISOString();
      this.#timers.after(delay, () => void this.#attempt(d));
    }
  }

  #finish(d: DeliveryState, status: Exclude<DeliveryStatus, 'scheduled'>): void {
    d.status = status;
    d.nextAttemptAt = null;
    this.#pending -= 1;
    if (this.#pending === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  #trimLog(): void {
    const excess = this.#log.length - this.#opts.maxLogSize;
    if (excess <= 0) return;
    const dropped = new Set<DeliveryState>();
    for (const d of this.#log) {
      if (dropped.size >= excess) break;
      if (d.status !== 'scheduled') dropped.add(d);
    }
    this.#log = this.#log.filter((d) => !dropped.has(d));
  }
}

function publicSubscription(s: SubscriptionState): WebhookSubscription {
  return { id: s.id, url: s.url, events: [...s.events], createdAt: s.createdAt };
}

function publicDelivery(d: DeliveryState): WebhookDelivery {
  return {
    deliveryId: d.deliveryId,
    webhookId: d.webhookId,
    eventType: d.eventType,
    subscriptionId: d.subscriptionId,
    url: d.url,
    status: d.status,
    injected: d.injected,
    reordered: d.reordered,
    createdAt: d.createdAt,
    maxAttempts: d.maxAttempts,
    nextAttemptAt: d.nextAttemptAt,
    attempts: d.attempts.map((a) => ({ ...a })),
    payload: JSON.parse(d.body) as unknown,
  };
}
