/**
 * Odoo domains evaluated in memory with the semantics of
 * odoo/osv/expression.py (Odoo 17): prefix `&` `|` `!` with implicit `&`,
 * `!` distributed onto leaves by negating their operator, dotted paths
 * rewritten to `any`, and SQL three-valued logic (a comparison with NULL is
 * unknown, which a NOT keeps unknown). Leaves behave like the SQL Odoo emits:
 * `!=`, `not in`, `not like`, `not ilike` also match NULL when the operand is
 * truthy, `('f', '=', False)` is `IS NULL`, booleans treat NULL as False.
 */
import { parseDatetime, formatDatetime } from '../clock.js';
import { valueError } from '../errors.js';
import type { Env } from './env.js';
import type { FieldDef, ModelDef, RawRecord, RawValue } from './model-def.js';
import { pyRepr } from './python-repr.js';

/** true, false or unknown (SQL NULL). */
type Tri = boolean | null;
export type Predicate = (rec: RawRecord) => Tri;

export const TERM_OPERATORS = new Set([
  '=', '!=', '<=', '<', '>', '>=', '=?', '=like', '=ilike', 'like', 'not like', 'ilike', 'not ilike',
  'in', 'not in', 'child_of', 'parent_of', 'any', 'not any',
]);
const NEGATIVE = new Set(['!=', 'not like', 'not ilike', 'not in', 'not any']);
const NEGATION: Record<string, string> = {
  '<': '>=', '>': '<=', '<=': '>', '>=': '<', '=': '!=', '!=': '=', in: 'not in', 'not in': 'in',
  like: 'not like', 'not like': 'like', ilike: 'not ilike', 'not ilike': 'ilike', any: 'not any', 'not any': 'any',
};

type Node =
  | { kind: 'and' | 'or'; a: Node; b: Node }
  | { kind: 'not'; a: Node }
  | { kind: 'leaf'; left: string; op: string; right: unknown; raw: unknown[] }
  | { kind: 'const'; value: boolean };

const isTrueLeaf = (t: unknown[]): boolean => t.length === 3 && t[0] === 1 && t[1] === '=' && t[2] === 1;
const isFalseLeaf = (t: unknown[]): boolean => t.length === 3 && t[0] === 0 && t[1] === '=' && t[2] === 1;

/** normalize_domain + parse into a tree; raises Odoo's ValueErrors. */
export function parseDomain(domain: unknown): Node {
  if (domain === false || domain === null || domain === undefined) return { kind: 'const', value: true };
  if (!Array.isArray(domain)) {
    throw valueError(`Domains to normalize must have a 'domain' form: a list or tuple of domain components`);
  }
  if (domain.length === 0) return { kind: 'const', value: true };
  // Insert the implicit '&' operators, exactly as normalize_domain does.
  const tokens: unknown[] = [];
  let expected = 1;
  for (const token of domain) {
    if (expected === 0) {
      tokens.unshift('&');
      expected = 1;
    }
    if (Array.isArray(token)) expected -= 1;
    else expected += (token === '!' ? 1 : token === '&' || token === '|' ? 2 : 0) - 1;
    tokens.push(token);
  }
  if (expected !== 0) throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
  let pos = 0;
  const next = (): Node => {
    const token = tokens[pos++];
    if (token === '&' || token === '|') {
      const a = next();
      const b = next();
      return { kind: token === '&' ? 'and' : 'or', a, b };
    }
    if (token === '!') return { kind: 'not', a: next() };
    return parseLeaf(token);
  };
  const root = next();
  return root;
}

function parseLeaf(token: unknown): Node {
  if (!Array.isArray(token) || token.length !== 3) throw valueError(`Invalid leaf ${pyRepr(token, Array.isArray(token))}`);
  if (isTrueLeaf(token)) return { kind: 'const', value: true };
  if (isFalseLeaf(token)) return { kind: 'const', value: false };
  const [left, rawOp, right] = token as [unknown, unknown, unknown];
  if (typeof left !== 'string' || left === '' || typeof rawOp !== 'string') throw valueError(`Invalid leaf ${pyRepr(token, true)}`);
  let op = rawOp.toLowerCase();
  if (op === '<>') op = '!=';
  if (!TERM_OPERATORS.has(op)) throw valueError(`Invalid leaf ${pyRepr(token, true)}`);
  if (typeof right === 'boolean' && (op === 'in' || op === 'not in')) op = op === 'in' ? '=' : '!=';
  if (Array.isArray(right) && (op === '=' || op === '!=')) op = op === '=' ? 'in' : 'not in';
  return { kind: 'leaf', left, op, right, raw: token };
}

/** Domain leaves left untouched by the active_test rewrite check. */
export function mentionsField(domain: unknown, field: string): boolean {
  return Array.isArray(domain) && domain.some((t) => Array.isArray(t) && t[0] === field);
}

