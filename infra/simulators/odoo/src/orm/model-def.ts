import type { Env } from './env.js';

export type FieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'integer'
  | 'float'
  | 'monetary'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'selection'
  | 'many2one'
  | 'one2many'
  | 'many2many';

/**
 * What a record stores per field: strings for char/text/date/selection,
 * epoch microseconds for datetime, ids for relations (one2many is never
 * stored: it is read through the inverse many2one index).
 */
export type RawValue = string | number | boolean | null | number[];
export interface RawRecord {
  id: number;
  [field: string]: RawValue;
}

export interface FieldDef {
  name: string;
  type: FieldType;
  string: string;
  help?: string;
  required?: boolean;
  readonly?: boolean;
  /** Comodel for relational fields. */
  relation?: string;
  /** Inverse many2one of a one2many. */
  inverseName?: string;
  selection?: ReadonlyArray<readonly [string, string]>;
  default?: RawValue | ((env: Env, vals: Record<string, unknown>) => RawValue);
  /** Non-stored computed value, evaluated on read and in domains. */
  compute?: (env: Env, rec: RawRecord) => RawValue;
  /** many2one deletion behaviour. @default 'set null' */
  ondelete?: 'cascade' | 'set null' | 'restrict';
  /** Documentation only: `related` path shown in fields_get. */
  related?: string;
}

export interface ParamDef {
  name: string;
  /** Default used when the caller omits the argument; absent means required. */
  default?: unknown;
}

/** Which model is called and through which API (create's return shape differs). */
export interface CallInfo {
  model: string;
  api: 'rpc' | 'json2';
}

/** A public model method callable through execute_kw / JSON-2. */
export interface MethodDef {
  /** `model` methods take no ids (`@api.model`), `records` methods get ids first. */
  api: 'model' | 'records';
  params: ParamDef[];
  /** Accepts **kwargs (no "unexpected keyword" check). */
  varKwargs?: boolean;
  /** XML-RPC/JSON-RPC `create` returns an id for a dict and ids for a list. */
  run(env: Env, ids: number[], kw: Record<string, unknown>, call: CallInfo): unknown;
}

export interface ModelHooks {
  /** Fill defaults that depend on other values (sequence names, addresses...). */
  prepareCreate?(env: Env, vals: Record<string, unknown>): void;
  afterCreate?(env: Env, ids: number[]): void;
  /** Refuse writes the real model refuses (runs before anything is written). */
  guardWrite?(env: Env, ids: number[], vals: Record<string, unknown>): void;
  afterWrite?(env: Env, ids: number[], vals: Record<string, unknown>): void;
  beforeUnlink?(env: Env, ids: number[]): void;
  /** After the records are gone, with their last state (to refresh what pointed at them). */
  afterUnlink?(env: Env, removed: RawRecord[]): void;
}

export interface ModelDef {
  name: string;
  description: string;
  /** Default `_order`. */
  order: string;
  /** `_rec_name`. @default 'name' */
  recName?: string;
  /** `_parent_name` for child_of. @default 'parent_id' */
  parentName?: string;
  fields: Record<string, FieldDef>;
  displayName?(env: Env, rec: RawRecord): string;
  methods?: Record<string, MethodDef>;
  hooks?: ModelHooks;
}

type FieldOpts = Omit<FieldDef, 'name' | 'type' | 'string'>;

/** Small constructors so model files read like Odoo field declarations. */
export const fields = {
  char: (string: string, o: FieldOpts = {}) => ({ type: 'char' as const, string, ...o }),
  text: (string: string, o: FieldOpts = {}) => ({ type: 'text' as const, string, ...o }),
  html: (string: string, o: FieldOpts = {}) => ({ type: 'html' as const, string, ...o }),
  integer: (string: string, o: FieldOpts = {}) => ({ type: 'integer' as const, string, ...o }),
  float: (string: string, o: FieldOpts = {}) => ({ type: 'float' as const, string, ...o }),
  monetary: (string: string, o: FieldOpts = {}) => ({ type: 'monetary' as const, string, ...o }),
  boolean: (string: string, o: FieldOpts = {}) => ({ type: 'boolean' as const, string, ...o }),
  date: (string: string, o: FieldOpts = {}) => ({ type: 'date' as const, string, ...o }),
  datetime: (string: string, o: FieldOpts = {}) => ({ type: 'datetime' as const, string, ...o }),
  selection: (selection: ReadonlyArray<readonly [string, string]>, string: string, o: FieldOpts = {}) => ({
    type: 'selection' as const,
    string,
    selection,
    ...o,
  }),
  many2one: (relation: string, string: string, o: FieldOpts = {}) => ({ type: 'many2one' as const, string, relation, ...o }),
  one2many: (relation: string, inverseName: string, string: string, o: FieldOpts = {}) => ({
    type: 'one2many' as const,
    string,
    relation,
    inverseName,
    ...o,
  }),
  many2many: (relation: string, string: string, o: FieldOpts = {}) => ({ type: 'many2many' as const, string, relation, ...o }),
};

type FieldSpec = Omit<FieldDef, 'name'>;

/** Builds a ModelDef, adding the magic fields every Odoo model has. */
export function defineModel(spec: Omit<ModelDef, 'fields'> & { fields: Record<string, FieldSpec> }): ModelDef {
  const all: Record<string, FieldSpec> = {
    id: { type: 'integer', string: 'ID', readonly: true },
    display_name: { type: 'char', string: 'Display Name', readonly: true, compute: () => null },
    ...spec.fields,
    create_uid: { type: 'many2one', relation: 'res.users', string: 'Created by', readonly: true },
    create_date: { type: 'datetime', string: 'Created on', readonly: true },
    write_uid: { type: 'many2one', relation: 'res.users', string: 'Last Updated by', readonly: true },
    write_date: { type: 'datetime', string: 'Last Updated on', readonly: true },
  };
  const named: Record<string, FieldDef> = {};
  for (const [name, f] of Object.entries(all)) named[name] = { name, ...f };
  return { ...spec, fields: named };
}

export const MAGIC_FIELDS = new Set(['id', 'create_uid', 'create_date', 'write_uid', 'write_date']);

export function isStored(f: FieldDef): boolean {
  return f.compute === undefined && f.type !== 'one2many';
}
