// One decoded event from claim to outcome: wait for (or take) its idempotency
// claim, run the handler inside the event's trace and log context, complete
// the key, or route the failure.
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventType } from '@odx/schemas';
import type { Span } from '@opentelemetry/api';
import type { Claim, ClaimOutcome } from '../../idempotency/idempotency-store.js';
import { withLogContext } from '../../logging/log-context.js';
import { classifyError, type FailureClassification } from '../../resilience/errors.js';
import { SpanKind, extractTraceContext, withSpan } from '../../telemetry/tracing.js';
import type { ConsumedEvent } from '../events.js';
import type { CompiledConsumerOptions } from './consumer-options.js';
import { decideClaim, decideHandled, type Done, type Hold } from './decide-outcome.js';
import type { FailureRouter } from './failure-router.js';
import type { OutcomeRecorder } from './outcome-recorder.js';
import { metaString, type PreparedEvent } from './prepare-message.js';

export interface EventExecutionDeps<T extends EventType> {
  options: CompiledConsumerOptions<T>;
  router: FailureRouter;
  recorder: OutcomeRecorder;
  /** Aborted when the runner closes. */
  signal: AbortSignal;
}

export class EventExecution<T extends EventType> {
  constructor(private readonly deps: EventExecutionDeps<T>) {}

  /**
   * Runs the handler for `p` under its claim (`claimed`: the window's claim
   * outcome, if it took one) and routes a failure. With 'batch' completion the
   * claim goes to `completions`, which the window completes in one write.
   */
  run(p: PreparedEvent, claimed: ClaimOutcome | undefined, heartbeat: () => Promise<void>, completions: Claim[]): Promise<Done | Hold> {
    const { options, signal } = this.deps;
    const { message, partition, receivedTopic, attempt } = p.delivery;
    const correlationId = message.headers['ce_correlationid'] ?? metaString(p.decoded.payload, 'correlationId');
    return withLogContext({ eventId: p.eventId, ...(correlationId ? { correlationId } : {}) }, () =>
      withSpan(
        `odx process ${p.decoded.eventType}`,
        {
          kind: SpanKind.CONSUMER,
          parent: extractTraceContext(message.headers),
          attributes: {
            'messaging.system': 'kafka',
            'messaging.destination.name': receivedTopic,
            'messaging.kafka.consumer.group': options.groupId,
            'messaging.kafka.destination.partition': partition,
            'messaging.kafka.message.offset': Number(message.offset),
            'messaging.message.id': p.eventId,
            'odx.attempt': attempt,
          },
        },
        (span) => this.underClaim(p, claimed, heartbeat, completions, span, signal),
      ),
    );
  }

  private async underClaim(
    p: PreparedEvent,
    claimed: ClaimOutcome | undefined,
    heartbeat: () => Promise<void>,
    completions: Claim[],
    span: Span,
    signal: AbortSignal,
  ): Promise<Done | Hold> {
    const { options, router, recorder } = this.deps;
    const { idempotency: store, groupId, metrics, logger } = options;
    let claim: Claim | undefined;
    if (store) {
      let outcome = claimed ?? (await store.claim(groupId, p.eventId));
      let decision = decideClaim(outcome, signal.aborted);
      for (;;) {
        if (outcome.status === 'busy') metrics?.idempotencyOutcomes.inc({ consumer: groupId, outcome: 'busy' });
        if (decision.type !== 'wait') break;
        await sleep(decision.ms);
        await heartbeat();
        outcome = await store.claim(groupId, p.eventId);
        decision = decideClaim(outcome, signal.aborted);
      }
      if (decision.type === 'hold') return decision;
      metrics?.idempotencyOutcomes.inc({ consumer: groupId, outcome: outcome.status });
      if (decision.type === 'done') {
        span.setAttribute('odx.duplicate', true);
        return recorder.record(p, decision.outcome);
      }
      if (decision.type === 'handle') {
        if (decision.takenOverFrom !== undefined)
          logger.warn('took over an expired idempotency lease', { previous_owner: decision.takenOverFrom });
        claim = decision.claim;
      }
    }
    let failure: FailureClassification | undefined;
    try {
      await options.handler(this.consumedEvent(p, signal));
    } catch (err) {
      if (store && claim) await store.release(claim).catch(() => undefined);
      failure = classifyError(err);
    }
    const decision = decideHandled({
      failure,
      attempt: p.delivery.attempt,
      retries: options.retryDelaysMs.length,
      aborted: signal.aborted,
    });
    if (decision.type === 'hold') return decision;
    if (decision.type === 'route') {
      if (decision.to === 'retry') await router.toRetry(p.delivery, decision.failure);
      else await router.toDlq(p.delivery, decision.failure);
      return recorder.record(p, decision.to, decision.failure.errorClass);
    }
    if (claim && store) {
      if (options.completion === 'each') {
        if (!(await store.complete(claim, { verifyHolder: false })))
          logger.warn('idempotency key was already done: another holder finished the same event (lease too short?)');
      } else completions.push(claim);
    }
    return recorder.record(p, 'ok');
  }

  /** The one place a payload gets its type: the serde read it with the canonical schema of `eventType`, and preparation skipped types outside `eventTypes`. */
  private consumedEvent(p: PreparedEvent, signal: AbortSignal): ConsumedEvent<T> {
    const { message, partition, receivedTopic, originalTopic, attempt } = p.delivery;
    return {
      topic: originalTopic,
      receivedFrom: { topic: receivedTopic, partition, offset: message.offset },
      key: message.key ? message.key.toString('utf8') : null,
      eventType: p.eventType,
      fullName: p.decoded.fullName,
      eventId: p.eventId,
      payload: p.decoded.payload,
      headers: message.headers,
      attempt,
      idempotencyKey: `${this.deps.options.groupId}:${p.eventId}`,
      signal,
    } as ConsumedEvent<T>;
  }
}
