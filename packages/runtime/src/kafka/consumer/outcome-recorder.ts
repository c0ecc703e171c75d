// Where a finished message is counted: the consumed-messages metrics and the
// runner's `outcome` event.
import type { RuntimeMetrics } from '../../telemetry/metrics.js';
import type { Done, MessageOutcome } from './decide-outcome.js';
import type { ConsumerRunnerEventMap, EventListeners } from './outcome-events.js';
import type { PreparedMessage } from './prepare-message.js';

export class OutcomeRecorder {
  constructor(
    private readonly groupId: string,
    private readonly metrics: RuntimeMetrics | undefined,
    private readonly listeners: EventListeners<ConsumerRunnerEventMap>,
  ) {}

  /** Counts `p` as finished with `outcome`; returns the Done the runner moves on with. */
  record(p: PreparedMessage, outcome: MessageOutcome, errorClass?: string): Done {
    const d = p.delivery;
    const elapsedNs = Number(process.hrtime.bigint() - d.startedNs);
    this.metrics?.messagesConsumed.inc({ topic: d.originalTopic, group: this.groupId, outcome });
    this.metrics?.messageProcessingSeconds.observe({ topic: d.originalTopic, group: this.groupId }, elapsedNs / 1e9);
    if (this.listeners.has('outcome')) {
      this.listeners.emit('outcome', {
        topic: d.receivedTopic,
        partition: d.partition,
        offset: d.message.offset,
        originalTopic: d.originalTopic,
        attempt: d.attempt,
        ...(p.kind === 'event' ? { eventType: p.eventType, eventId: p.eventId } : {}),
        outcome,
        ...(errorClass !== undefined ? { errorClass } : {}),
        durationMs: elapsedNs / 1e6,
      });
    }
    return { type: 'done', outcome };
  }
}
