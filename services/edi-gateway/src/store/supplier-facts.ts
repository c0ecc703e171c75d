import { InsertBatcher } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { ShipNoticeReceived, VendorBillReceived } from '../model/supplier-events.js';

type Stored<T> = T & { _id: string; partnerId: string };
export type StoredShipNotice = Stored<ShipNoticeReceived>;
export type StoredVendorBill = Stored<VendorBillReceived>;

/**
 * A supplier's 856s and 810s as published (ShipNoticeReceived, VendorBillReceived; model/supplier-events.ts),
 * kept under their event id for the gateway's own lookups, inserted once (a resent or resumed interchange
 * inserts nothing new).
 */
export class SupplierFactsStore {
  readonly shipNotices: Collection<StoredShipNotice>;
  readonly vendorBills: Collection<StoredVendorBill>;
  private readonly noticeInserts: InsertBatcher<StoredShipNotice>;
  private readonly billInserts: InsertBatcher<StoredVendorBill>;

  constructor(db: Db, prefix = 'edi_') {
    this.shipNotices = db.collection<StoredShipNotice>(`${prefix}ship_notices`);
    this.vendorBills = db.collection<StoredVendorBill>(`${prefix}vendor_bills`);
    this.noticeInserts = new InsertBatcher(this.shipNotices);
    this.billInserts = new InsertBatcher(this.vendorBills);
  }

  async remember(partnerId: string, facts: { shipNotices: ShipNoticeReceived[]; vendorBills: VendorBillReceived[] }): Promise<void> {
    await Promise.all([
      ...facts.shipNotices.map((n) => this.noticeInserts.insert({ ...n, _id: n.meta.eventId, partnerId })),
      ...facts.vendorBills.map((b) => this.billInserts.insert({ ...b, _id: b.meta.eventId, partnerId })),
    ]);
  }
}
