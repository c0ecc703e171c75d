// One partition's batch, a claim window at a time: prepare the window's
// messages, claim their keys in one round trip, settle each message in order,
// then complete, release and resolve what the window did.
import type { EventType } from '@odx/schemas';
import type { Claim, ClaimOutcome } from '../../idempotency/idempotency-store.js';
import { classifyError } from '../../resilience/errors.js';
import { claimWindowMs, claimsByIndex, idsToClaim, unreachedClaims, windowOpen } from './claim-window.js';
import type { CompiledConsumerOptions } from './consumer-options.js';
import { BACKOFF_MS, decideUndecodable, type Done, type Hold } from './decide-outcome.js';
import type { EventExecution } from './event-execution.js';
import type { RetryTopicOrigin } from './failure-topics.js';
import type { FailureRouter } from './failure-router.js';
import type { PartitionBatch } from './group-client.js';
import { heartbeatWhile } from './heartbeat-while.js';
import { isMembershipError } from './membership-errors.js';
import type { OutcomeRecorder } from './outcome-recorder.js';
import type { PartitionPauses } from './partition-pauses.js';
import { prepareMessage, type PreparedMessage } from './prepare-message.js';

export interface BatchProcessorDeps<T extends EventType> {
  options: CompiledConsumerOptions<T>;
  retryTopics: ReadonlyMap<string, RetryTopicOrigin>;
  execution: EventExecution<T>;
  router: FailureRouter;
  recorder: OutcomeRecorder;
  pauses: PartitionPauses;
  /** Aborted when the runner closes. */
  signal: AbortSignal;
}

export class BatchProcessor<T extends EventType> {
  constructor(private readonly deps: BatchProcessorDeps<T>) {}

  /** Works through `batch` until it is done, a message holds the partition, or the batch is no longer ours. */
  async process(batch: PartitionBatch): Promise<void> {
    const { options, pauses, signal } = this.deps;
    const windowMs = claimWindowMs(options.idempotency ? options.idempotency.leaseDurationMs : undefined);
    return heartbeatWhile(
      () => batch.heartbeat(),
      async () => {
        let pos = 0;
        while (pos < batch.messages.length) {
          if (!batch.isActive() || signal.aborted) return;
          if (pauses.anyCircuitOpen()) return pauses.hold({ type: 'hold', reason: 'circuit' }, batch);
          const { reached, hold } = await this.window(batch, pos, windowMs);
          if (hold) return pauses.hold(hold, batch);
          pos += reached;
        }
      },
    );
  }

  /**
   * One claim window from `pos`: returns how many messages it finished and the
   * hold that ended it, if any. Throws when this member has left its group.
   */
  private async window(batch: PartitionBatch, pos: number, windowMs: number): Promise<{ reached: number; hold: Hold | undefined }> {
    const { options, retryTopics, signal } = this.deps;
    const store = options.idempotency;
    const openedAt = Date.now();
    let prepared: PreparedMessage[] = [];
    let claims: ReadonlyMap<string, ClaimOutcome> = new Map();
    const completions: Claim[] = [];
    let lastDone: string | undefined;
    let hold: Hold | undefined;
    let membership: Error | undefined;
    let index = 0;
    try {
      const ctx = { retryTopics, eventTypes: options.eventTypes, now: openedAt, startedNs: process.hrtime.bigint() };
      prepared = await Promise.all(
        batch.messages
          .slice(pos, pos + options.claimBatchSize)
          .map((m) => prepareMessage(m, batch.topic, batch.partition, ctx, options.serde)),
      );
      const ids = idsToClaim(prepared);
      if (store && ids.length > 0) claims = await store.claimMany(options.groupId, ids);
      const claimed = claimsByIndex(prepared, claims);
      for (; index < prepared.length; index++) {
        if (!batch.isActive() || signal.aborted) {
          hold = { type: 'hold', reason: 'stopping' };
          break;
        }
        if (!windowOpen(index, openedAt, Date.now(), windowMs)) break;
        const settled = await this.settle(prepared[index]!, claimed[index], batch, completions);
        if (settled.type === 'hold') {
          hold = settled;
          break;
        }
        lastDone = prepared[index]!.delivery.message.offset;
        await batch.heartbeat();
      }
    } catch (err) {
      // This member left (or is leaving) its group: only the client can rejoin, and only if it sees the
      // error. Held here, the member stayed out for good while /readyz said ready (soak, 2026-12-04).
      if (isMembershipError(err)) membership = err;
      else {
        // Mongo, Kafka or the registry failing under us: keep what is done, back off, try again.
        options.logger.warn('batch processing failed; holding the partition', { topic: batch.topic, partition: batch.partition, err });
        hold = { type: 'hold', reason: 'delay', untilMs: Date.now() + BACKOFF_MS };
      }
    } finally {
      if (store) {
        if (completions.length > 0) {
          const recorded = await store.completeMany(completions).catch(() => 0);
          if (recorded < completions.length)
            options.logger.warn('some idempotency keys were already done', { expected: completions.length, recorded });
        }
        const unreached = unreachedClaims(prepared, index, claims);
        if (unreached.length > 0) await store.releaseMany(unreached).catch(() => undefined);
      }
      if (lastDone !== undefined) batch.resolveOffset(lastDone);
    }
    if (membership) {
      options.logger.warn('this member is no longer in its group; handing the batch back so the client rejoins', {
        topic: batch.topic,
        partition: batch.partition,
        error: membership.message,
      });
      throw membership;
    }
    return { reached: index, hold };
  }

  /** Takes one prepared message to its outcome, or to the hold that stops the partition at it. */
  private async settle(
    p: PreparedMessage,
    claimed: ClaimOutcome | undefined,
    batch: PartitionBatch,
    completions: Claim[],
  ): Promise<Done | Hold> {
    const { recorder, router, execution, options } = this.deps;
    switch (p.kind) {
      case 'not-due':
        return { type: 'hold', reason: 'delay', untilMs: p.untilMs };
      case 'skip':
        return recorder.record(p, 'skipped');
      case 'undecodable': {
        const failure = classifyError(p.error);
        const decision = decideUndecodable(failure, Date.now());
        if (decision.type === 'hold') {
          options.logger.warn('schema registry unavailable; holding partition', {
            topic: p.delivery.receivedTopic,
            partition: p.delivery.partition,
            err: p.error,
          });
          return decision;
        }
        await router.toDlq(p.delivery, failure);
        return recorder.record(p, 'dlq', failure.errorClass);
      }
      case 'event':
        return execution.run(p, claimed, () => batch.heartbeat(), completions);
    }
  }
}
