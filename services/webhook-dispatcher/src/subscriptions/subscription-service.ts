// What people do with subscriptions through the API and `odx webhooks`: every
// change is checked (SSRF guard on the URL), stored, and audited before it is answered.
import { randomUUID } from 'node:crypto';
import { canonicalEventOf, readRanges, type ClusterAdmin, type EventSerde, type Principal } from '@odx/runtime';
import type { AuditLog } from '../audit/audit-log.js';
import { deliveriesFor } from '../delivery/event-intake.js';
import type { AttemptDoc, DeliveryDoc, DeliveryStore, Sequence } from '../delivery/delivery-store.js';
import type { AttemptResult, HttpSender } from '../delivery/http-sender.js';
import { generateSecret, signedHeaders } from '../delivery/sign.js';
import { checkTarget, TargetRefused } from '../delivery/ssrf-guard.js';
import { Conflict, NotFound, Unprocessable } from '../errors.js';
import { compileFilter } from './subscription-filter.js';
import type { SubscriptionRegistry } from './subscription-registry.js';
import type { SubscriptionStore } from './subscription-store.js';
import {
  storedEventTypes,
  viewOf,
  type CreateSubscription,
  type SubscriptionDoc,
  type SubscriptionView,
  type UpdateSubscription,
} from './subscription.js';

export interface SubscriptionServiceOptions {
  store: SubscriptionStore;
  registry: SubscriptionRegistry;
  deliveries: DeliveryStore;
  audit: AuditLog;
  sender: HttpSender;
  cluster: ClusterAdmin;
  serde: EventSerde;
  seq: Sequence;
  topics: readonly string[];
  allowPrivateTargets: boolean;
  retentionMs: number;
  recoverMax: number;
  /** Group ids of recovery reads start with this: under the dispatcher's own group id, which its Kafka ACL covers. */
  readerGroupPrefix: string;
  /** New deliveries (redelivery, recovery) for the lanes. */
  handOver: (docs: DeliveryDoc[]) => void;
}

export interface DeliveryView {
  id: string;
  eventId: string;
  eventType: string;
  key: string | null;
  origin: string;
  topic: string;
  partition: number;
  offset: string;
  queuedAt: Date;
  status: 'delivered' | 'pending';
  attempts: Array<{ n: number; at: Date; outcome: string; status: number | null; error: string | null; durationMs: number }>;
}

function actorOf(p: Principal): { actor: string; role: string } {
  return { actor: p.subject, role: p.role };
}

export class SubscriptionService {
  constructor(private readonly options: SubscriptionServiceOptions) {}

  private async checkUrl(url: string): Promise<void> {
    try {
      await checkTarget(url, { allowPrivate: this.options.allowPrivateTargets });
    } catch (err) {
      if (err instanceof TargetRefused) throw new Unprocessable(err.message);
      throw err;
    }
  }

  async require(id: string): Promise<SubscriptionDoc> {
    const doc = await this.options.store.get(id);
    if (!doc) throw new NotFound('subscription', id);
    return doc;
  }

  /** Creates an active subscription; answers the secret once (generated when none was given). */
  async create(req: CreateSubscription, who: Principal): Promise<{ subscription: SubscriptionView; secret: string }> {
    await this.checkUrl(req.url);
    const now = new Date();
    const secret = req.secret ?? generateSecret();
    const doc: SubscriptionDoc = {
      _id: randomUUID(),
      name: req.name,
      url: req.url,
      eventTypes: storedEventTypes(req.eventTypes),
      ...(req.keys ? { keys: [...new Set(req.keys)] } : {}),
      ...(req.field ? { field: { path: req.field.path, in: [...new Set(req.field.in)] } } : {}),
      secrets: [{ id: randomUUID().slice(0, 8), secret, createdAt: now }],
      status: 'active',
      disabledReason: null,
      disabledAt: null,
      activeSince: now,
      createdAt: now,
      updatedAt: now,
      createdBy: who.subject,
    };
    await this.options.store.insert(doc);
    await this.options.audit.record({
      ...actorOf(who),
      action: 'subscription.create',
      target: doc._id,
      outcome: 'ok',
      details: { name: doc.name, url: doc.url, eventTypes: doc.eventTypes, keys: doc.keys?.length ?? 0, field: doc.field?.path ?? null },
    });
    await this.options.registry.refresh();
    return { subscription: viewOf(doc), secret };
  }

