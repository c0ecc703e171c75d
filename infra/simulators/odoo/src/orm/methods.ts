/**
 * The ORM methods every model exposes over execute_kw / JSON-2 (Odoo 17
 * signatures), and the argument binding that turns positional args +
 * kwargs into named parameters with Python's error messages.
 */
import { OdooError, accessError, httpError, typeError, valueError } from '../errors.js';
import type { Env } from './env.js';
import type { CallInfo, FieldDef, MethodDef, ModelDef } from './model-def.js';
import { isStored } from './model-def.js';
import { pyRepr } from './python-repr.js';

const asIds = (v: unknown): number[] => {
  if (v === false || v === null || v === undefined) return [];
  if (typeof v === 'number') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw valueError(`Invalid ids ${pyRepr(v)}`);
};
const num = (v: unknown, dflt: number | null): number | null => (v === false || v === null || v === undefined ? dflt : Number(v));
/** `limit=0` (or False/None) means no limit, as in Odoo's Query. */
const limitOf = (v: unknown, dflt: number | null): number | null => {
  const n = num(v, dflt);
  return n === null || n === 0 || Number.isNaN(n) ? null : n;
};
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const fieldList = (v: unknown): string[] | null => (Array.isArray(v) ? (v as string[]) : null);

/**
 * The operation an access check names, as ir.model.access.check asserts it
 * (`assert mode in ('read', 'write', 'create', 'unlink'), 'Invalid access mode'`).
 * The simulator's users hold every right, so a valid operation is always allowed.
 */
const accessMode = (v: unknown): string => {
  if (v === 'read' || v === 'write' || v === 'create' || v === 'unlink') return v;
  throw new OdooError('AssertionError', 'Invalid access mode');
};

