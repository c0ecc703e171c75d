import { missingError, userError, validationError, valueError } from '../errors.js';
import { compileDomain, mentionsField } from './domain.js';
import { MAGIC_FIELDS, isStored, type FieldDef, type ModelDef, type RawRecord, type RawValue } from './model-def.js';
import { sortRecords } from './order.js';
import { pyRepr } from './python-repr.js';
import type { Store } from './store.js';
import { emptyStored, toRead, toStored } from './values.js';

export interface SearchOptions {
  offset?: number;
  limit?: number | null;
  order?: string | null;
  /** Overrides context.active_test. */
  activeTest?: boolean;
}

export type Context = Record<string, unknown>;

/**
 * One request's view of the database: the user, the context and the
 * transaction timestamp (`cr.now()`), which every create/write in the same
 * call stamps as create_date/write_date, like one PostgreSQL transaction.
 */
export class Env {
  constructor(
    readonly store: Store,
    readonly uid: number,
    readonly context: Context,
    readonly nowUs: number,
  ) {}

  withContext(extra: Context): Env {
    return new Env(this.store, this.uid, { ...this.context, ...extra }, this.nowUs);
  }

  modelDef(name: string): ModelDef {
    const def = this.store.model(name);
    if (!def) throw userError(`Object ${name} doesn't exist`);
    return def;
  }

  browse(model: string, id: number): RawRecord {
    const rec = this.store.get(model, id);
    if (!rec) throw missingError(model, [id], this.uid);
    return rec;
  }

  /** Raises MissingError unless every id exists. */
  ensure(model: string, ids: number[]): RawRecord[] {
    const missing = ids.filter((id) => !this.store.get(model, id));
    if (missing.length) throw missingError(model, missing, this.uid);
    return ids.map((id) => this.store.get(model, id)!);
  }

  /** A field's current value, computing non-stored fields. */
  value(model: ModelDef, rec: RawRecord, fname: string): RawValue {
    if (fname === 'id') return rec.id;
    if (fname === 'display_name') return this.displayNameOf(model, rec);
    const f = model.fields[fname];
    if (!f) return null;
    if (f.compute) return f.compute(this, rec);
    if (f.type === 'one2many') return this.one2many(f, rec.id);
    const v = rec[fname];
    return v === undefined ? emptyStored(f) : v;
  }

  private one2many(f: FieldDef, id: number): number[] {
    const comodel = this.modelDef(f.relation!);
    let ids = this.store.referencing(comodel.name, f.inverseName!, id);
    if (comodel.fields.active && this.context.active_test !== false) {
      ids = ids.filter((cid) => this.store.get(comodel.name, cid)?.active !== false);
    }
    if (ids.length > 1 && ids.length < 500 && comodel.order !== 'id' && comodel.order !== 'id asc') {
      const recs = ids.map((cid) => this.store.get(comodel.name, cid)!);
      sortRecords(this, comodel, recs, comodel.order);
      ids = recs.map((r) => r.id);
    }
    return ids;
  }

  displayName(model: string, id: number): string {
    const def = this.modelDef(model);
    const rec = this.store.get(model, id);
    if (!rec) return `${model},${id}`;
    return this.displayNameOf(def, rec);
  }

  displayNameOf(def: ModelDef, rec: RawRecord): string {
    if (def.displayName) return def.displayName(this, rec);
    const recName = def.recName ?? 'name';
    const v = rec[recName];
    return typeof v === 'string' ? v : `${def.name},${rec.id}`;
  }

  search(model: string, domain: unknown, opts: SearchOptions = {}): number[] {
    return this.searchRecords(model, domain, opts).map((r) => r.id);
  }