  async list(): Promise<SubscriptionView[]> {
    return (await this.options.store.list()).map(viewOf);
  }

  async get(id: string): Promise<SubscriptionView> {
    return viewOf(await this.require(id));
  }

  async update(id: string, req: UpdateSubscription, who: Principal): Promise<SubscriptionView> {
    const doc = await this.require(id);
    if (req.url !== undefined) await this.checkUrl(req.url);
    const next: SubscriptionDoc = {
      ...doc,
      ...(req.name !== undefined ? { name: req.name } : {}),
      ...(req.url !== undefined ? { url: req.url } : {}),
      ...(req.eventTypes !== undefined ? { eventTypes: storedEventTypes(req.eventTypes) } : {}),
      updatedAt: new Date(),
    };
    if (req.keys === null) delete next.keys;
    else if (req.keys !== undefined) next.keys = [...new Set(req.keys)];
    if (req.field === null) delete next.field;
    else if (req.field !== undefined) next.field = { path: req.field.path, in: [...new Set(req.field.in)] };
    await this.options.store.replace(next);
    await this.options.audit.record({
      ...actorOf(who),
      action: 'subscription.update',
      target: id,
      outcome: 'ok',
      details: { changed: Object.keys(req) },
    });
    await this.options.registry.refresh();
    return viewOf(next);
  }

  async setEnabled(
    id: string,
    enabled: boolean,
    who: Principal,
    reason?: string,
  ): Promise<{ subscription: SubscriptionView; changed: boolean }> {
    await this.require(id);
    const changed = await this.options.registry.setStatus(
      id,
      enabled ? 'active' : 'disabled',
      enabled ? null : `by ${who.subject}${reason ? `: ${reason}` : ''}`,
    );
    await this.options.audit.record({
      ...actorOf(who),
      action: enabled ? 'subscription.enable' : 'subscription.disable',
      target: id,
      outcome: 'ok',
      details: { changed, ...(reason ? { reason } : {}) },
    });
    return { subscription: await this.get(id), changed };
  }

  /** Rotation: adds a second secret (both sign until the old one is removed). */
  async addSecret(
    id: string,
    given: string | undefined,
    who: Principal,
  ): Promise<{ subscription: SubscriptionView; secretId: string; secret: string }> {
    const doc = await this.require(id);
    if (doc.secrets.length >= 2) {
      await this.options.audit.record({
        ...actorOf(who),
        action: 'secret.add',
        target: id,
        outcome: 'refused',
        details: { reason: 'two secrets already' },
      });
      throw new Conflict('the subscription has two secrets already: remove the old one first');
    }
    const secret = given ?? generateSecret();
    const secretId = randomUUID().slice(0, 8);
    const next: SubscriptionDoc = {
      ...doc,
      secrets: [...doc.secrets, { id: secretId, secret, createdAt: new Date() }],
      updatedAt: new Date(),
    };
    await this.options.store.replace(next);
    await this.options.audit.record({ ...actorOf(who), action: 'secret.add', target: id, outcome: 'ok', details: { secretId } });
    await this.options.registry.refresh();
    return { subscription: viewOf(next), secretId, secret };
  }

