/**
 * Answers by key from one computation: callers arriving while it runs share
 * it (single flight), and its result serves everyone for `ttlMs` after it
 * resolved. A failed computation is not kept. `ttlMs` 0 turns the cache off
 * (every call computes). At most `maxEntries` keys are kept (the oldest go first).
 */
export class SingleFlightCache<V> {
  private readonly entries = new Map<string, { value: Promise<V>; until: number }>();

  /** @param maxEntries @default 100 */
  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100,
  ) {}

  get(key: string, compute: () => Promise<V>): Promise<V> {
    if (this.ttlMs <= 0) return compute();
    const hit = this.entries.get(key);
    if (hit && hit.until > Date.now()) return hit.value;
    const entry = { value: compute(), until: Number.POSITIVE_INFINITY };
    this.entries.delete(key);
    this.entries.set(key, entry);
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    entry.value.then(
      () => void (entry.until = Date.now() + this.ttlMs),
      () => void (this.entries.get(key) === entry && this.entries.delete(key)),
    );
    return entry.value;
  }
}
