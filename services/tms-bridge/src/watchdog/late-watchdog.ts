import { deterministicEventId, type EventProducer, type Logger } from '@odx/runtime';
import { messageKeyFor, type ShipmentException } from '@odx/schemas';
import type { BookingRecord, BookingRecords } from '../booking/booking-records.js';

export interface LateWatchdogOptions {
  bookings: BookingRecords;
  producer: EventProducer;
  logger: Logger;
  /** No tracking news for this long raises the exception; 0 disables the watchdog. */
  milestoneTimeoutMs: number;
  intervalMs: number;
  topics: { shipments: string };
  now?: () => Date;
}

/** The late exception for one silent booking; the id depends on the shipment and the silence it reports. Pure. */
export function lateException(r: BookingRecord, timeoutMs: number, now: Date): ShipmentException {
  return {
    meta: {
      eventId: deterministicEventId('tms-bridge', 'late', r._id, r.lastNewsAt.toISOString()),
      occurredAt: now,
      source: 'odx',
      correlationId: r.correlationId,
      causationId: null,
      company: r.company,
    },
    shipmentId: r._id,
    orderId: r.orderId,
    exceptionCode: 'DELAYED',
    severity: 'WARNING',
    description: `late: no tracking milestone from ${r.carrierCode} (TMS ${r.tmsShipmentId}) since ${r.lastNewsAt.toISOString()} (limit ${Math.round(timeoutMs / 60_000)} min)`,
    reportedBy: 'tms-bridge',
    location: null,
    revisedDeliveryAt: null,
  };
}

/**
 * Raises ShipmentException (DELAYED, "late") for open bookings with no
 * tracking news within the configured time, once per silence: news restarts
 * the clock. Several instances may raise the same exception; its id is
 * deterministic, so consumers drop the repeat.
 */
export class LateWatchdog {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly options: LateWatchdogOptions) {}

  start(): void {
    if (this.options.milestoneTimeoutMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      void this.sweep().catch((err: unknown) => this.options.logger.warn('watchdog sweep failed', { err }));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** One pass; resolves to the number of exceptions raised. */
  sweep(): Promise<number> {
    this.running ??= this.doSweep().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async doSweep(): Promise<number> {
    const now = (this.options.now ?? (() => new Date()))();
    const silent = await this.options.bookings.silentSince(new Date(now.getTime() - this.options.milestoneTimeoutMs));
    for (const r of silent) {
      const payload = lateException(r, this.options.milestoneTimeoutMs, now);
      await this.options.producer.publish([
        { eventType: 'ShipmentException', key: messageKeyFor('ShipmentException', payload), payload, topic: this.options.topics.shipments },
      ]);
      await this.options.bookings.markLateRaised(r._id, r.lastNewsAt);
      this.options.logger.warn('shipment is late: no tracking milestone in time', { shipment_id: r._id, last_news_at: r.lastNewsAt });
    }
    return silent.length;
  }
}
