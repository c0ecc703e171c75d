import type { ModelDef, RawRecord } from './model-def.js';

/** One mutation as the journal stores it: the record's full state after the transaction, or its deletion. */
export type JournalEntry =
  | { t: 'put'; m: string; r: RawRecord }
  | { t: 'del'; m: string; id: number }
  | { t: 'seq'; k: string; v: number };

export interface JournalSink {
  append(entries: JournalEntry[]): void;
}

/** Snapshot key carrying a model's next id, so ids of deleted records are never reused. */
const NEXT_ID_PREFIX = '@nextid:';

interface Txn {
  /** Original state of every record touched, `undefined` when it did not exist. */
  before: Map<string, RawRecord | undefined>;
  seqBefore: Map<string, number | undefined>;
  nextIdBefore: Map<string, number>;
}

/**
 * In-memory tables with a many2one reverse index (for one2many reads and
 * cascades) and transactions: every RPC call runs in one, and an error
 * rolls all of its writes back, like Odoo's cursor.
 */
export class Store {
  readonly models = new Map<string, ModelDef>();
  private readonly tables = new Map<string, Map<number, RawRecord>>();
  private readonly nextIds = new Map<string, number>();
  private readonly sequences = new Map<string, number>();
  /** model -> many2one field -> target id -> referencing ids */
  private readonly m2oIndex = new Map<string, Map<string, Map<number, Set<number>>>>();
  private txn: Txn | null = null;
  sink: JournalSink | null = null;

  constructor(defs: ModelDef[]) {
    for (const def of defs) this.register(def);
  }

  private register(def: ModelDef): void {
    this.models.set(def.name, def);
    this.tables.set(def.name, new Map());
    this.nextIds.set(def.name, 1);
    const idx = new Map<string, Map<number, Set<number>>>();
    for (const f of Object.values(def.fields)) if (f.type === 'many2one' && f.compute === undefined) idx.set(f.name, new Map());
    this.m2oIndex.set(def.name, idx);
  }

  /** Empties every table and sequence (used before seeding or replaying a journal). */
  clear(): void {
    for (const def of this.models.values()) this.register(def);
    this.sequences.clear();
  }

  model(name: string): ModelDef | undefined {
    return this.models.get(name);
  }

  table(model: string): Map<number, RawRecord> {
    const t = this.tables.get(model);
    if (!t) throw new Error(`unknown model ${model}`);
    return t;
  }

  get(model: string, id: number): RawRecord | undefined {
    return this.tables.get(model)?.get(id);
  }

  allocateId(model: string): number {
    const next = this.nextIds.get(model) ?? 1;
    if (this.txn && !this.txn.nextIdBefore.has(model)) this.txn.nextIdBefore.set(model, next);
    this.nextIds.set(model, next + 1);
    return next;
  }

  /** Writes (or with `undefined`, deletes) one record, keeping indexes and the undo log right. */
  put(model: string, id: number, rec: RawRecord | undefined): void {
    const table = this.table(model);
    const old = table.get(id);
    if (this.txn) {
      const key = `${model}#${id}`;
      if (!this.txn.before.has(key)) this.txn.before.set(key, old ? { ...old } : undefined);
    }
    this.unindex(model, old);
    if (rec) {
      table.set(id, rec);
      this.index(model, rec);
      if (id >= (this.nextIds.get(model) ?? 1)) this.nextIds.set(model, id + 1);
    } else {
      table.delete(id);
    }
  }

  private index(model: string, rec: RawRecord): void {
    for (const [field, byTarget] of this.m2oIndex.get(model) ?? []) {
      const target = rec[field];
      if (typeof target !== 'number') continue;
      let set = byTarget.get(target);
      if (!set) byTarget.set(target, (set = new Set()));
      set.add(rec.id);
    }
  }

  private unindex(model: string, rec: RawRecord | undefined): void {
    if (!rec) return;
    for (const [field, byTarget] of this.m2oIndex.get(model) ?? []) {
      const target = rec[field];
      if (typeof target === 'number') byTarget.get(target)?.delete(rec.id);
    }
  }

  /** Ids of `model` records whose many2one `field` points at `target`. */
  referencing(model: string, field: string, target: number): number[] {
    const set = this.m2oIndex.get(model)?.get(field)?.get(target);
    return set ? [...set].sort((a, b) => a - b) : [];
  }

  nextSequence(key: string): number {
    const cur = this.sequences.get(key);
    if (this.txn && !this.txn.seqBefore.has(key)) this.txn.seqBefore.set(key, cur);
    const next = (cur ?? 0) + 1;
    this.sequences.set(key, next);
    return next;
  }

  setSequence(key: string, value: number): void {
    this.sequences.set(key, value);
  }

  /** Runs `fn` in a transaction: journaled on success, rolled back on error. */
  transaction<T>(fn: () => T): T {
    if (this.txn) return fn();
    const txn: Txn = { before: new Map(), seqBefore: new Map(), nextIdBefore: new Map() };
    this.txn = txn;
    try {
      const result = fn();
      this.txn = null;
      this.commit(txn);
      return result;
    } catch (err) {
      this.txn = null;
      this.rollback(txn);
      throw err;
    }
  }

  private commit(txn: Txn): void {
    if (!this.sink || (txn.before.size === 0 && txn.seqBefore.size === 0)) return;
    const entries: JournalEntry[] = [];
    for (const key of txn.before.keys()) {
      const hash = key.lastIndexOf('#');
      const model = key.slice(0, hash);
      const id = Number(key.slice(hash + 1));
      const rec = this.get(model, id);
      entries.push(rec ? { t: 'put', m: model, r: rec } : { t: 'del', m: model, id });
    }
    for (const key of txn.seqBefore.keys()) entries.push({ t: 'seq', k: key, v: this.sequences.get(key) ?? 0 });
    this.sink.append(entries);
  }

  private rollback(txn: Txn): void {
    for (const [key, old] of txn.before) {
      const hash = key.lastIndexOf('#');
      this.put(key.slice(0, hash), Number(key.slice(hash + 1)), old);
    }
    for (const [key, v] of txn.seqBefore) {
      if (v === undefined) this.sequences.delete(key);
      else this.sequences.set(key, v);
    }
    for (const [model, v] of txn.nextIdBefore) this.nextIds.set(model, v);
  }

  /** Applies journal entries without journaling them again. */
  replay(entry: JournalEntry): void {
    if (entry.t === 'put') this.put(entry.m, entry.r.id, entry.r);
    else if (entry.t === 'del') {
      this.put(entry.m, entry.id, undefined);
      if (entry.id >= (this.nextIds.get(entry.m) ?? 1)) this.nextIds.set(entry.m, entry.id + 1);
    } else if (entry.k.startsWith(NEXT_ID_PREFIX)) {
      const m = entry.k.slice(NEXT_ID_PREFIX.length);
      this.nextIds.set(m, Math.max(this.nextIds.get(m) ?? 1, entry.v));
    } else this.sequences.set(entry.k, entry.v);
  }

  /** Everything as journal entries, for a compact snapshot. */
  snapshot(): JournalEntry[] {
    const out: JournalEntry[] = [];
    for (const [m, table] of this.tables) for (const r of table.values()) out.push({ t: 'put', m, r });
    for (const [k, v] of this.sequences) out.push({ t: 'seq', k, v });
    for (const [m, v] of this.nextIds) out.push({ t: 'seq', k: `${NEXT_ID_PREFIX}${m}`, v });
    return out;
  }

  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [m, table] of this.tables) out[m] = table.size;
    return out;
  }
}