const and3 = (a: Tri, b: Tri): Tri => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: Tri, b: Tri): Tri => (a === true || b === true ? true : a === null || b === null ? null : false);
const not3 = (a: Tri): Tri => (a === null ? null : !a);

/** Compiles a domain against `model` into a record predicate. */
export function compileDomain(env: Env, model: ModelDef, domain: unknown): Predicate {
  return compileNode(env, model, parseDomain(domain), false);
}

function compileNode(env: Env, model: ModelDef, node: Node, negate: boolean): Predicate {
  switch (node.kind) {
    case 'const': {
      const v = negate ? !node.value : node.value;
      return () => v;
    }
    case 'not':
      return compileNode(env, model, node.a, !negate);
    case 'and':
    case 'or': {
      const a = compileNode(env, model, node.a, negate);
      const b = compileNode(env, model, node.b, negate);
      const isAnd = (node.kind === 'and') !== negate;
      return isAnd ? (r) => and3(a(r), b(r)) : (r) => or3(a(r), b(r));
    }
    case 'leaf': {
      // Dotted paths become `any` before `!` is distributed (_anyfy_leaves runs first).
      const dot = node.left.indexOf('.');
      if (dot > 0) {
        const head = model.fields[node.left.slice(0, dot)];
        if (head && (head.type === 'many2one' || head.type === 'one2many' || head.type === 'many2many')) {
          const sub = [[node.left.slice(dot + 1), node.op, node.right]];
          return compileAny(env, model, head, negate ? 'not any' : 'any', sub);
        }
      }
      if (negate) {
        const negated = NEGATION[node.op];
        if (negated) return compileLeaf(env, model, { ...node, op: negated });
        const p = compileLeaf(env, model, node);
        return (r) => not3(p(r));
      }
      return compileLeaf(env, model, node);
    }
  }
}

type Leaf = Extract<Node, { kind: 'leaf' }>;

function compileLeaf(env: Env, model: ModelDef, leaf: Leaf): Predicate {
  const { left, op } = leaf;
  let right = leaf.right;
  const dot = left.indexOf('.');
  const fname = dot >= 0 ? left.slice(0, dot) : left;
  const field = model.fields[fname];
  if (!field) throw valueError(`Invalid field ${model.name}.${fname} in leaf ${pyRepr(leaf.raw, true)}`);
  const relational = field.type === 'many2one' || field.type === 'one2many' || field.type === 'many2many';

  if (dot >= 0) {
    if (!relational) throw valueError(`Invalid field ${model.name}.${left} in leaf ${pyRepr(leaf.raw, true)}`);
    const sub = [[left.slice(dot + 1), op, right]];
    return compileAny(env, model, field, op === 'not any' ? 'any' : 'any', sub);
  }
  if (op === 'any' || op === 'not any') {
    if (!relational) throw valueError(`Invalid leaf ${pyRepr(leaf.raw, true)}`);
    return compileAny(env, model, field, op, right);
  }
  if (op === 'child_of' || op === 'parent_of') return compileHierarchy(env, model, field, op, right);
  if (op === '=?') {
    if (right === false || right === null || right === undefined) return () => true;
    return compileLeaf(env, model, { ...leaf, op: '=' });
  }
  if (relational && field.type !== 'many2one') return compileX2many(env, model, field, op, right);
  if (field.type === 'many2one' && isNameOperand(right)) {
    // String operands on a many2one are resolved through name_search on the comodel.
    let nameOp = ['<', '>', '<=', '>='].includes(op) ? 'in' : op;
    if (!Array.isArray(right) && (nameOp === 'in' || nameOp === 'not in')) nameOp = nameOp === 'in' ? '=' : '!=';
    else if (Array.isArray(right) && (nameOp === '=' || nameOp === '!=')) nameOp = nameOp === '=' ? 'in' : 'not in';
    const ids = new Set(nameSearchIds(env, field.relation!, right, nameOp));
    const get = valueGetter(env, model, field);
    if (NEGATIVE.has(nameOp)) return (r) => { const v = get(r); return v === null || ids.has(v as number); };
    return (r) => { const v = get(r); return v === null ? null : ids.has(v as number); };
  }
  if (field.type === 'datetime' && typeof right === 'string' && right.length === 10) {
    right = right + (op === '>' || op === '<=' ? ' 23:59:59' : ' 00:00:00');
  }
  return compileScalar(env, model, field, op, right, leaf);
}

function isNameOperand(right: unknown): boolean {
  return typeof right === 'string' || (Array.isArray(right) && right.length > 0 && right.every((x) => typeof x === 'string'));
}

function valueGetter(env: Env, model: ModelDef, field: FieldDef): (r: RawRecord) => RawValue {
  if (field.name === 'id') return (r) => r.id;
  return (r) => env.value(model, r, field.name);
}