  async removeSecret(id: string, secretId: string, who: Principal): Promise<SubscriptionView> {
    const doc = await this.require(id);
    if (!doc.secrets.some((s) => s.id === secretId)) throw new NotFound('secret', secretId);
    if (doc.secrets.length === 1) {
      await this.options.audit.record({
        ...actorOf(who),
        action: 'secret.remove',
        target: id,
        outcome: 'refused',
        details: { secretId, reason: 'last secret' },
      });
      throw new Conflict('a subscription keeps at least one secret: add the new one before removing this');
    }
    const next: SubscriptionDoc = { ...doc, secrets: doc.secrets.filter((s) => s.id !== secretId), updatedAt: new Date() };
    await this.options.store.replace(next);
    await this.options.audit.record({ ...actorOf(who), action: 'secret.remove', target: id, outcome: 'ok', details: { secretId } });
    await this.options.registry.refresh();
    return viewOf(next);
  }

  /** Sends one signed test event now (not queued, not retried) and answers what the receiver said. */
  async test(id: string, who: Principal): Promise<{ webhookId: string; delivered: boolean } & AttemptResult> {
    const doc = await this.require(id);
    await this.checkUrl(doc.url);
    const webhookId = randomUUID();
    const body = JSON.stringify({
      specversion: '1.0',
      id: webhookId,
      source: 'odx/webhook-dispatcher',
      type: 'com.odx.webhooks.Test',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: { subscriptionId: id, name: doc.name, by: who.subject },
    });
    const result = await this.options.sender.send(
      doc.url,
      signedHeaders(
        doc.secrets.map((s) => s.secret),
        webhookId,
        body,
      ),
      body,
    );
    const delivered = result.status !== undefined && result.status >= 200 && result.status < 300;
    await this.options.audit.record({
      ...actorOf(who),
      action: 'subscription.test',
      target: id,
      outcome: 'ok',
      details: { webhookId, status: result.status ?? null, delivered },
    });
    return { webhookId, delivered, ...result };
  }

  /** The delivery log of a subscription, newest first, with attempts. */
  async deliveries(id: string, limit: number, beforeSeq?: number): Promise<{ deliveries: DeliveryView[]; nextBefore: number | null }> {
    await this.require(id);
    const docs = await this.options.deliveries.listDeliveries(id, limit, beforeSeq);
    const attempts = await this.options.deliveries.attemptsOf(docs.map((d) => d._id));
    const byDelivery = new Map<string, typeof attempts>();
    for (const a of attempts) byDelivery.set(a.deliveryId, [...(byDelivery.get(a.deliveryId) ?? []), a]);
    const views = docs.map((d) => viewOfDelivery(d, byDelivery.get(d._id) ?? []));
    return { deliveries: views, nextBefore: docs.length === limit ? docs[docs.length - 1]!.seq : null };
  }

  async delivery(id: string): Promise<DeliveryView> {
    const d = await this.options.deliveries.getDelivery(id);
    if (!d) throw new NotFound('delivery', id);
    return viewOfDelivery(d, await this.options.deliveries.attemptsOf([id]));
  }

  /** Queues one delivery again (a copy at the end of the queue, same webhook-id). */
  async redeliver(deliveryId: string, who: Principal): Promise<DeliveryView> {
    const d = await this.options.deliveries.getDelivery(deliveryId);
    if (!d) throw new NotFound('delivery', deliveryId);
    const sub = await this.require(d.subscriptionId);
    if (sub.status !== 'active') throw new Conflict(`subscription ${sub._id} is disabled: enable it first`);
    const now = Date.now();
    const base = d._id.split('~')[0]!;
    const copy: DeliveryDoc = {
      ...d,
      _id: `${base}~r${randomUUID().slice(0, 8)}`,
      seq: this.options.seq.next(now),
      origin: 'redelivery',
      createdAt: new Date(now),
      expiresAt: new Date(now + this.options.retentionMs),
    };
    await this.options.deliveries.queue([copy]);
    await this.options.audit.record({
      ...actorOf(who),
      action: 'delivery.redeliver',
      target: deliveryId,
      outcome: 'ok',
      details: { copy: copy._id },
    });
    this.options.handOver([copy]);
    return viewOfDelivery(copy, []);
  }

