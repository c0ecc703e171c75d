import { isEventType, parseEventType } from '@odx/schemas';

/** The parts of avsc's type classes this walk reads (avsc's typings do not expose them). */
interface TypeShape {
  typeName: string;
  fields?: Array<{ name: string; type: TypeShape }>;
  types?: TypeShape[];
  itemsType?: TypeShape;
  valuesType?: TypeShape;
}

/**
 * Turns an edited payload from its JSON form (as `dlq show` prints it: dates as
 * ISO-8601 strings, decimals as strings) back into the values the Avro writer
 * takes. Values that do not fit are left alone so the schema validation names them.
 */
export function reviveJsonPayload(eventType: string, json: unknown): unknown {
  if (!isEventType(eventType)) throw new Error(`unknown event type ${eventType}`);
  const type = parseEventType(eventType) as unknown as TypeShape;
  return revive(type, json);
}

function revive(type: TypeShape, value: unknown): unknown {
  if (type.typeName === 'logical:timestamp-millis') {
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
    return value;
  }
  if (type.typeName === 'record' && type.fields && isPlainObject(value)) {
    const out: Record<string, unknown> = { ...value };
    for (const f of type.fields) if (f.name in value) out[f.name] = revive(f.type, value[f.name]);
    return out;
  }
  if (type.typeName === 'array' && type.itemsType && Array.isArray(value)) return value.map((v) => revive(type.itemsType!, v));
  if (type.typeName === 'map' && type.valuesType && isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revive(type.valuesType!, v)]));
  }
  if (type.typeName === 'union:unwrapped' && type.types) {
    if (value === null) return null;
    const branches = type.types.filter((t) => t.typeName !== 'null');
    return branches.length === 1 ? revive(branches[0]!, value) : value;
  }
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
