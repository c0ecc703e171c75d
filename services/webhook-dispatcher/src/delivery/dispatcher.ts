// The lanes of this instance: which subscriptions it delivers (a lease per
// subscription in MongoDB), the hand-over of freshly queued deliveries, the
// periodic watermark save, and auto-disable.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage, type ClusterAdmin, type Logger } from '@odx/runtime';
import type { AuditLog } from '../audit/audit-log.js';
import type { SubscriptionRegistry } from '../subscriptions/subscription-registry.js';
import type { AttemptWriter } from './attempt-writer.js';
import type { DeliveryDoc, DeliveryStore } from './delivery-store.js';
import type { HttpSender } from './http-sender.js';
import { itemOf, Lane, type DisableReason } from './lane.js';
import type { WebhookMetrics } from './webhook-metrics.js';

export interface DispatcherOptions {
  instanceId: string;
  groupId: string;
  store: DeliveryStore;
  registry: SubscriptionRegistry;
  sender: HttpSender;
  attempts: AttemptWriter;
  audit: AuditLog;
  cluster: ClusterAdmin;
  logger: Logger;
  metrics: WebhookMetrics;
  stagedMin: () => number | undefined;
  retryScheduleMs: readonly number[];
  concurrency: number;
  memoryItems: number;
  leaseMs: number;
  pollMs: number;
  watermarkMarginMs: number;
  retentionMs: number;
}

export class Dispatcher {
  private readonly lanes = new Map<string, Lane>();
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private othersInGroup = false;
  private closing: Promise<void> | undefined;

  constructor(private readonly options: DispatcherOptions) {}

  /** Takes the leases it can get now, then keeps them (and takes free ones) every third of the lease. */
  async start(): Promise<void> {
    await this.options.store.init();
    await this.maintain();
    this.loops = [
      this.every(Math.max(250, Math.floor(this.options.leaseMs / 3)), () => this.maintain()),
      this.every(this.options.pollMs, () => this.poll()),
    ];
  }

  /**
   * Deliveries just staged (`early`: before their insert) or queued in this
   * instance; lanes this instance does not hold find them by reloading. A lane
   * takes early ones only once nothing staged before it was taken is still
   * waiting for its insert: those reach it at their insert (or by its first
   * reload), and an early later event of the same key must not overtake them.
   */
  handOver(docs: readonly DeliveryDoc[], early = false): void {
    const bySubscription = new Map<string, DeliveryDoc[]>();
    for (const d of docs) {
      const list = bySubscription.get(d.subscriptionId);
      if (list) list.push(d);
      else bySubscription.set(d.subscriptionId, [d]);
    }
    for (const [id, list] of bySubscription) {
      const lane = this.lanes.get(id);
      if (lane && early && !lane.takesEarly) {
        const staged = this.options.stagedMin();
        if (staged !== undefined && staged <= lane.takenAtSeq) continue;
        lane.takesEarly = true;
      }
      if (lane) lane.accept(list.sort((a, b) => a.seq - b.seq).map((d) => itemOf(d, d.origin === 'event')));
    }
  }

  /** The lane of a subscription when this instance holds it. */
  lane(subscriptionId: string): Lane | undefined {
    return this.lanes.get(subscriptionId);
  }