/** Converts a domain operand to the stored representation of `field`. */
function toColumn(field: FieldDef, v: unknown): RawValue {
  if (v === false || v === null || v === undefined) return field.type === 'boolean' ? false : null;
  switch (field.type) {
    case 'datetime': {
      if (typeof v !== 'string') throw valueError(`time data ${pyRepr(v)} does not match format '%Y-%m-%d %H:%M:%S'`);
      const us = parseDatetime(v);
      if (us === null) throw valueError(`time data ${pyRepr(v)} does not match format '%Y-%m-%d %H:%M:%S'`);
      return us;
    }
    case 'date':
      return typeof v === 'string' ? v.slice(0, 10) : String(v);
    case 'integer':
    case 'float':
    case 'monetary':
    case 'many2one': {
      const n = typeof v === 'number' ? v : Number(v);
      if (Number.isNaN(n)) throw valueError(`invalid input syntax for type ${field.type === 'integer' || field.type === 'many2one' ? 'integer' : 'numeric'}: ${pyRepr(v)}`);
      return n;
    }
    case 'boolean':
      return Boolean(v);
    default:
      return typeof v === 'string' ? v : String(v);
  }
}

/** PostgreSQL `::text` cast used by like operators on non-text columns. */
function asText(field: FieldDef, v: RawValue): string | null {
  if (v === null) return null;
  if (field.type === 'datetime' && typeof v === 'number') return formatDatetime(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

function likeRegex(pattern: string, insensitive: boolean): RegExp {
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) src += escapeRe(pattern[++i]!);
    else if (ch === '%') src += '[\\s\\S]*';
    else if (ch === '_') src += '[\\s\\S]';
    else src += escapeRe(ch);
  }
  return new RegExp(`^${src}$`, insensitive ? 'iu' : 'u');
}