  /**
   * Re-delivers every event matching the subscription since `since` (and before
   * `until`): the topics are read from the offsets of that time. A dry run only
   * counts. At most `recoverMax` events are queued (422 beyond).
   */
  async recover(
    id: string,
    req: { since: Date; until?: Date | undefined; execute: boolean },
    who: Principal,
  ): Promise<{ dryRun: boolean; scanned: number; matched: number; queued: number; recoveryId: string | null }> {
    const sub = await this.require(id);
    if (req.execute && sub.status !== 'active') throw new Conflict(`subscription ${id} is disabled: enable it first`);
    const sinceMs = req.since.getTime();
    const untilMs = req.until?.getTime() ?? Date.now();
    const matcher = { id, doc: sub, matches: compileFilter(sub) };
    const recoveryId = randomUUID().slice(0, 8);
    let scanned = 0;
    const found: DeliveryDoc[] = [];
    let tooMany = false;
    for (const topic of this.options.topics) {
      const [start, end] = await Promise.all([this.options.cluster.offsetsAtTime(topic, sinceMs), this.options.cluster.watermarks(topic)]);
      const ranges = [...start].map(([partition, from]) => ({ topic, partition, from, to: BigInt(end.get(partition)?.high ?? from) }));
      await readRanges(this.options.cluster, {
        ranges,
        groupPrefix: this.options.readerGroupPrefix,
        onBatch: async (batch) => {
          for (const m of batch.messages) {
            if (m.timestamp >= untilMs) continue;
            scanned++;
            const decoded = await this.options.serde.decode(m.value).catch(() => undefined);
            const event = decoded ? canonicalEventOf(decoded) : undefined;
            if (!decoded || !event) continue;
            const key = m.key?.toString('utf8') ?? null;
            if (!matcher.matches({ eventType: event.eventType, key, payload: event.payload })) continue;
            const eventId = m.headers['ce_id'] ?? event.payload.meta.eventId;
            found.push(
              ...deliveriesFor(
                {
                  eventId,
                  eventType: event.eventType,
                  fullName: decoded.fullName,
                  topic,
                  key,
                  headers: m.headers,
                  payload: event.payload,
                  partition: batch.partition,
                  offset: m.offset,
                },
                [matcher],
                { seq: this.options.seq, retentionMs: this.options.retentionMs, origin: 'recovery', idSuffix: `~v${recoveryId}` },
              ),
            );
            if (found.length > this.options.recoverMax) {
              tooMany = true;
              return false;
            }
          }
          return true;
        },
      });
      if (tooMany) break;
    }
    if (tooMany)
      throw new Unprocessable(
        `more than ${this.options.recoverMax} events match since ${req.since.toISOString()}: choose a later time or an until`,
      );
    if (!req.execute) return { dryRun: true, scanned, matched: found.length, queued: 0, recoveryId: null };
    // Queue order: by seq, which follows the read order within a partition (per key order kept).
    const queued = await this.options.deliveries.queue(found);
    await this.options.audit.record({
      ...actorOf(who),
      action: 'subscription.recover',
      target: id,
      outcome: 'ok',
      details: { since: req.since.toISOString(), until: req.until?.toISOString() ?? null, scanned, queued: queued.length, recoveryId },
    });
    this.options.handOver(queued);
    return { dryRun: false, scanned, matched: found.length, queued: queued.length, recoveryId };
  }
}

function viewOfDelivery(d: Omit<DeliveryDoc, 'body'>, attempts: readonly AttemptDoc[]): DeliveryView {
  return {
    id: d._id,
    eventId: d.eventId,
    eventType: d.eventType,
    key: d.key,
    origin: d.origin,
    topic: d.topic,
    partition: d.partition,
    offset: d.offset,
    queuedAt: d.createdAt,
    status: attempts.some((a) => a.outcome === 'delivered') ? 'delivered' : 'pending',
    attempts: attempts.map((a) => ({ n: a.n, at: a.at, outcome: a.outcome, status: a.status, error: a.error, durationMs: a.durationMs })),
  };
}
