import { formatDatetime, isValidDate, parseDatetime } from '../clock.js';
import { valueError } from '../errors.js';
import type { Env } from './env.js';
import type { FieldDef, ModelDef, RawValue } from './model-def.js';
import { PyFloat } from './py-float.js';
import { pyRepr } from './python-repr.js';

/** Converts an incoming RPC value to what the record stores (convert_to_cache/column). */
export function toStored(model: ModelDef, field: FieldDef, value: unknown): RawValue {
  const wrong = (): never => {
    throw valueError(`Wrong value for ${model.name}.${field.name}: ${pyRepr(value)}`);
  };
  const empty = value === false || value === null || value === undefined;
  switch (field.type) {
    case 'char':
    case 'text':
    case 'html':
      if (empty) return null;
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return wrong();
    case 'selection': {
      if (empty) return null;
      if (typeof value !== 'string' || !field.selection?.some(([k]) => k === value)) return wrong();
      return value;
    }
    case 'integer': {
      if (empty) return 0;
      if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
      if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value)) return Number.parseInt(value, 10);
      if (value === true) return 1;
      throw valueError(`invalid literal for int() with base 10: ${pyRepr(value)}`);
    }
    case 'float':
    case 'monetary': {
      if (empty) return 0;
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
      if (value === true) return 1;
      throw valueError(`could not convert string to float: ${pyRepr(value)}`);
    }
    case 'boolean':
      return Boolean(value) && value !== 0 && value !== '';
    case 'date': {
      if (empty) return null;
      if (typeof value === 'string') {
        const d = value.slice(0, 10);
        if (isValidDate(d) && (value.length === 10 || parseDatetime(value) !== null)) return d;
      }
      throw valueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d'`);
    }
    case 'datetime': {
      if (empty) return null;
      if (typeof value === 'string') {
        const us = parseDatetime(value);
        if (us !== null) return Math.floor(us / 1e6) * 1e6;
      }
      throw valueError(`time data ${pyRepr(value)} does not match format '%Y-%m-%d %H:%M:%S'`);
    }
    case 'many2one':
      if (empty) return null;
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      return wrong();
    default:
      return wrong();
  }
}

/** Formats a stored value the way `read()` returns it (convert_to_read). */
export function toRead(env: Env, field: FieldDef, value: RawValue, load: boolean): unknown {
  switch (field.type) {
    case 'integer':
      return typeof value === 'number' ? value : 0;
    case 'float':
    case 'monetary':
      return new PyFloat(typeof value === 'number' ? value : 0);
    case 'boolean':
      return value === true;
    case 'datetime':
      return typeof value === 'number' ? formatDatetime(value) : false;
    case 'many2one':
      if (typeof value !== 'number') return false;
      return load ? [value, env.displayName(field.relation!, value)] : value;
    case 'one2many':
    case 'many2many':
      return Array.isArray(value) ? value : [];
    default:
      return value === null || value === undefined || value === '' ? (value === '' ? '' : false) : value;
  }
}

export function emptyStored(field: FieldDef): RawValue {
  switch (field.type) {
    case 'integer':
    case 'float':
    case 'monetary':
      return 0;
    case 'boolean':
      return false;
    case 'many2many':
      return [];
    default:
      return null;
  }
}
