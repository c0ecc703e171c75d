/**
 * How a failure should be handled:
 * - transient: may succeed later (network, 5xx, 429, timeouts, open circuit) -> retry topics
 * - permanent: will fail the same way every time (validation, 4xx, business rule) -> DLQ
 * - poison: the message itself cannot be read (undecodable, unknown schema) -> DLQ
 */
export type FailureKind = 'transient' | 'permanent' | 'poison';

export interface OdxErrorOptions {
  /** Stable machine-readable class, e.g. `wms.validation`, `serde.unknown-schema`. */
  errorClass?: string;
  cause?: unknown;
  /** For transient errors: when the remote asked us to come back (Retry-After). */
  retryAfterMs?: number;
}

/** Base of ODX errors: carries the facts retry and DLQ routing branch on. */
export class OdxError extends Error {
  readonly kind: FailureKind;
  readonly errorClass: string;
  readonly retryAfterMs: number | undefined;
  constructor(kind: FailureKind, message: string, options: OdxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OdxError';
    this.kind = kind;
    this.errorClass = options.errorClass ?? kind;
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class TransientError extends OdxError {
  constructor(message: string, options: OdxErrorOptions = {}) {
    super('transient', message, { errorClass: 'transient', ...options });
    this.name = 'TransientError';
  }
}

export class PermanentError extends OdxError {
  constructor(message: string, options: OdxErrorOptions = {}) {
    super('permanent', message, { errorClass: 'permanent', ...options });
    this.name = 'PermanentError';
  }
}

export class PoisonMessageError extends OdxError {
  constructor(message: string, options: OdxErrorOptions = {}) {
    super('poison', message, { errorClass: 'poison', ...options });
    this.name = 'PoisonMessageError';
  }
}

/** Control-flow signal: a downstream circuit is open, so the consumer should pause, not retry. */
export class CircuitOpenError extends OdxError {
  readonly circuitOpen = true;
  constructor(
    readonly circuit: string,
    options: OdxErrorOptions = {},
  ) {
    super('transient', `circuit "${circuit}" is open`, { errorClass: 'circuit-open', ...options });
    this.name = 'CircuitOpenError';
  }
}

export interface FailureClassification {
  kind: FailureKind;
  errorClass: string;
  message: string;
  circuitOpen: boolean;
  retryAfterMs: number | undefined;
}

const TRANSIENT_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'ETIMEOUT',
]);

function prop(err: unknown, key: string): unknown {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>)[key] : undefined;
}

/**
 * Decides transient / permanent / poison for any thrown value, reading properties
 * (kind, retriable, code, status) rather than instanceof chains so errors from
 * kafkajs, mongodb, fetch, opossum and zod classify without wrappers.
 */
export function classifyError(err: unknown): FailureClassification {
  const message = errorMessage(err);
  const base = { message, circuitOpen: false, retryAfterMs: undefined as number | undefined };
  if (err instanceof OdxError) {
    return {
      ...base,
      kind: err.kind,
      errorClass: err.errorClass,
      circuitOpen: err instanceof CircuitOpenError,
      retryAfterMs: err.retryAfterMs,
    };
  }
  const code = prop(err, 'code');
  if (code === 'EOPENBREAKER') return { ...base, kind: 'transient', errorClass: 'circuit-open', circuitOpen: true };
  if (code === 'ETIMEDOUT' && prop(err, 'name') === 'Error' && /Timed out after/.test(message)) {
    return { ...base, kind: 'transient', errorClass: 'timeout' };
  }
  if (typeof code === 'string' && TRANSIENT_NODE_CODES.has(code)) {
    return { ...base, kind: 'transient', errorClass: `network.${code.toLowerCase()}` };
  }
  const cause = prop(err, 'cause');
  const causeCode = prop(cause, 'code');
  if (typeof causeCode === 'string' && TRANSIENT_NODE_CODES.has(causeCode)) {
    return { ...base, kind: 'transient', errorClass: `network.${causeCode.toLowerCase()}` };
  }
  // kafkajs errors say whether they can be retried.
  const retriable = prop(err, 'retriable');
  if (typeof retriable === 'boolean' && typeof prop(err, 'type') === 'string') {
    return { ...base, kind: retriable ? 'transient' : 'permanent', errorClass: `kafka.${String(prop(err, 'type')).toLowerCase()}` };
  }
  const name = prop(err, 'name');
  if (name === 'ZodError') return { ...base, kind: 'permanent', errorClass: 'validation' };
  if (name === 'MongoNetworkError' || name === 'MongoServerSelectionError' || name === 'MongoNetworkTimeoutError') {
    return { ...base, kind: 'transient', errorClass: 'mongo.unavailable' };
  }
  if (name === 'AbortError' || name === 'TimeoutError') return { ...base, kind: 'transient', errorClass: 'timeout' };
  // Unknown failures are retried: the retry chain ends in the DLQ anyway, and a
  // bug fixed within the retry window then costs nothing.
  return { ...base, kind: 'transient', errorClass: typeof name === 'string' && name !== 'Error' ? name : 'unknown' };
}

/** Classifies an HTTP response status from an external system. */
export function classifyHttpStatus(status: number, retryAfterHeader?: string | null): FailureClassification | undefined {
  if (status < 400) return undefined;
  const retryAfterMs = parseRetryAfter(retryAfterHeader);
  const base = { message: `HTTP ${status}`, circuitOpen: false, retryAfterMs };
  if (status === 429) return { ...base, kind: 'transient', errorClass: 'http.429' };
  if (status === 408 || status === 425 || status >= 500) return { ...base, kind: 'transient', errorClass: `http.${status}` };
  return { ...base, kind: 'permanent', errorClass: `http.${status}` };
}

/** Retry-After as delta-seconds or an HTTP date, in ms from now. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // An HTTP-date always names a weekday or month; bare numbers like "-5" are invalid.
  const at = /[a-z]/i.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The message of an error, or the thrown value as text when it is not an Error (for logs and problem details). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Whether a Kafka client error says that trying again may work (kafkajs marks
 * its errors `retriable`: an unknown topic-partition while metadata catches up,
 * a coordinator loading, a leader moving).
 */
export function isRetriableClientError(err: unknown): boolean {
  return err instanceof Error && 'retriable' in err && err.retriable === true;
}
