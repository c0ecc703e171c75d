import { InsertBatcher } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { PurchaseOrderFacts } from '../model/supplier-documents.js';

/** A purchase order sent to a supplier, kept under `<partner>:<PO name>` (what the supplier's documents quote). */
export interface EdiPurchaseOrderRecord extends PurchaseOrderFacts {
  _id: string;
  partnerId: string;
  /** The 850 that carried it. */
  documentId: string;
  createdAt: Date;
}

const keyOf = (partnerId: string, poName: string): string => `${partnerId}:${poName}`;

/**
 * POs sent to suppliers, one insert per 850 (the first facts stay: a redelivered
 * PurchaseOrderConfirmed sends no second 850). Reading a supplier's document is
 * synchronous (the X12 readers are pure), so lookups go through `cached`, and
 * the inbound processor `load`s what a document named that was not cached.
 */
export class PurchaseOrderFactsStore {
  private readonly col: Collection<EdiPurchaseOrderRecord>;
  private readonly inserts: InsertBatcher<EdiPurchaseOrderRecord>;
  private readonly cache = new Map<string, EdiPurchaseOrderRecord>();

  constructor(db: Db, collection = 'edi_purchase_orders') {
    this.col = db.collection<EdiPurchaseOrderRecord>(collection);
    this.inserts = new InsertBatcher(this.col);
  }

  async remember(partnerId: string, facts: PurchaseOrderFacts, documentId: string, at = new Date()): Promise<void> {
    const rec: EdiPurchaseOrderRecord = { ...facts, _id: keyOf(partnerId, facts.name), partnerId, documentId, createdAt: at };
    await this.inserts.insert(rec);
    this.remembered(rec);
  }

  /** The PO `poName` sent to `partnerId`, if cached (or loaded). */
  cached(partnerId: string, poName: string): PurchaseOrderFacts | undefined {
    return this.cache.get(keyOf(partnerId, poName));
  }

  /** Loads the named POs of `partnerId` into the cache (point lookups: `$in` on _id scans on FerretDB). */
  async load(partnerId: string, poNames: Iterable<string>): Promise<void> {
    const wanted = [...new Set(poNames)].filter((n) => !this.cache.has(keyOf(partnerId, n))).slice(0, 200);
    const found = await Promise.all(wanted.map((n) => this.col.findOne({ _id: keyOf(partnerId, n) })));
    for (const rec of found) if (rec) this.remembered(rec);
  }

  private remembered(rec: EdiPurchaseOrderRecord): void {
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(rec._id, rec);
  }
}
