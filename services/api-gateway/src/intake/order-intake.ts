// Order intake with an Idempotency-Key, safe under concurrent retries on any
// number of instances. Every step is a unique insert by `_id` (FerretDB has no
// atomic compare-and-set and answers only inserts from an index):
//   c:<partner>:<key>       the claim: the first request wins it (fingerprint, lease)
//   r:<partner>:<orderRef>  the order reference, so one orderRef is one order
//   a:<partner>:<key>       the stored outcome every repeat answers with
// The winner publishes OrderReceived with an event id derived from (partner,
// key), then stores the outcome. Repeats in the same process wait on the
// winner's promise; repeats elsewhere read the outcome by `_id` until it is
// there. A winner that crashed leaves a claim whose lease runs out; a repeat
// then takes over and publishes again under the same event id, which
// consumers drop as a duplicate.
import { setTimeout as sleep } from 'node:timers/promises';
import { InsertBatcher, deleteManyInBatches, findByIds, outgoingEvent, type BatchingPublisher } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { Partner } from '../keys/api-key.js';
import { IdempotencyKeyReused, IntakeInProgress, IntakeUnavailable } from './intake-errors.js';
import { apiOrderId, intakeEventId, mapOrderReceived } from './map-order.js';
import { bodyFingerprint } from './fingerprint.js';
import type { OrderAccepted, OrderRequest } from './order-request.js';

export const INTAKE_COLLECTION = 'api_gateway_intake';

/** What an intake decided; the route turns it into HTTP, the same way for the first answer and every repeat. */
export type IntakeOutcome = { kind: 'accepted'; order: OrderAccepted } | { kind: 'order-ref-taken'; orderRef: string };

export interface IntakeResult {
  outcome: IntakeOutcome;
  /** True when an earlier request with the same key decided it. */
  replayed: boolean;
}

interface ClaimDoc {
  _id: string;
  fp: string;
  receivedAt: Date;
  lease: Date;
  expiresAt: Date;
}
interface RefDoc {
  _id: string;
  key: string;
  eventId: string;
  receivedAt: Date;
  expiresAt: Date;
}
interface AnswerDoc {
  _id: string;
  fp: string;
  /** IntakeOutcome as JSON (strings only: nothing to revive). */
  outcome: string;
  expiresAt: Date;
}
type IntakeDoc = ClaimDoc | RefDoc | AnswerDoc;

export interface OrderIntakeOptions {
  db: Db;
  publisher: BatchingPublisher;
  ordersTopic: string;
  company: string;
  waitMs: number;
  leaseMs: number;
  retentionMs: number;
  /** How often a repeat on another instance looks for the stored outcome. @default 50 */
  pollMs?: number;
}

/** A received order as the status API shows it before any event about it was indexed. */
export interface ReceivedOrder {
  eventId: string;
  receivedAt: Date;
}

export class OrderIntake {
  readonly collection: Collection<IntakeDoc>;
  private readonly inserts: InsertBatcher<IntakeDoc>;
  /** Intakes this process is running, by `<partner>:<key>`: repeats here wait on them. */
  private readonly inflight = new Map<string, { fp: string; outcome: Promise<IntakeOutcome> }>();

  constructor(private readonly options: OrderIntakeOptions) {
    this.collection = options.db.collection<IntakeDoc>(INTAKE_COLLECTION);
    this.inserts = new InsertBatcher(this.collection);
  }

  /** Takes an order once per (partner, Idempotency-Key). Throws IdempotencyKeyReused, IntakeInProgress or IntakeUnavailable. */
  async submit(partner: Partner, key: string, request: OrderRequest): Promise<IntakeResult> {
    const fp = bodyFingerprint(request);
    const id = `${partner.partnerId}:${key}`;
    const deadline = Date.now() + this.options.waitMs;
    let inherited: Date | undefined;
    for (;;) {
      const local = this.inflight.get(id);
      if (local) {
        if (local.fp !== fp) throw new IdempotencyKeyReused(key);
        const outcome = await local.outcome.catch(() => undefined);
        if (outcome) return { outcome, replayed: true };
        continue; // the winner gave up: race for the key again
      }
      const now = new Date();
      const claim: ClaimDoc = {
        _id: `c:${id}`,
        fp,
        receivedAt: inherited ?? now,
        lease: new Date(now.getTime() + this.options.leaseMs),
        expiresAt: this.expiry(now),
      };
      if (await this.inserts.insert(claim).catch((err: unknown) => Promise.reject(new IntakeUnavailable(err))))
        return { outcome: await this.win(partner, key, request, claim), replayed: false };
      const [answer, held] = await this.read(id);
      if (answer) {
        if (answer.fp !== fp) throw new IdempotencyKeyReused(key);
        return { outcome: JSON.parse(answer.outcome) as IntakeOutcome, replayed: true };
      }
      if (!held) continue; // released a moment ago
      if (held.fp !== fp) throw new IdempotencyKeyReused(key);
      if (held.lease.getTime() < Date.now()) {
        // Its holder stopped without an answer: take over (same event id, so a second publish is dropped downstream).
        await this.collection.deleteOne({ _id: held._id, lease: held.lease });
        inherited = held.receivedAt;
        continue;
      }
      if (Date.now() >= deadline) throw new IntakeInProgress(key, 1);
      await sleep(this.options.pollMs ?? 50);
    }
  }

