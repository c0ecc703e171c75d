// Which events a subscription receives: pure, so the consumer and "recover since" decide alike.

/** The filter part of a subscription as stored. */
export interface SubscriptionFilter {
  /** Simple event type names (`OrderConfirmed`); empty = every type. */
  eventTypes: readonly string[];
  /** Message keys (aggregate ids); absent = every key. */
  keys?: readonly string[] | undefined;
  /** A payload field (dotted path, `order.customer.ref`) whose value, as text, must be one of `in`. */
  field?: { path: string; in: readonly string[] } | undefined;
}

/** The value at a dotted path, or undefined (arrays are not walked: a filter names one value). */
export function valueAtPath(payload: unknown, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** A scalar as the text a filter compares with; objects and arrays never match. */
export function filterText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  return undefined;
}

export interface FilterableEvent {
  /** Simple event type name. */
  eventType: string;
  key: string | null;
  payload: unknown;
}

/** The filter as a predicate with its lists turned into sets once (a subscription may list 1,000 keys). */
export function compileFilter(filter: SubscriptionFilter): (event: FilterableEvent) => boolean {
  const types = filter.eventTypes.length > 0 ? new Set(filter.eventTypes) : undefined;
  const keys = filter.keys ? new Set(filter.keys) : undefined;
  const field = filter.field ? { path: filter.field.path, values: new Set(filter.field.in) } : undefined;
  return (event) => {
    if (types && !types.has(event.eventType)) return false;
    if (keys && (event.key === null || !keys.has(event.key))) return false;
    if (field) {
      const text = filterText(valueAtPath(event.payload, field.path));
      if (text === undefined || !field.values.has(text)) return false;
    }
    return true;
  };
}

/** Whether an event passes the filter (one-off checks; hot paths compile once). */
export function matchesFilter(filter: SubscriptionFilter, event: FilterableEvent): boolean {
  return compileFilter(filter)(event);
}
