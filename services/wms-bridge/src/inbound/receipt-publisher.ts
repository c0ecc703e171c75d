import { KeyedLock, type EventProducer } from '@odx/runtime';
import { messageKeyFor } from '@odx/schemas';
import { checkReceipt, mapReceipt, toTenThousandths, type ReceiptEvent, type ReceiptProblem } from '../mapping/map-receipt.js';
import type { InboundRelease } from '../mapping/map-inbound.js';
import type { MappingContext } from '../mapping/map-wms-webhook.js';
import type { WmsReceipt } from '../wms/wms-types.js';
import type { InboundRecords } from './inbound-records.js';

/** A receipt the bridge refuses to publish: never released by it, or not matching what it released. */
export class ReceiptRejectedError extends Error {
  constructor(
    readonly reason: 'unknown_receipt' | ReceiptProblem['code'],
    message: string,
    readonly problems: ReceiptProblem[] = [],
  ) {
    super(message);
    this.name = 'ReceiptRejectedError';
  }
}

export interface ReceiptPublisherOptions {
  producer: EventProducer;
  records: InboundRecords;
  mapping: MappingContext;
  topics: { purchasing: string; returns: string };
}

/** What publishing a receipt came to. */
export type ReceiptOutcome = { status: 'published'; event: ReceiptEvent } | { status: 'duplicate' };

/**
 * The one way a completed WMS receipt becomes GoodsReceived or ReturnReceived:
 * against the release the bridge remembered, once per receipt (the receipt
 * store), never above the released quantity over all receipts of a release.
 * One release at a time in the process, so two deliveries of one receipt, or
 * two receipts of one PO, are checked against each other's effect.
 */
export class ReceiptPublisher {
  private readonly lock = new KeyedLock();

  constructor(private readonly options: ReceiptPublisherOptions) {}

  /** Read-only: whether `publish` would publish, call it a duplicate, or refuse (throws ReceiptRejectedError). */
  async check(receipt: WmsReceipt): Promise<'publish' | 'duplicate'> {
    return (await this.verdict(receipt)) === 'duplicate' ? 'duplicate' : 'publish';
  }

  /** Publishes the receipt's event and records it; resolves after Kafka acknowledged. */
  publish(receipt: WmsReceipt): Promise<ReceiptOutcome> {
    return this.lock.run(receipt.externalRef, async () => {
      const { records, producer, mapping, topics } = this.options;
      const release = await this.verdict(receipt);
      if (release === 'duplicate') return { status: 'duplicate' };
      const event = mapReceipt(receipt, release, mapping);
      const topic = event.eventType === 'GoodsReceived' ? topics.purchasing : topics.returns;
      await producer.publish([{ ...event, key: messageKeyFor(event.eventType, event.payload), topic }]);
      // After the publish: a crash in between republishes the same event id, which consumers drop.
      await records.recordReceipt(
        receipt,
        event.payload.meta.eventId,
        receipt.lines.map((l) => ({ lineRef: l.lineRef ?? '', qty: toTenThousandths(l.qty) })),
      );
      return { status: 'published', event };
    });
  }

  /** The release the receipt may be published against, 'duplicate' when it was, or ReceiptRejectedError. */
  private async verdict(receipt: WmsReceipt): Promise<InboundRelease | 'duplicate'> {
    const { records } = this.options;
    const release = await records.release(receipt.externalRef);
    if (release === null) throw unknown(receipt);
    if (await records.hasReceipt(receipt)) return 'duplicate';
    const problems = checkReceipt(receipt, release, await records.receivedSoFar(receipt.externalRef));
    if (problems.length > 0) throw rejected(receipt, problems);
    return release;
  }
}

function unknown(receipt: WmsReceipt): ReceiptRejectedError {
  return new ReceiptRejectedError(
    'unknown_receipt',
    `receipt ${receipt.receiptId} is against ${receipt.externalRef}, which this bridge never released to the WMS`,
  );
}

function rejected(receipt: WmsReceipt, problems: ReceiptProblem[]): ReceiptRejectedError {
  return new ReceiptRejectedError(
    problems[0]!.code,
    `receipt ${receipt.receiptId} of ${receipt.externalRef} does not match the release: ${problems.map((p) => p.message).join('; ')}`,
    problems,
  );
}