// No '-' here: outside a character class it needs no escape, and the 'u' flag rejects a needless one.
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function compare(a: RawValue, b: RawValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

function compileScalar(env: Env, model: ModelDef, field: FieldDef, op: string, right: unknown, leaf: Leaf): Predicate {
  const get = valueGetter(env, model, field);
  const isBool = field.type === 'boolean';

  if (op === 'in' || op === 'not in') {
    if (!Array.isArray(right)) throw valueError(`Invalid domain term ${pyRepr(leaf.raw, true)}`);
    let params: RawValue[];
    let checkNull: boolean;
    if (isBool) {
      params = [true, false].filter((b) => right.some((x) => x === b || (b === false && (x === null || x === 0))));
      checkNull = right.includes(false);
    } else {
      const kept = right.filter((x) => x !== false && x !== null && x !== undefined);
      params = kept.map((x) => toColumn(field, x));
      checkNull = kept.length < right.length;
    }
    const set = new Set(params);
    const inParams = (v: RawValue): Tri => (v === null ? null : set.has(v));
    if (op === 'in') {
      if (params.length === 0) return checkNull ? (r) => get(r) === null : () => false;
      return checkNull ? (r) => { const v = get(r); return v === null ? true : inParams(v); } : (r) => inParams(get(r));
    }
    if (params.length === 0) return checkNull ? (r) => get(r) !== null : () => true;
    if (!checkNull) return (r) => { const v = get(r); return v === null ? true : !set.has(v); };
    return (r) => { const v = get(r); return v === null ? false : !set.has(v); };
  }

  if (isBool && (op === '=' || op === '!=') && typeof right === 'boolean') {
    const want = op === '!=' ? !right : right;
    return want ? (r) => (get(r) === null ? null : get(r) === true) : (r) => get(r) !== true;
  }
  if (op === '=' && (right === false || right === null)) return (r) => get(r) === null;
  if (op === '!=' && (right === false || right === null)) return (r) => get(r) !== null;

  const wildcard = op === 'like' || op === 'ilike' || op === 'not like' || op === 'not ilike';
  const truthyRight = right !== false && right !== null && right !== undefined && right !== '' && right !== 0;
  const orNull = (wildcard && !truthyRight) || (truthyRight && NEGATIVE.has(op));

  let test: (v: RawValue) => Tri;
  if (op.endsWith('like')) {
    const pattern = wildcard ? `%${right === false || right === null || right === undefined ? '' : String(right)}%` : String(right);
    const re = likeRegex(pattern, op.endsWith('ilike'));
    const positive = !op.startsWith('not');
    test = (v) => {
      const text = asText(field, v);
      if (text === null) return null;
      return re.test(text) === positive;
    };
  } else {
    const rv = toColumn(field, right);
    if (rv === null) return () => (orNull ? null : null);
    test = (v) => {
      if (v === null) return null;
      const c = compare(v, rv);
      switch (op) {
        case '=': return c === 0;
        case '!=': return c !== 0;
        case '<': return c < 0;
        case '<=': return c <= 0;
        case '>': return c > 0;
        case '>=': return c >= 0;
        default: throw valueError(`Invalid leaf ${pyRepr(leaf.raw, true)}`);
      }
    };
  }
  if (orNull) return (r) => { const v = get(r); return v === null ? true : test(v); };
  return (r) => test(get(r));
}

/** Comodel ids whose display name matches, as _name_search does (active_test=False). */
function nameSearchIds(env: Env, comodel: string, name: unknown, op: string): number[] {
  const def = env.modelDef(comodel);
  const recName = def.recName ?? 'name';
  const target = def.fields[recName] ? recName : 'display_name';
  return env.search(comodel, [[target, op, name]], { activeTest: false });
}

function compileAny(env: Env, model: ModelDef, field: FieldDef, op: 'any' | 'not any' | string, sub: unknown): Predicate {
  const comodel = field.relation!;
  const matching = new Set(env.search(comodel, sub, { activeTest: field.type === 'many2one' ? false : undefined }));
  const get = valueGetter(env, model, field);
  const positive = op === 'any';
  if (field.type === 'many2one') {
    if (positive) return (r) => { const v = get(r); return v === null ? null : matching.has(v as number); };
    return (r) => { const v = get(r); return v === null ? true : !matching.has(v as number); };
  }
  return (r) => {
    const ids = get(r) as number[];
    const hit = ids.some((id) => matching.has(id));
    return positive ? hit : !hit;
  };
}

function compileX2many(env: Env, model: ModelDef, field: FieldDef, op: string, right: unknown): Predicate {
  const get = valueGetter(env, model, field);
  const negative = NEGATIVE.has(op);
  if (right === false || right === null) {
    // match records with (or, negated, without) any related record
    return (r) => ((get(r) as number[]).length > 0) === negative;
  }
  let ids2: number[];
  if (isNameOperand(right)) ids2 = nameSearchIds(env, field.relation!, right, negative ? (NEGATION[op] ?? op) : op);
  else if (Array.isArray(right)) ids2 = right.filter((x): x is number => typeof x === 'number');
  else ids2 = [Number(right)];
  const set = new Set(ids2);
  return (r) => {
    const hit = (get(r) as number[]).some((id) => set.has(id));
    return negative ? !hit : hit;
  };
}

function toIds(env: Env, comodel: string, right: unknown): number[] {
  if (right === false || right === null || right === undefined) return [];
  if (typeof right === 'number') return [right];
  if (typeof right === 'string') return nameSearchIds(env, comodel, right, 'ilike');
  if (Array.isArray(right)) {
    const out: number[] = [];
    for (const x of right) out.push(...toIds(env, comodel, x));
    return out;
  }
  return [];
}

/** child_of / parent_of via the model's parent field, like child_of_domain without parent_store. */
function compileHierarchy(env: Env, model: ModelDef, field: FieldDef, op: string, right: unknown): Predicate {
  let hierModel: ModelDef;
  let parentField: string;
  if (field.name === 'id') {
    hierModel = model;
    parentField = model.parentName ?? 'parent_id';
  } else if (field.type === 'many2one' && field.relation === model.name) {
    hierModel = model;
    parentField = field.name;
  } else if (field.relation) {
    hierModel = env.modelDef(field.relation);
    parentField = hierModel.parentName ?? 'parent_id';
  } else {
    throw valueError(`Invalid leaf ${pyRepr([field.name, op, right], true)}`);
  }
  const pf = hierModel.fields[parentField];
  if (!pf || pf.relation !== hierModel.name) throw valueError(`Invalid parent field: ${hierModel.name}.${parentField}`);
  const start = toIds(env, hierModel.name, right);
  const result = new Set<number>();
  if (op === 'child_of') {
    let frontier = start.filter((id) => env.store.get(hierModel.name, id));
    while (frontier.length) {
      const next: number[] = [];
      for (const id of frontier) {
        if (result.has(id)) continue;
        result.add(id);
        next.push(...env.store.referencing(hierModel.name, parentField, id));
      }
      frontier = next;
    }
  } else {
    for (let id of start) {
      while (!result.has(id)) {
        const rec = env.store.get(hierModel.name, id);
        if (!rec) break;
        result.add(id);
        const parent = rec[parentField];
        if (typeof parent !== 'number') break;
        id = parent;
      }
    }
  }
  const sameModel = hierModel === model && (field.name === 'id' || field.relation === model.name);
  if (sameModel) return (r) => result.has(r.id);
  const get = valueGetter(env, model, field);
  if (field.type === 'many2one') return (r) => { const v = get(r); return v === null ? null : result.has(v as number); };
  return (r) => (get(r) as number[]).some((id) => result.has(id));
}
