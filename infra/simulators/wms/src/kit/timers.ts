/**
 * A set of pending timeouts that can be cancelled together, so a simulator's
 * `close()` or `reset()` leaves nothing scheduled behind it.
 */
export class TimerSet {
  readonly #handles = new Set<NodeJS.Timeout>();

  /** Runs `fn` after `ms` milliseconds unless the set is cleared first. */
  after(ms: number, fn: () => void): NodeJS.Timeout {
    const handle = setTimeout(() => {
      this.#handles.delete(handle);
      fn();
    }, Math.max(0, ms));
    this.#handles.add(handle);
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (handle === undefined) return;
    clearTimeout(handle);
    this.#handles.delete(handle);
  }

  clear(): void {
    for (const handle of this.#handles) clearTimeout(handle);
    this.#handles.clear();
  }

  get size(): number {
    return this.#handles.size;
  }
}

/** Resolves after `ms` milliseconds (0 resolves on the next macrotask). */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