  searchRecords(model: string, domain: unknown, opts: SearchOptions = {}): RawRecord[] {
    const def = this.modelDef(model);
    const pred = compileDomain(this, def, domain);
    const activeTest = opts.activeTest ?? this.context.active_test !== false;
    const filterActive = activeTest && def.fields.active !== undefined && !mentionsField(domain, 'active');
    const out: RawRecord[] = [];
    for (const rec of this.store.table(model).values()) {
      if (filterActive && rec.active !== true) continue;
      if (pred(rec) === true) out.push(rec);
    }
    sortRecords(this, def, out, opts.order || def.order);
    const offset = opts.offset ?? 0;
    const limit = opts.limit ?? null;
    if (offset || limit !== null) return out.slice(offset, limit === null ? undefined : offset + limit);
    return out;
  }

  searchCount(model: string, domain: unknown, limit?: number | null): number {
    const n = this.search(model, domain, { order: 'id' }).length;
    return limit ? Math.min(n, limit) : n;
  }

  /** read() with load='_classic_read' (many2one as [id, name]) unless `load` is false. */
  read(model: string, ids: number[], fieldNames?: string[] | null, load = true): Record<string, unknown>[] {
    const def = this.modelDef(model);
    const names = fieldNames && fieldNames.length ? fieldNames : Object.keys(def.fields);
    for (const n of names) {
      if (!def.fields[n]) throw valueError(`Invalid field ${pyRepr(n)} on model ${pyRepr(model)}`);
    }
    const recs = this.ensure(model, ids);
    return recs.map((rec) => {
      const row: Record<string, unknown> = { id: rec.id };
      for (const n of names) {
        if (n === 'id') continue;
        const f = def.fields[n]!;
        row[n] = toRead(this, f, this.value(def, rec, n), load);
      }
      return row;
    });
  }

