import { insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { InboundRelease } from '../mapping/map-inbound.js';

interface ReleaseDoc extends InboundRelease {
  _id: string;
  at: Date;
}

interface ReceiptDoc {
  /** `<externalRef>/<wmsInboundOrderId>/<receiptId>`. */
  _id: string;
  release: string;
  eventId: string;
  /** Ten-thousandths per released lineRef. */
  lines: Array<{ lineRef: string; qty: number }>;
  at: Date;
}

export const INBOUND_COLLECTIONS = ['wms_bridge_inbound', 'wms_bridge_receipts'] as const;

/** A WMS receipt as the store names it. */
export interface ReceiptKey {
  externalRef: string;
  inboundOrderId: string;
  receiptId: string;
}

/**
 * What the bridge remembers of inbound work, insert-only (FerretDB's cheap
 * operations): each release (`_id` the external reference, written before
 * the WMS is called) and each receipt published (`_id` our reference, the
 * WMS's inbound order and receipt ids, so a WMS whose ids start over never
 * makes a new receipt look done), with its quantities per line.
 */
export class InboundRecords {
  private readonly releases: Collection<ReleaseDoc>;
  private readonly receipts: Collection<ReceiptDoc>;

  constructor(db: Db) {
    this.releases = db.collection<ReleaseDoc>('wms_bridge_inbound');
    this.receipts = db.collection<ReceiptDoc>('wms_bridge_receipts');
  }

  /** Remembers a release; a repeat (redelivery, second confirmation) keeps the first, as the WMS does. */
  async rememberRelease(release: InboundRelease): Promise<void> {
    await insertOnce(this.releases, { _id: release.externalRef, ...release, at: new Date() });
  }

  async release(externalRef: string): Promise<InboundRelease | null> {
    const doc = await this.releases.findOne({ _id: externalRef });
    if (doc === null) return null;
    const { _id: _ignored, at: _at, ...release } = doc;
    return release;
  }

  async hasReceipt(key: ReceiptKey): Promise<boolean> {
    return (await this.receipts.findOne({ _id: receiptDocId(key) }, { projection: { _id: 1 } })) !== null;
  }

  /** Ten-thousandths received per lineRef over the receipts published for the release. */
  async receivedSoFar(externalRef: string): Promise<Map<string, number>> {
    const totals = new Map<string, number>();
    for (const doc of await this.receipts.find({ release: externalRef }).toArray()) {
      for (const l of doc.lines) totals.set(l.lineRef, (totals.get(l.lineRef) ?? 0) + l.qty);
    }
    return totals;
  }

  async recordReceipt(key: ReceiptKey, eventId: string, lines: Array<{ lineRef: string; qty: number }>): Promise<void> {
    await insertOnce(this.receipts, { _id: receiptDocId(key), release: key.externalRef, eventId, lines, at: new Date() });
  }
}

function receiptDocId(key: ReceiptKey): string {
  return `${key.externalRef}/${key.inboundOrderId}/${key.receiptId}`;
}
