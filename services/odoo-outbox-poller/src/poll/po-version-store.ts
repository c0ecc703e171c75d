import { bulkWriteInChunks, findByIds } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { PurchaseOrderVersion } from '../mapping/map-purchase-order.js';

interface VersionDoc {
  _id: string;
  version: PurchaseOrderVersion;
  updatedAt: Date;
}

/**
 * The last version of each purchase order the poller announced (confirmed or
 * changed), so a later write to the PO is a PurchaseOrderChanged only when its
 * lines or dates differ: Odoo rewrites a PO for receipts and bills too, and
 * write_date alone cannot tell those from a change the supplier must hear of.
 * Saved after Kafka acknowledged the event; one writer per PO (the poller).
 */
export class PurchaseOrderVersions {
  private readonly c: Collection<VersionDoc>;

  constructor(
    db: Db,
    private readonly scope: string,
    collection = 'odx_po_versions',
  ) {
    this.c = db.collection<VersionDoc>(collection);
  }

  private id(poId: number | string): string {
    return `${this.scope}:${poId}`;
  }

  async load(poIds: number[]): Promise<Map<number, PurchaseOrderVersion>> {
    if (poIds.length === 0) return new Map();
    const docs = await findByIds(
      this.c,
      poIds.map((id) => this.id(id)),
    );
    return new Map(docs.map((d) => [Number(d._id.slice(this.scope.length + 1)), d.version]));
  }

  async save(versions: Map<string, PurchaseOrderVersion>): Promise<void> {
    if (versions.size === 0) return;
    // In bounded commands: one large bulk write of upserts wedges FerretDB (docs/known-issues.md).
    await bulkWriteInChunks(
      this.c,
      [...versions].map(([poId, version]) => ({
        replaceOne: { filter: { _id: this.id(poId) }, replacement: { version, updatedAt: new Date() }, upsert: true },
      })),
    );
  }
}