  create(model: string, input: Record<string, unknown>): number {
    const def = this.modelDef(model);
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw valueError(`Wrong value for create on ${model}: ${pyRepr(input)}`);
    }
    const vals: Record<string, unknown> = { ...input };
    this.checkFieldNames(def, vals);
    def.hooks?.prepareCreate?.(this, vals);
    const id = this.store.allocateId(model);
    const rec: RawRecord = { id };
    const x2many: [FieldDef, unknown][] = [];
    for (const f of Object.values(def.fields)) {
      if (MAGIC_FIELDS.has(f.name) || f.compute) continue;
      if (f.type === 'one2many') {
        // default_get also fills x2many fields from `default_<field>` context keys
        if (f.name in vals) x2many.push([f, vals[f.name]]);
        else if (`default_${f.name}` in this.context) x2many.push([f, this.context[`default_${f.name}`]]);
        continue;
      }
      let v: unknown;
      // default_get: a `default_<field>` context key beats the field's own default, as in Odoo
      // (and, as in Odoo, it also reaches records created further down the same call).
      const contextDefault = `default_${f.name}`;
      if (f.name in vals) v = vals[f.name];
      else if (contextDefault in this.context) v = this.context[contextDefault];
      else if (f.default !== undefined) v = typeof f.default === 'function' ? f.default(this, vals) : f.default;
      else {
        rec[f.name] = emptyStored(f);
        continue;
      }
      if (f.type === 'datetime' && typeof v === 'number' && !(f.name in vals))
        rec[f.name] = v; // computed default: already µs
      else rec[f.name] = f.type === 'many2many' ? this.applyMany2many(def, f, [], v) : toStored(def, f, v);
    }
    rec.create_date = this.nowUs;
    rec.write_date = this.nowUs;
    rec.create_uid = this.uid;
    rec.write_uid = this.uid;
    this.checkRecord(def, rec);
    this.store.put(model, id, rec);
    for (const [f, cmds] of x2many) this.applyOne2many(def, f, id, cmds);
    def.hooks?.afterCreate?.(this, [id]);
    return id;
  }

  write(model: string, ids: number[], input: Record<string, unknown>): void {
    const def = this.modelDef(model);
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw valueError(`Wrong value for write on ${model}: ${pyRepr(input)}`);
    }
    const vals = { ...input };
    this.checkFieldNames(def, vals);
    const recs = this.ensure(model, ids);
    def.hooks?.guardWrite?.(this, ids, vals);
    for (const old of recs) {
      const rec: RawRecord = { ...old };
      for (const [k, v] of Object.entries(vals)) {
        const f = def.fields[k]!;
        if (MAGIC_FIELDS.has(k) || f.compute || f.type === 'one2many') continue;
        rec[k] = f.type === 'many2many' ? this.applyMany2many(def, f, (old[k] as number[]) ?? [], v) : toStored(def, f, v);
      }
      rec.write_date = this.nowUs;
      rec.write_uid = this.uid;
      this.checkRecord(def, rec);
      this.store.put(model, rec.id, rec);
    }
    for (const [k, v] of Object.entries(vals)) {
      const f = def.fields[k]!;
      if (f.type === 'one2many' && !f.compute) for (const id of ids) this.applyOne2many(def, f, id, v);
    }
    def.hooks?.afterWrite?.(this, ids, vals);
  }

  /**
   * Stores recomputed or business-managed values the way Odoo's `_write`
   * does: stamps write_date/write_uid, runs no hooks, skips unchanged values.
   */
  setStored(model: string, id: number, patch: Record<string, RawValue>): void {
    const rec = this.browse(model, id);
    const changed = Object.entries(patch).some(([k, v]) => !sameValue(rec[k], v));
    if (!changed) return;
    this.store.put(model, id, { ...rec, ...patch, write_date: this.nowUs, write_uid: this.uid });
  }

  /** Business-logic write that stamps write_date like any ORM write. */
  update(model: string, id: number, vals: Record<string, unknown>): void {
    this.write(model, [id], vals);
  }

  unlink(model: string, ids: number[]): void {
    const def = this.modelDef(model);
    this.ensure(model, ids);
    def.hooks?.beforeUnlink?.(this, ids);
    const removed: RawRecord[] = [];
    for (const id of ids) {
      const rec = this.store.get(model, id);
      if (!rec) continue;
      removed.push(rec);
      this.store.put(model, id, undefined);
      this.cascade(def, id);
    }
    if (removed.length) def.hooks?.afterUnlink?.(this, removed);
  }

  private cascade(target: ModelDef, id: number): void {
    for (const other of this.store.models.values()) {
      for (const f of Object.values(other.fields)) {
        if (f.relation !== target.name || f.compute) continue;
        if (f.type === 'many2one') {
          const refs = this.store.referencing(other.name, f.name, id);
          if (!refs.length) continue;
          const mode = f.ondelete ?? (f.required ? 'restrict' : 'set null');
          if (mode === 'cascade') this.unlink(other.name, refs);
          else if (mode === 'restrict') {
            throw validationError(
              `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${other.description} (${other.name})\nConstraint: ${other.name.replaceAll('.', '_')}_${f.name}_fkey\n`,
            );
          } else for (const rid of refs) this.store.put(other.name, rid, { ...this.store.get(other.name, rid)!, [f.name]: null });
        } else if (f.type === 'many2many') {
          for (const rec of this.store.table(other.name).values()) {
            const list = rec[f.name];
            if (Array.isArray(list) && list.includes(id))
              this.store.put(other.name, rec.id, { ...rec, [f.name]: list.filter((x) => x !== id) });
          }
        }
      }
    }
  }

  private checkFieldNames(def: ModelDef, vals: Record<string, unknown>): void {
    for (const k of Object.keys(vals)) {
      if (!def.fields[k]) throw valueError(`Invalid field ${pyRepr(k)} on model ${pyRepr(def.name)}`);
    }
    delete vals.id;
    delete vals.display_name;
  }

  /** NOT NULL and foreign-key checks, reported as Odoo maps IntegrityErrors. */
  private checkRecord(def: ModelDef, rec: RawRecord): void {
    for (const f of Object.values(def.fields)) {
      if (!isStored(f) || MAGIC_FIELDS.has(f.name)) continue;
      const v = rec[f.name];
      if (f.required && (v === null || v === undefined || v === false)) {
        throw validationError(
          `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${def.description} (${def.name})\nField: ${f.string} (${f.name})\n`,
        );
      }
      if (f.type === 'many2one' && typeof v === 'number' && !this.store.get(f.relation!, v)) {
        throw validationError(
          `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\nModel: ${def.description} (${def.name})\nConstraint: ${def.name.replaceAll('.', '_')}_${f.name}_fkey\n`,
        );
      }
      if (f.type === 'many2many' && Array.isArray(v)) {
        for (const x of v) if (!this.store.get(f.relation!, x)) throw missingError(f.relation!, [x], this.uid);
      }
    }
  }

  private applyMany2many(def: ModelDef, f: FieldDef, current: number[], value: unknown): number[] {
    if (value === false || value === null || value === undefined) return [];
    if (!Array.isArray(value)) throw valueError(`Wrong value for ${def.name}.${f.name}: ${pyRepr(value)}`);
    if (value.every((x) => typeof x === 'number')) return [...new Set(value as number[])];
    let ids = [...current];
    for (const cmd of value) {
      if (!Array.isArray(cmd)) throw valueError(`Wrong value for ${def.name}.${f.name}: ${pyRepr(value)}`);
      const [code, id, arg] = cmd as [number, number, unknown];
      switch (code) {
        case 0:
          ids.push(this.create(f.relation!, (arg ?? {}) as Record<string, unknown>));
          break;
        case 1:
          this.write(f.relation!, [id], (arg ?? {}) as Record<string, unknown>);
          break;
        case 2:
          this.unlink(f.relation!, [id]);
          ids = ids.filter((x) => x !== id);
          break;
        case 3:
          ids = ids.filter((x) => x !== id);
          break;
        case 4:
          if (!ids.includes(id)) ids.push(id);
          break;
        case 5:
          ids = [];
          break;
        case 6:
          ids = [...new Set((arg as number[]) ?? [])];
          break;
        default:
          throw valueError(`Wrong value for ${def.name}.${f.name}: ${pyRepr(value)}`);
      }
    }
    return ids;
  }

  private applyOne2many(def: ModelDef, f: FieldDef, parentId: number, value: unknown): void {
    if (value === false || value === null || value === undefined) return;
    if (!Array.isArray(value)) throw valueError(`Wrong value for ${def.name}.${f.name}: ${pyRepr(value)}`);
    const comodel = f.relation!;
    const inv = f.inverseName!;
    const cmds = value.every((x) => typeof x === 'number') ? [[6, 0, value]] : value;
    const detach = (ids: number[]): void => {
      const invField = this.modelDef(comodel).fields[inv]!;
      if (invField.required || invField.ondelete === 'cascade') this.unlink(comodel, ids);
      else if (ids.length) this.write(comodel, ids, { [inv]: false });
    };
    for (const cmd of cmds) {
      if (!Array.isArray(cmd)) throw valueError(`Wrong value for ${def.name}.${f.name}: ${pyRepr(value)}`);
      const [code, id, arg] = cmd as [number, number, unknown];
      switch (code) {
        case 0:
          this.create(comodel, { ...((arg ?? {}) as Record<string, unknown>), [inv]: parentId });
          break;
        case 1:
          this.write(comodel, [id], (arg ?? {}) as Record<string, unknown>);
          break;
        case 2:
          this.unlink(comodel, [id]);
          break;
        case 3:
          detach([id]);
          break;
        case 4:
          this.write(comodel, [id], { [inv]: parentId });
          break;
        case 5:
          detach(this.store.referencing(comodel, inv, parentId));
          break;
        case 6: {
          const keep = new Set((arg as number[]) ?? []);
          detach(this.store.referencing(comodel, inv, parentId).filter((x) => !keep.has(x)));
          const add = [...keep].filter((x) => this.store.get(comodel, x)?.[inv] !== parentId);
          if (add.length) this.write(comodel, add, { [inv]: parentId });
          break;
        }
        default:
          throw valueError(`Wrong value for ${def.name}.${f.name}: ${pyRepr(value)}`);
      }
    }
  }

  /** Next number of a named ir.sequence. */
  nextSequence(key: string): number {
    return this.store.nextSequence(key);
  }
}

function sameValue(a: RawValue | undefined, b: RawValue): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return (a ?? null) === b;
}
