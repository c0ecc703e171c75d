import type { FailureClassification } from '../resilience/errors.js';

/**
 * Context headers on retried and dead-lettered messages, in the spirit of Kafka
 * Connect's `__connect.errors.*`: where the message came from, how often it was
 * tried, when it first failed and why it failed last.
 */
export const ERROR_HEADERS = {
  originalTopic: 'odx.errors.original.topic',
  originalPartition: 'odx.errors.original.partition',
  originalOffset: 'odx.errors.original.offset',
  receivedTopic: 'odx.errors.received.topic',
  consumerGroup: 'odx.errors.consumer.group',
  attempt: 'odx.errors.attempt',
  firstFailureTime: 'odx.errors.first.failure.time',
  lastFailureTime: 'odx.errors.last.failure.time',
  kind: 'odx.errors.kind',
  errorClass: 'odx.errors.class',
  message: 'odx.errors.message',
} as const;

export const RETRY_HEADERS = {
  /** Delivery attempt the retry topic's consumer will make (2 = first retry). */
  attempt: 'odx.retry.attempt',
  /** Epoch ms before which the retry must not be processed. */
  notBefore: 'odx.retry.not-before',
} as const;

const MAX_MESSAGE = 1_000;

export interface FailureContext {
  originalTopic: string;
  receivedTopic: string;
  partition: number;
  offset: string;
  /** The attempt that just failed (1 = first delivery). */
  attempt: number;
  failure: FailureClassification;
}

/** Original coordinates survive retries: the first failure's values are kept. */
function carryContext(headers: Record<string, string>, ctx: FailureContext, now: number): Record<string, string> {
  return {
    ...headers,
    [ERROR_HEADERS.originalTopic]: headers[ERROR_HEADERS.originalTopic] ?? ctx.originalTopic,
    [ERROR_HEADERS.originalPartition]: headers[ERROR_HEADERS.originalPartition] ?? String(ctx.partition),
    [ERROR_HEADERS.originalOffset]: headers[ERROR_HEADERS.originalOffset] ?? ctx.offset,
    [ERROR_HEADERS.firstFailureTime]: headers[ERROR_HEADERS.firstFailureTime] ?? new Date(now).toISOString(),
    [ERROR_HEADERS.lastFailureTime]: new Date(now).toISOString(),
    [ERROR_HEADERS.receivedTopic]: ctx.receivedTopic,
    [ERROR_HEADERS.attempt]: String(ctx.attempt),
    [ERROR_HEADERS.kind]: ctx.failure.kind,
    [ERROR_HEADERS.errorClass]: ctx.failure.errorClass,
    [ERROR_HEADERS.message]: ctx.failure.message.slice(0, MAX_MESSAGE),
  };
}

export function buildRetryHeaders(
  headers: Record<string, string>,
  ctx: FailureContext & { notBefore: number },
  now = Date.now(),
): Record<string, string> {
  return {
    ...carryContext(headers, ctx, now),
    [RETRY_HEADERS.attempt]: String(ctx.attempt + 1),
    [RETRY_HEADERS.notBefore]: String(ctx.notBefore),
  };
}

export function buildDlqHeaders(
  headers: Record<string, string>,
  ctx: FailureContext & { group: string },
  now = Date.now(),
): Record<string, string> {
  const out = carryContext(headers, ctx, now);
  delete out[RETRY_HEADERS.notBefore];
  delete out[RETRY_HEADERS.attempt];
  out[ERROR_HEADERS.consumerGroup] = ctx.group;
  return out;
}

/** Retry bookkeeping read from a message's headers (defaults for first deliveries). */
export function readRetryState(headers: Record<string, string>): { attempt: number; notBefore: number } {
  const attempt = Number(headers[RETRY_HEADERS.attempt] ?? '1');
  const notBefore = Number(headers[RETRY_HEADERS.notBefore] ?? '0');
  return {
    attempt: Number.isInteger(attempt) && attempt >= 1 ? attempt : 1,
    notBefore: Number.isFinite(notBefore) ? notBefore : 0,
  };
}
