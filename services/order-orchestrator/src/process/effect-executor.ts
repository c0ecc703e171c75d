// Carries out what the fold decided, after the process documents that record
// the decision were written: publishes (FulfillmentRequested,
// OrderStageChanged) in one request, opens and resolves cases, and asks
// bridges to catch up. Each effect is idempotent (deterministic event ids, case
// dedupe keys, catch-up only reads), so after a crash the stored outbox is
// simply carried out again.
import { mapLimited, outgoingEvent, type EventProducer, type Logger, type OutgoingEvent } from '@odx/runtime';
import type { BridgeCatchUp } from './bridge-catch-up.js';
import type { CaseDeskPort } from './case-port.js';
import type { Effect } from './effects.js';

export interface EffectExecutorOptions {
  producer: EventProducer;
  topics: { shipments: string; process: string };
  cases: CaseDeskPort;
  catchUp: BridgeCatchUp;
  logger: Logger;
  /** Counts effects carried out, by kind. */
  onEffect?: (kind: Effect['kind'], count: number) => void;
  /** Named as the actor of automatic case changes. @default 'order-orchestrator' */
  actor?: string;
}

export interface OrderEffects {
  orderId: string;
  effects: readonly Effect[];
}

export class EffectExecutor {
  private cases: CaseDeskPort;
  private readonly catchUps = new Set<Promise<unknown>>();

  constructor(private readonly options: EffectExecutorOptions) {
    this.cases = options.cases;
  }

  /** Swaps the case desk (the exception desk is wired after the process). */
  useCaseDesk(cases: CaseDeskPort): void {
    this.cases = cases;
  }

  /** Carries out the effects of a batch; throws when a publish or a case write failed (the batch then comes again). */
  async run(batch: readonly OrderEffects[]): Promise<void> {
    const { producer, topics, onEffect } = this.options;
    const actor = this.options.actor ?? 'order-orchestrator';
    const events: OutgoingEvent[] = [];
    const counts = new Map<Effect['kind'], number>();
    const count = (k: Effect['kind']): void => void counts.set(k, (counts.get(k) ?? 0) + 1);
    for (const { effects } of batch) {
      for (const e of effects) {
        if (e.kind === 'publish-fulfillment') {
          events.push(outgoingEvent('FulfillmentRequested', e.shipmentId, e.payload, { topic: topics.shipments }));
          count(e.kind);
        } else if (e.kind === 'publish-stage') {
          events.push(outgoingEvent('OrderStageChanged', e.payload.orderId, e.payload, { topic: topics.process }));
          count(e.kind);
        }
      }
    }
    if (events.length > 0) await producer.publish(events);
    // Cases in order per order (open before resolve), orders a few at a time.
    await mapLimited(batch, 4, async ({ orderId, effects }) => {
      for (const e of effects) {
        if (e.kind === 'open-case') {
          await this.cases.open(e.opening);
          count(e.kind);
        } else if (e.kind === 'resolve-case') {
          await this.cases.resolveForOrderStep(orderId, e.step, e.note, actor);
          count(e.kind);
        }
      }
    });
    for (const { effects } of batch) {
      for (const e of effects) {
        if (e.kind !== 'catch-up') continue;
        count(e.kind);
        // Not awaited: a slow bridge must not hold the inbox; the step's retry timer runs either way.
        const p = this.options.catchUp.request(e.bridge, e.orderRef).finally(() => this.catchUps.delete(p));
        this.catchUps.add(p);
      }
    }
    for (const [kind, n] of counts) onEffect?.(kind, n);
  }

  /** Waits for catch-up requests in flight (shutdown, tests). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.catchUps]);
  }
}
