import { AsyncLocalStorage } from 'node:async_hooks';

/** Business context carried through async calls so every log line can name it. */
export interface LogContext {
  correlationId?: string;
  eventId?: string;
  [key: string]: string | number | undefined;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` merged over the current log context. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run({ ...storage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