export const ORM_METHODS: Record<string, MethodDef> = {
  /** Odoo 17 (deprecated in 18): `check_access_rights(operation, raise_exception=True)` -> True, or False / AccessError when denied. */
  check_access_rights: {
    api: 'model',
    params: [{ name: 'operation' }, { name: 'raise_exception', default: true }],
    run: (_env, _ids, kw) => {
      accessMode(kw.operation);
      return true;
    },
  },
  /** Odoo 17: `check_access_rule(operation)` on records -> None, or AccessError. */
  check_access_rule: {
    api: 'records',
    params: [{ name: 'operation' }],
    run: (env, ids, kw, { model }) => {
      accessMode(kw.operation);
      env.ensure(model, ids);
      return null;
    },
  },
  /** Odoo 18: `check_access(operation)` on records (rights and rules) -> None, or AccessError. */
  check_access: {
    api: 'records',
    params: [{ name: 'operation' }],
    run: (env, ids, kw, { model }) => {
      accessMode(kw.operation);
      env.ensure(model, ids);
      return null;
    },
  },
  /** Odoo 18: `has_access(operation)` on records -> bool. */
  has_access: {
    api: 'records',
    params: [{ name: 'operation' }],
    run: (_env, _ids, kw) => {
      accessMode(kw.operation);
      return true;
    },
  },
  search: {
    api: 'model',
    params: [{ name: 'domain' }, { name: 'offset', default: 0 }, { name: 'limit', default: null }, { name: 'order', default: null }],
    run: (env, _ids, kw, { model }) =>
      env.search(model, kw.domain, { offset: num(kw.offset, 0) ?? 0, limit: limitOf(kw.limit, null), order: strOrNull(kw.order) }),
  },
  search_read: {
    api: 'model',
    params: [
      { name: 'domain', default: null },
      { name: 'fields', default: null },
      { name: 'offset', default: 0 },
      { name: 'limit', default: null },
      { name: 'order', default: null },
      { name: 'load', default: '_classic_read' },
    ],
    run: (env, _ids, kw, { model }) => {
      const ids = env.search(model, kw.domain ?? [], { offset: num(kw.offset, 0) ?? 0, limit: limitOf(kw.limit, null), order: strOrNull(kw.order) });
      return env.read(model, ids, fieldList(kw.fields), kw.load === '_classic_read');
    },
  },
  search_count: {
    api: 'model',
    params: [{ name: 'domain' }, { name: 'limit', default: null }],
    run: (env, _ids, kw, { model }) => env.searchCount(model, kw.domain, limitOf(kw.limit, null)),
  },
  read: {
    api: 'records',
    params: [{ name: 'fields', default: null }, { name: 'load', default: '_classic_read' }],
    run: (env, ids, kw, { model }) => env.read(model, ids, fieldList(kw.fields), kw.load === '_classic_read'),
  },
  create: {
    api: 'model',
    params: [{ name: 'vals_list' }],
    run: (env, _ids, kw, { model, api }) => {
      const single = !Array.isArray(kw.vals_list);
      const list = (single ? [kw.vals_list] : kw.vals_list) as Record<string, unknown>[];
      const ids = list.map((vals) => env.create(model, vals));
      return single && api === 'rpc' ? ids[0] : ids;
    },
  },
  write: {
    api: 'records',
    params: [{ name: 'vals' }],
    run: (env, ids, kw, { model }) => {
      env.write(model, ids, kw.vals as Record<string, unknown>);
      return true;
    },
  },
  unlink: {
    api: 'records',
    params: [],
    run: (env, ids, _kw, { model }) => {
      env.unlink(model, ids);
      return true;
    },
  },
  exists: {
    api: 'records',
    params: [],
    run: (env, ids, _kw, { model }) => ids.filter((id) => env.store.get(model, id)),
  },
  fields_get: {
    api: 'model',
    params: [{ name: 'allfields', default: null }, { name: 'attributes', default: null }],
    run: (env, _ids, kw, { model }) => fieldsGet(env.modelDef(model), fieldList(kw.allfields), fieldList(kw.attributes)),
  },
  name_search: {
    api: 'model',
    params: [{ name: 'name', default: '' }, { name: 'args', default: null }, { name: 'operator', default: 'ilike' }, { name: 'limit', default: 100 }],
    run: (env, _ids, kw, { model }) => {
      const def = env.modelDef(model);
      const recName = def.fields[def.recName ?? 'name'] ? (def.recName ?? 'name') : 'display_name';
      const name = typeof kw.name === 'string' ? kw.name : '';
      const extra = Array.isArray(kw.args) ? kw.args : [];
      const op = typeof kw.operator === 'string' ? kw.operator : 'ilike';
      // An implicit '&' joins the name leaf and the extra domain (normalize_domain).
      const domain = name === '' && op === 'ilike' ? extra : [[recName, op, name], ...extra];
      const ids = env.search(model, domain, { limit: limitOf(kw.limit, 100) });
      return ids.map((id) => [id, env.displayName(model, id)]);
    },
  },
  name_get: {
    api: 'records',
    params: [],
    run: (env, ids, _kw, { model }) => env.ensure(model, ids).map((r) => [r.id, env.displayName(model, r.id)]),
  },
  default_get: {
    api: 'model',
    params: [{ name: 'fields_list' }],
    run: (env, _ids, kw, { model }) => {
      const def = env.modelDef(model);
      const out: Record<string, unknown> = {};
      for (const n of fieldList(kw.fields_list) ?? []) {
        const f = def.fields[n];
        if (!f || f.default === undefined) continue;
        out[n] = typeof f.default === 'function' ? f.default(env, {}) : f.default;
      }
      return out;
    },
  },
};

/** fields_get output with the attributes Odoo 17 returns for each field. */
export function fieldsGet(def: ModelDef, allfields: string[] | null, attributes: string[] | null): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const f of Object.values(def.fields)) {
    if (allfields && allfields.length && !allfields.includes(f.name)) continue;
    const desc = describeField(f);
    out[f.name] = attributes && attributes.length ? Object.fromEntries(Object.entries(desc).filter(([k]) => attributes.includes(k))) : desc;
  }
  return out;
}

