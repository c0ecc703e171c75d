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
      occurredAt: now, source: 'odx', correlationId: r.correlationId, causationId: null, company: r.company,
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

  constructor(private readonly o: LateWatchdogOptions) {}

  start(): void {
    if (this.o.milestoneTimeoutMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      void this.sweep().catch((err: unknown) => this.o.logger.warn('watchdog sweep failed', { err }));
    }, this.o.intervalMs);
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
    const now = (this.o.now ?? (() => new Date()))();
    const silent = await this.o.bookings.silentSince(new Date(now.getTime() - this.o.milestoneTimeoutMs));
    for (const r of silent) {
      const payload = lateException(r, this.o.milestoneTimeoutMs, now);
      await this.o.producer.publish([{ eventType: 'ShipmentException', key: messageKeyFor('ShipmentException', payload), payload, topic: this.o.topics.shipments }]);
      await this.o.bookings.markLateRaised(r._id, r.lastNewsAt);
      this.o.logger.warn('shipment is late: no tracking milestone in time', { shipment_id: r._id, last_news_at: r.lastNewsAt });
    }
    return silent.length;
  }
}
