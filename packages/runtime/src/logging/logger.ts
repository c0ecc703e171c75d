import { trace } from '@opentelemetry/api';
import winston from 'winston';
import { currentLogContext } from './log-context.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  service: string;
  /** @default 'info' */
  level?: 'error' | 'warn' | 'info' | 'debug';
  /** Extra fields on every line (e.g. instance id). */
  defaultMeta?: Record<string, string>;
  /** Where lines go. @default process.stdout */
  stream?: NodeJS.WritableStream;
}

/** Adds trace_id / span_id of the active span and the async log context to each line. */
const contextFormat = winston.format((info) => {
  const span = trace.getActiveSpan();
  const spanContext = span?.spanContext();
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    info['trace_id'] = spanContext.traceId;
    info['span_id'] = spanContext.spanId;
  }
  const ctx = currentLogContext();
  if (ctx) {
    for (const [key, value] of Object.entries(ctx)) {
      if (value === undefined) continue;
      const field = key === 'correlationId' ? 'correlation_id' : key === 'eventId' ? 'event_id' : key;
      if (info[field] === undefined) info[field] = value;
    }
  }
  return info;
});

/** Errors passed as metadata (`log.error('x', { err })`) become plain, serialisable fields. */
const errorFormat = winston.format((info) => {
  const err = info['err'];
  if (err instanceof Error) {
    info['err'] = { name: err.name, message: err.message, stack: err.stack?.split('\n').slice(0, 8).join('\n') };
  }
  return info;
});

/** A winston logger writing one JSON object per line: time, level, service, message, context. */
export function createLogger(options: LoggerOptions): Logger {
  const transport = options.stream ? new winston.transports.Stream({ stream: options.stream }) : new winston.transports.Console();
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service, ...options.defaultMeta },
    format: winston.format.combine(winston.format.timestamp(), errorFormat(), contextFormat(), winston.format.json()),
    transports: [transport],
  });
}
