import avsc from 'avsc';
import { isEventType, parseEventType } from '@odx/schemas';

/**
 * Turns an edited payload from its JSON form (as `dlq show` prints it: dates as
 * ISO-8601 strings, decimals as strings) back into the values the Avro writer
 * takes. Values that do not fit are left alone so the schema validation names them.
 */
export function reviveJsonPayload(eventType: string, json: unknown): unknown {
  if (!isEventType(eventType)) throw new Error(`unknown event type ${eventType}`);
  return revive(parseEventType(eventType), json);
}

function revive(type: avsc.Type, value: unknown): unknown {
  if (type.typeName === 'logical:timestamp-millis') {
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
    return value;
  }
  if (type instanceof avsc.types.RecordType && isPlainObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const f of type.fields) if (f.name in value) out[f.name] = revive(f.type, value[f.name]);
    return out;
  }
  if (type instanceof avsc.types.ArrayType && Array.isArray(value)) return value.map((v) => revive(type.itemsType, v));
  if (type instanceof avsc.types.MapType && isPlainObject(value)) {
    const valuesType: avsc.Type = type.valuesType;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(valuesType, v)]));
  }
  if (type instanceof avsc.types.UnwrappedUnionType) {
    if (value === null) return null;
    const branches = type.types.filter((t) => t.typeName !== 'null');
    return branches.length === 1 ? revive(branches[0]!, value) : value;
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
