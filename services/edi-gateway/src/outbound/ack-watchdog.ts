import type { Logger } from '@odx/runtime';
import type { BatchingPublisher } from '@odx/runtime';
import { receivedEvent } from '../events/edi-events.js';
import type { DocumentStore } from '../store/document-store.js';

export interface AckWatchdogOptions {
  documents: DocumentStore;
  publisher: BatchingPublisher;
  logger: Logger;
  company: string;
  ediTopic: string;
  intervalMs: number;
}

/**
 * Raises sent documents whose 997 did not come within the partner's window.
 * The schemas have no "acknowledgment overdue" event. EdiDocumentSent has no
 * status; EdiDocumentReceived has a free status string and an error list, so the
 * alert is an EdiDocumentReceived carrying the overdue document's facts with
 * status `ack_overdue` and an error naming what was expected by when (consumers
 * that only know accepted/rejected see an unknown status, not an acceptance).
 * A dedicated EdiAcknowledgmentOverdue event would be cleaner.
 */
export class AckWatchdog {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: AckWatchdogOptions) {}

  start(): void {
    this.timer = setInterval(
      () => void this.sweep().catch((err: unknown) => this.options.logger.warn('ack watchdog sweep failed', { err })),
      this.options.intervalMs,
    );
    this.timer.unref();
  }

  /** One pass; returns the ids of the documents raised. */
  sweep(now = new Date()): Promise<string[]> {
    const run = (this.running ?? Promise.resolve()).then(async () => {
      const late = await this.options.documents.overdue(now);
      const raised: string[] = [];
      for (const doc of late) {
        const errors = [
          `no 997 from ${doc.partnerId} for ${doc.type} ${doc._id} (ISA13 ${doc.interchangeControlNumber}, GS06 ${doc.groupControlNumber ?? '-'}) by ${doc.ackDueAt?.toISOString() ?? '?'}`,
        ];
        const event = receivedEvent(
          { ...doc, createdAt: now },
          { company: this.options.company, topic: this.options.ediTopic, correlationId: doc.businessObjectId ?? doc._id },
          'ack_overdue',
          errors,
        );
        const [link] = await this.options.publisher.publishAll([event]);
        await this.options.documents.setStatus(doc._id, 'ack_overdue', { errors, links: link ? [{ ...link, role: 'produced' }] : [] });
        raised.push(doc._id);
      }
      if (raised.length) this.options.logger.warn('EDI acknowledgments overdue', { count: raised.length });
      return raised;
    });
    this.running = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    return this.running ?? Promise.resolve();
  }
}
