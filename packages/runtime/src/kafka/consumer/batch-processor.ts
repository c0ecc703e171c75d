// One partition's batch, a claim window at a time: prepare the window's
// messages, claim their keys in one round trip, settle each message in order,
// then complete, release and resolve what the window did.
//
// In the `batch` completion mode the next window is opened (prepared and
// claimed) while this one settles, so the claim round trip overlaps the
// effects instead of following them. Its claims are leases like any other: a
// window that ends early (a hold, a stop, a lost membership) gives back the
// claims of the window opened after it, and a crash leaves them to expire.
// No effect runs before the window before it is complete and resolved, so a
// crash still repeats at most one window's effects.
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
    const ahead = options.completion === 'batch' && options.idempotency !== undefined;
    return heartbeatWhile(
      () => batch.heartbeat(),
      async () => {
        let pos = 0;
        let next: Promise<OpenedWindow> | undefined;
        try {
          while (pos < batch.messages.length) {
            if (!batch.isActive() || signal.aborted) return;
            if (pauses.anyCircuitOpen()) return pauses.hold({ type: 'hold', reason: 'circuit' }, batch);
            const opened = next ?? this.open(batch, pos);
            next = undefined;
            const {
              reached,
              hold,
              opened: size,
            } = await this.window(batch, opened, windowMs, (from, inFlight) => {
              if (ahead && from < batch.messages.length) next = quiet(this.open(batch, from, inFlight));
            });
            if (hold) return pauses.hold(hold, batch);
            pos += reached;
            if (next && reached < size) {
              // The window stopped short (its time ran out): the next one starts elsewhere.
              const stale = next;
              next = undefined;
              await this.giveBack(stale);
            }
          }
        } finally {
          if (next) await this.giveBack(next);
        }
      },
    );
  }

  /**
   * Prepares the window of messages from `pos` and claims their keys in one round trip. Keys in `inFlight`
   * (those of the window still settling, when this one is opened ahead) are claimed when the window runs:
   * claimed now, they would find that window's own live claim and wait out its lease.
   */
  private async open(batch: PartitionBatch, pos: number, inFlight: ReadonlySet<string> = new Set()): Promise<OpenedWindow> {
    const { options, retryTopics } = this.deps;
    const openedAt = Date.now();
    const ctx = { retryTopics, eventTypes: options.eventTypes, now: openedAt, startedNs: process.hrtime.bigint() };
    const prepared = await Promise.all(
      batch.messages
        .slice(pos, pos + options.claimBatchSize)
        .map((m) => prepareMessage(m, batch.topic, batch.partition, ctx, options.serde)),
    );
    const ids = idsToClaim(prepared);
    const now = ids.filter((id) => !inFlight.has(id));
    const claims = options.idempotency && now.length > 0 ? await options.idempotency.claimMany(options.groupId, now) : new Map();
    return { pos, openedAt, prepared, claims, deferred: ids.filter((id) => inFlight.has(id)) };
  }

  /** Releases the claims of a window opened ahead that will not run (nothing when it failed to open). */
  private async giveBack(opened: Promise<OpenedWindow | undefined>): Promise<void> {
    const store = this.deps.options.idempotency;
    const window = await opened.catch(() => undefined);
    if (!store || !window) return;
    const unused = unreachedClaims(window.prepared, 0, window.claims);
    if (unused.length > 0) await store.releaseMany(unused).catch(() => undefined);
  }

  /**
   * One claim window: returns how many messages it finished, how many it
   * opened with, and the hold that ended it, if any. `openNext` is called with
   * the position after this window once its claims are in, to open the next
   * window ahead. Throws when this member has left its group.
   */
  private async window(
    batch: PartitionBatch,
    opening: Promise<OpenedWindow>,
    windowMs: number,
    openNext: (from: number, inFlight: ReadonlySet<string>) => void,
  ): Promise<{ reached: number; opened: number; hold: Hold | undefined }> {
    const { options, signal } = this.deps;
    const store = options.idempotency;
    let prepared: PreparedMessage[] = [];
    let claims: ReadonlyMap<string, ClaimOutcome> = new Map();
    const completions: Claim[] = [];
    let lastDone: string | undefined;
    let hold: Hold | undefined;
    let membership: Error | undefined;
    let index = 0;
    try {
      const opened = await opening;
      ({ prepared, claims } = opened);
      if (store && opened.deferred.length > 0) {
        const late = await store.claimMany(options.groupId, opened.deferred);
        claims = new Map([...claims, ...late]);
      }
      openNext(opened.pos + prepared.length, new Set(idsToClaim(prepared)));
      const claimed = claimsByIndex(prepared, claims);
      for (; index < prepared.length; index++) {
        if (!batch.isActive() || signal.aborted) {
          hold = { type: 'hold', reason: 'stopping' };
          break;
        }
        if (!windowOpen(index, opened.openedAt, Date.now(), windowMs)) break;
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
    return { reached: index, opened: prepared.length, hold };
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

/** A window prepared and claimed, not yet settled. */
interface OpenedWindow {
  /** Index in the batch of its first message. */
  pos: number;
  /** When its claims were taken: its time limit counts from here. */
  openedAt: number;
  prepared: PreparedMessage[];
  claims: ReadonlyMap<string, ClaimOutcome>;
  /** Keys left to claim when the window runs (see `open`). */
  deferred: string[];
}

/** The same promise, marked handled: a window opened ahead may fail before anyone awaits it. */
function quiet<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}