  /** The intake record of a partner's order (by its orderRef), for the status API before events arrive. */
  async received(partnerId: string, orderRef: string): Promise<ReceivedOrder | undefined> {
    const doc = (await this.collection.findOne({ _id: `r:${partnerId}:${orderRef}` })) as RefDoc | null;
    return doc ? { eventId: doc.eventId, receivedAt: doc.receivedAt } : undefined;
  }

  /** Deletes intake records past their retention, in bounded batches. */
  async sweepExpired(now = new Date()): Promise<void> {
    await deleteManyInBatches(this.collection, { expiresAt: { $lt: now } });
  }

  private expiry(now: Date): Date {
    return new Date(now.getTime() + this.options.retentionMs);
  }

  private async read(id: string): Promise<[AnswerDoc | undefined, ClaimDoc | undefined]> {
    const docs = await findByIds(this.collection, [`a:${id}`, `c:${id}`]);
    return [docs.find((d) => d._id === `a:${id}`) as AnswerDoc | undefined, docs.find((d) => d._id === `c:${id}`) as ClaimDoc | undefined];
  }

  private async win(partner: Partner, key: string, request: OrderRequest, claim: ClaimDoc): Promise<IntakeOutcome> {
    const id = `${partner.partnerId}:${key}`;
    let settle!: { resolve: (o: IntakeOutcome) => void; reject: (e: unknown) => void };
    const outcome = new Promise<IntakeOutcome>((resolve, reject) => (settle = { resolve, reject }));
    outcome.catch(() => undefined); // nobody may be waiting
    this.inflight.set(id, { fp: claim.fp, outcome });
    const eventId = intakeEventId(partner.partnerId, key);
    const ref: RefDoc = {
      _id: `r:${partner.partnerId}:${request.orderRef}`,
      key,
      eventId,
      receivedAt: claim.receivedAt,
      expiresAt: claim.expiresAt,
    };
    let refInserted = false;
    try {
      refInserted = await this.inserts.insert(ref);
      const owner = refInserted ? key : ((await this.collection.findOne({ _id: ref._id })) as RefDoc | null)?.key;
      let decided: IntakeOutcome;
      if (owner !== undefined && owner !== key) decided = { kind: 'order-ref-taken', orderRef: request.orderRef };
      else {
        const event = mapOrderReceived(request, {
          partner,
          idempotencyKey: key,
          receivedAt: claim.receivedAt,
          company: this.options.company,
        });
        const orderId = apiOrderId(partner.partnerId, request.orderRef);
        await this.options.publisher.publish(outgoingEvent('OrderReceived', orderId, event, { topic: this.options.ordersTopic }));
        decided = {
          kind: 'accepted',
          order: {
            orderId,
            orderRef: request.orderRef,
            status: 'received',
            eventId,
            receivedAt: claim.receivedAt.toISOString(),
            currency: request.currency,
            amountTotal: event.order.amountTotal,
            lines: request.lines.length,
            links: { status: `/v1/orders/${request.orderRef}` },
          },
        };
      }
      const stored: AnswerDoc = { _id: `a:${id}`, fp: claim.fp, outcome: JSON.stringify(decided), expiresAt: claim.expiresAt };
      if (!(await this.inserts.insert(stored))) {
        // A repeat took over (this holder outlived its lease) and answered first: everyone answers with that.
        const [first] = await this.read(id);
        if (first) decided = JSON.parse(first.outcome) as IntakeOutcome;
      }
      settle.resolve(decided);
      return decided;
    } catch (err) {
      // Give the key (and the order reference) up, so a retry with the same key runs at once.
      await Promise.all([
        this.collection.deleteOne({ _id: claim._id, lease: claim.lease }),
        refInserted ? this.collection.deleteOne({ _id: ref._id }) : undefined,
      ]).catch(() => undefined);
      const failure = new IntakeUnavailable(err);
      settle.reject(failure);
      throw failure;
    } finally {
      this.inflight.delete(id);
    }
  }
}
