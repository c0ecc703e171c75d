import type { Logger } from '@odx/runtime';

/**
 * Runs `work` every `intervalMs` (after the previous run ended, so runs never
 * overlap) until `signal` aborts; resolves once the run in flight finished.
 * A failed run is logged and the next one comes on schedule.
 */
export function runEvery(
  name: string,
  intervalMs: number,
  signal: AbortSignal,
  logger: Logger,
  work: () => Promise<unknown>,
): Promise<void> {
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const tick = async (): Promise<void> => {
      if (signal.aborted) return resolve();
      try {
        await work();
      } catch (err) {
        logger.warn(`${name} failed`, { err });
      }
      if (signal.aborted) return resolve();
      timer = setTimeout(() => void tick(), intervalMs);
      timer.unref();
    };
    signal.addEventListener(
      'abort',
      () => {
        if (timer) {
          clearTimeout(timer);
          resolve();
        }
      },
      { once: true },
    );
    timer = setTimeout(() => void tick(), intervalMs);
    timer.unref();
  });
}
