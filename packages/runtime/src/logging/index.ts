export { createLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export { currentLogContext, withLogContext } from './log-context.js';
export type { LogContext } from './log-context.js';
