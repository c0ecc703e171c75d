import { insertOnce } from '@odx/runtime';
import type { Collection, Db } from 'mongodb';
import type { ControlNumbers } from '../x12/build-interchange.js';

export type ControlKind = 'isa' | 'gs' | 'st' | 'unb';

interface BlockDoc {
  _id: string;
  partnerId: string;
  kind: ControlKind;
  block: number;
  owner: string;
  reservedAt: Date;
}

export interface ControlNumberOptions {
  db: Db;
  /** Who reserved a block (instance id), for the record. */
  owner: string;
  /** Numbers per reserved block. @default 100 */
  blockSize?: number;
  /** @default 'edi_control_blocks' */
  collection?: string;
}

/**
 * Control numbers (ISA13, GS06, ST02) per partner, unique and increasing, never
 * reused after a crash: numbers are handed out from blocks reserved by a unique
 * insert (`<partner>:<kind>:<block>`), so two instances never hold the same
 * block and a restart starts past every block ever reserved. Numbers left in a
 * block when the process stops are skipped, never reissued. Inserts only: no
 * compare-and-set is needed (FerretDB has none that is atomic).
 */
export class ControlNumberAllocator {
  private readonly col: Collection<BlockDoc>;
  private readonly blockSize: number;
  private readonly current = new Map<string, { next: number; end: number }>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ControlNumberOptions) {
    this.col = options.db.collection<BlockDoc>(options.collection ?? 'edi_control_blocks');
    this.blockSize = options.blockSize ?? 100;
  }

  async init(): Promise<void> {
    await this.col.createIndex({ partnerId: 1, kind: 1, block: -1 });
  }

  /** The next number of `kind` for `partnerId` (1-based; blocks of `blockSize`). */
  next(partnerId: string, kind: ControlKind): Promise<number> {
    const key = `${partnerId}:${kind}`;
    // One allocation at a time per key keeps numbers increasing in call order.
    const run = (this.queues.get(key) ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        let range = this.current.get(key);
        if (!range || range.next > range.end) {
          range = await this.reserve(partnerId, kind);
          this.current.set(key, range);
        }
        return range.next++;
      });
    this.queues.set(key, run);
    return run;
  }

  /** ISA13, GS06 and one ST02 per set for one outbound interchange. */
  async forInterchange(partnerId: string, sets: number): Promise<ControlNumbers> {
    const interchange = await this.next(partnerId, 'isa');
    const group = await this.next(partnerId, 'gs');
    const st: number[] = [];
    for (let i = 0; i < sets; i++) st.push(await this.next(partnerId, 'st'));
    return { interchange, group, sets: st };
  }

  private async reserve(partnerId: string, kind: ControlKind): Promise<{ next: number; end: number }> {
    const [last] = await this.col.find({ partnerId, kind }).sort({ block: -1 }).limit(1).toArray();
    let block = (last?.block ?? -1) + 1;
    for (let attempt = 0; attempt < 1_000; attempt++, block++) {
      if (
        await insertOnce(this.col, {
          _id: `${partnerId}:${kind}:${block}`,
          partnerId,
          kind,
          block,
          owner: this.options.owner,
          reservedAt: new Date(),
        })
      ) {
        return { next: block * this.blockSize + 1, end: (block + 1) * this.blockSize };
      }
    }
    throw new Error(`could not reserve a control number block for ${partnerId}/${kind}`);
  }
}
