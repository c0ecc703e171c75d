// Typed events of a consumer runner, and the small listener set that delivers
// them: a listener that throws is reported, never allowed to stop the
// consumer's loop (as a throwing EventEmitter listener would).
import type { MessageOutcome } from './decide-outcome.js';

/** What became of one message. Holds are not outcomes: a held message comes again. */
export interface MessageOutcomeEvent {
  /** Where this delivery was read (the original topic or one of its retry topics), with `partition` and `offset`. */
  topic: string;
  partition: number;
  /** Decimal string: offsets may exceed 2^53. */
  offset: string;
  /** The topic the message was first published to (also for retried deliveries). */
  originalTopic: string;
  /** 1 for the first delivery, 2 for the first retry, ... */
  attempt: number;
  /** Known once the message was decoded as an ODX event. */
  eventType?: string;
  eventId?: string;
  outcome: MessageOutcome;
  /** For 'retry' and 'dlq': the failure's class (e.g. `wms.validation`, `serde.not-confluent-wire`). */
  errorClass?: string;
  /** From the start of the message's claim window to its outcome. */
  durationMs: number;
}

/** The events a ConsumerRunner emits, by name. */
export interface ConsumerRunnerEventMap {
  outcome: MessageOutcomeEvent;
}

/** Listeners by event name, typed by an event map. */
export class EventListeners<E extends object> {
  private readonly byEvent = new Map<keyof E, Set<(payload: never) => void>>();

  /** @param onListenerError gets what a listener threw (the emit goes on to the next listener) */
  constructor(private readonly onListenerError: (event: keyof E, err: unknown) => void) {}

  on<K extends keyof E>(event: K, listener: (payload: E[K]) => void): void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener);
  }

  off<K extends keyof E>(event: K, listener: (payload: E[K]) => void): void {
    this.byEvent.get(event)?.delete(listener);
  }

  /** Whether anyone listens: the payload need not be built otherwise. */
  has(event: keyof E): boolean {
    return (this.byEvent.get(event)?.size ?? 0) > 0;
  }

  emit<K extends keyof E>(event: K, payload: E[K]): void {
    const set = this.byEvent.get(event);
    if (!set) return;
    for (const listener of set as Set<(payload: E[K]) => void>) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(event, err);
      }
    }
  }
}