  private every(ms: number, fn: () => Promise<void>): Promise<void> {
    const signal = this.abort.signal;
    return (async () => {
      while (!signal.aborted) {
        await sleep(ms, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
        await fn().catch((err: unknown) => this.options.logger.warn('webhook lane upkeep failed', { err }));
      }
    })();
  }

  /** Saves watermarks and renews leases of held lanes, takes free ones, drops those of inactive subscriptions. */
  async maintain(): Promise<void> {
    await this.options.registry.refresh();
    await this.options.attempts.flush();
    const active = new Set(this.options.registry.active().map((s) => s.id));
    for (const [id, lane] of this.lanes) {
      if (!active.has(id)) {
        await this.dropLane(id, lane, true);
        continue;
      }
      const kept = await this.options.store.saveLane(id, this.options.instanceId, lane.watermark(), this.options.leaseMs);
      if (!kept) {
        this.options.logger.warn('webhook lane lease lost to another instance', { subscription: id });
        await this.dropLane(id, lane, false);
      }
    }
    for (const id of active) if (!this.lanes.has(id) && !this.abort.signal.aborted) await this.take(id);
  }

  private async take(subscriptionId: string): Promise<void> {
    const lease = await this.options.store.lease(subscriptionId, this.options.instanceId, this.options.leaseMs);
    if (!lease) return;
    const lane = new Lane({
      subscriptionId,
      takenAtSeq: Date.now() * 1000,
      target: () => this.options.registry.target(subscriptionId),
      store: this.options.store,
      sender: this.options.sender,
      attempts: this.options.attempts,
      logger: this.options.logger,
      metrics: this.options.metrics,
      schedule: this.options.retryScheduleMs,
      concurrency: this.options.concurrency,
      maxItems: this.options.memoryItems,
      watermarkMarginMs: this.options.watermarkMarginMs,
      stagedMin: this.options.stagedMin,
      retentionMs: this.options.retentionMs,
      onDisable: (reason, detail) => void this.autoDisable(subscriptionId, reason, detail),
    });
    this.lanes.set(subscriptionId, lane);
    this.options.logger.info('webhook lane taken', { subscription: subscriptionId, watermark: lease.watermark });
    await lane.reload(lease.watermark, { history: true, limit: this.options.memoryItems });
  }

  private async dropLane(id: string, lane: Lane, release: boolean): Promise<void> {
    this.lanes.delete(id);
    await lane.drain(1_000);
    lane.stop();
    await this.options.attempts.flush();
    if (release) await this.options.store.releaseLane(id, this.options.instanceId, lane.watermark()).catch(() => undefined);
  }

  /**
   * With other members in the consumer group, deliveries for lanes held here
   * are also queued there: read them back. Alone, every delivery was handed
   * over in-process and nothing is read.
   */
  private async poll(): Promise<void> {
    if (this.lanes.size === 0) return;
    try {
      const group = await this.options.cluster.describeGroup(this.options.groupId);
      this.othersInGroup = group.members.length > 1;
    } catch {
      this.othersInGroup = true;
    }
    if (!this.othersInGroup) return;
    for (const lane of this.lanes.values()) await lane.reload(lane.watermark(), { history: false });
  }

  /**
   * The notification of an auto-disable: a warn log line `webhook subscription
   * disabled`, the counter odx_webhook_subscriptions_disabled_total{reason}, and
   * an audit entry by `system`. Deliveries still queued stay queued: enabling
   * the subscription again delivers them.
   */
  private async autoDisable(subscriptionId: string, reason: DisableReason, detail: string): Promise<void> {
    const lane = this.lanes.get(subscriptionId);
    if (lane) {
      this.lanes.delete(subscriptionId);
      lane.stop();
    }
    try {
      const changed = await this.options.registry.setStatus(subscriptionId, 'disabled', `${reason}: ${detail}`);
      if (!changed) return;
      const sub = this.options.registry.get(subscriptionId);
      this.options.metrics.disabled.inc({ subscription: subscriptionId, reason });
      this.options.logger.warn('webhook subscription disabled', { subscription: subscriptionId, name: sub?.name, reason, detail });
      await this.options.audit.record({
        actor: 'system',
        role: 'system',
        action: 'subscription.auto-disable',
        target: subscriptionId,
        outcome: 'ok',
        details: { reason, detail },
      });
      await this.options.attempts.flush();
      if (lane) await this.options.store.releaseLane(subscriptionId, this.options.instanceId, lane.watermark());
    } catch (err) {
      this.options.logger.error('disabling a webhook subscription failed', {
        subscription: subscriptionId,
        reason,
        err: errorMessage(err),
      });
    }
  }

  /** Lets attempts in flight finish (a few seconds), writes the log and watermarks, and releases the leases. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.abort.abort();
      await Promise.all(this.loops);
      await Promise.all([...this.lanes.values()].map((l) => l.drain(5_000)));
      for (const lane of this.lanes.values()) lane.stop();
      await this.options.attempts.flush();
      for (const [id, lane] of this.lanes)
        await this.options.store.releaseLane(id, this.options.instanceId, lane.watermark()).catch(() => undefined);
      this.lanes.clear();
    })().catch((err: unknown) => {
      this.closing = undefined;
      throw err;
    });
    return this.closing;
  }
}
