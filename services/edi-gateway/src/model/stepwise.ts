/**
 * A computation that pauses at each `yield` (a checkpoint), so that one
 * driver can run it straight through (tests, small inputs) and another can
 * let the event loop breathe while a 5 MB interchange is read: /healthz and
 * the other transports go on answering while a large or hostile file is parsed.
 */
export type Stepwise<T> = Generator<void, T, void>;

/** Runs to the end without pausing. */
export function runNow<T>(steps: Stepwise<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs to the end, giving the event loop a turn whenever `sliceMs` of work
 * has passed since the last turn (checked at the checkpoints only).
 * @default sliceMs 10
 */
export async function runYielding<T>(steps: Stepwise<T>, sliceMs = 10): Promise<T> {
  let since = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - since >= sliceMs) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      since = performance.now();
    }
  }
}