function describeField(f: FieldDef): Record<string, unknown> {
  const stored = isStored(f) || (f.type === 'one2many' && f.compute === undefined);
  const d: Record<string, unknown> = {
    change_default: false,
    company_dependent: false,
    depends: [],
    exportable: true,
    groupable: stored && f.type !== 'one2many' && f.type !== 'text' && f.type !== 'html',
    manual: false,
    name: f.name,
    readonly: f.readonly === true || f.compute !== undefined,
    required: f.required === true,
    searchable: true,
    sortable: stored && f.type !== 'one2many' && f.type !== 'many2many',
    store: stored,
    string: f.string,
    type: f.type,
  };
  if (f.name === 'display_name') d.store = false;
  if (f.help) d.help = f.help;
  if (f.related) d.related = f.related;
  if (f.type === 'char') {
    d.translate = false;
    d.trim = true;
  }
  if (f.type === 'selection') d.selection = f.selection?.map(([k, v]) => [k, v]) ?? [];
  if (f.type === 'monetary') d.currency_field = 'currency_id';
  if (f.type === 'float') d.aggregator = 'sum';
  if (f.relation) {
    d.relation = f.relation;
    d.domain = [];
    d.context = {};
  }
  if (f.type === 'one2many') d.relation_field = f.inverseName;
  return d;
}

export interface BoundCall {
  method: MethodDef;
  ids: number[];
  kw: Record<string, unknown>;
}

/** Finds a public method as get_public_method/call_kw do; private names are refused. */
export function resolveMethod(def: ModelDef, name: string, api: CallInfo['api']): MethodDef {
  if (name.startsWith('_')) throw accessError(`Private methods (such as ${name}) cannot be called remotely.`);
  // Own keys only: a method named "constructor" or "toString" must not be found on Object.prototype.
  const method = (def.methods && Object.hasOwn(def.methods, name) ? def.methods[name] : undefined) ?? (Object.hasOwn(ORM_METHODS, name) ? ORM_METHODS[name] : undefined);
  if (!method) {
    if (api === 'json2') throw httpError('NotFound', `The method '${def.name}.${name}' does not exist`);
    throw new OdooError('AttributeError', `The method '${name}' does not exist on the model '${def.name}'`);
  }
  return method;
}

const className = (model: string): string =>
  model.split('.').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('');

/** Binds XML-RPC/JSON-RPC positional args + kwargs the way Python calls the method. */
export function bindRpc(def: ModelDef, name: string, method: MethodDef, args: unknown[], kwargs: Record<string, unknown>): BoundCall {
  const fn = `${ORM_METHODS[name] === method ? 'BaseModel' : className(def.name)}.${name}()`;
  let rest = args;
  let ids: number[] = [];
  if (method.api === 'records') {
    if (args.length === 0) throw new OdooError('IndexError', 'tuple index out of range');
    ids = asIds(args[0]);
    rest = args.slice(1);
  }
  if (rest.length > method.params.length) {
    throw typeError(`${fn} takes ${method.params.length + 1} positional arguments but ${rest.length + 1} were given`);
  }
  const kw: Record<string, unknown> = {};
  rest.forEach((v, i) => (kw[method.params[i]!.name] = v));
  for (const [k, v] of Object.entries(kwargs)) {
    if (!method.params.some((p) => p.name === k) && !method.varKwargs) throw typeError(`${fn} got an unexpected keyword argument ${pyRepr(k)}`);
    if (k in kw) throw typeError(`${fn} got multiple values for argument ${pyRepr(k)}`);
    kw[k] = v;
  }
  const missing = method.params.filter((p) => !('default' in p) && !(p.name in kw));
  if (missing.length) {
    const names = missing.map((p) => pyRepr(p.name));
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
    throw typeError(`${fn} missing ${missing.length} required positional argument${missing.length > 1 ? 's' : ''}: ${list}`);
  }
  for (const p of method.params) if (!(p.name in kw)) kw[p.name] = p.default;
  return { method, ids, kw };
}

/** Binds a JSON-2 body (named arguments only) like inspect.signature().bind. */
export function bindJson2(def: ModelDef, name: string, method: MethodDef, ids: number[], kwargs: Record<string, unknown>): BoundCall {
  if (method.api === 'model' && ids.length) throw httpError('UnprocessableEntity', `cannot call ${def.name}.${name} with ids`);
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (!method.params.some((p) => p.name === k) && !method.varKwargs) throw httpError('UnprocessableEntity', `got an unexpected keyword argument ${pyRepr(k)}`);
    kw[k] = v;
  }
  const missing = method.params.find((p) => !('default' in p) && !(p.name in kw));
  if (missing) throw httpError('UnprocessableEntity', `missing a required argument: ${pyRepr(missing.name)}`);
  for (const p of method.params) if (!(p.name in kw)) kw[p.name] = p.default;
  return { method, ids, kw };
}
