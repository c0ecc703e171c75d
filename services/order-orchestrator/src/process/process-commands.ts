// Operator commands for an order's process (retry a step, approve or refuse a
// credit hold), usually sent from an exception case. They go through the
// order's inbox like every other change, so the process has one writer.
import { randomUUID } from 'node:crypto';
import { outgoingEvent, type EventProducer } from '@odx/runtime';
import { commandSignal, stepFailureSignal, type ProcessCommandInput, type StepFailureInput } from './signals.js';

export class ProcessCommands {
  constructor(
    private readonly producer: EventProducer,
    private readonly inboxTopic: string,
    private readonly company: string,
  ) {}

  /** Publishes the command to the order's inbox; resolves once Kafka acknowledged it. */
  async send(command: ProcessCommandInput): Promise<void> {
    const signal = commandSignal(command, this.company, new Date(), randomUUID);
    await this.producer.publish([outgoingEvent('OrchestratorSignal', signal.orderId, signal, { topic: this.inboxTopic })]);
  }

  /**
   * Reports a step that failed for good elsewhere (e.g. a write-back in a DLQ) to the order's process: the step
   * shows the error, the stage `failed`, and the process opens a case (dedupe key from `key`).
   */
  async stepFailed(failure: StepFailureInput): Promise<void> {
    const signal = stepFailureSignal(failure, this.company, new Date());
    await this.producer.publish([outgoingEvent('OrchestratorSignal', signal.orderId, signal, { topic: this.inboxTopic })]);
  }
}
