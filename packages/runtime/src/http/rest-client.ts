import { Circuit, type CircuitBreakerOptions } from '../resilience/circuit-breaker.js';
import { classifyHttpStatus, errorMessage, PermanentError, TransientError } from '../resilience/errors.js';

/** An RFC 9457 problem+json body, as far as a client reads it. */
export interface RemoteProblem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: Array<{ field?: string; message?: string }>;
}

export interface RestClientOptions {
  /** How errors name the remote system, e.g. "WMS". */
  system: string;
  /** Prefix of error classes, e.g. "wms" (wms.timeout, wms.http.503, wms.validation). */
  errorClassPrefix: string;
  url: string;
  /** Sent as a bearer token when set. */
  apiKey: string | null;
  /** Per-request timeout. */
  timeoutMs: number;
  circuit: Omit<CircuitBreakerOptions, 'timeoutMs'>;
  /** A system-specific error class for a permanent answer (e.g. 409 already_shipped); default: validation for 400/422. */
  permanentErrorClass?: (status: number, problem: RemoteProblem) => string | undefined;
}

/**
 * A JSON REST API behind one circuit breaker, with every failure classified:
 * timeouts, connection errors, 5xx, 408 and 429 are TransientError (carrying
 * the remote's Retry-After), other 4xx PermanentError with the remote's own
 * problem+json message. 2xx and 3xx answers come back parsed.
 */
export class RestClient {
  readonly circuit: Circuit;

  constructor(private readonly options: RestClientOptions) {
    // The breaker's own timeout sits above the request's, so a slow remote fails
    // as a classified `<prefix>.timeout` rather than an anonymous breaker timeout.
    this.circuit = new Circuit(options.errorClassPrefix, { ...options.circuit, timeoutMs: options.timeoutMs + 1_000 });
  }

  call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const { system, errorClassPrefix: prefix } = this.options;
    return this.circuit.fire(async () => {
      const what = `${method} ${path.split('?')[0]}`;
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${this.options.url}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(this.options.apiKey ? { authorization: `Bearer ${this.options.apiKey}` } : {}),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        const timeout = (err as { name?: string }).name === 'TimeoutError';
        throw new TransientError(
          `${system} ${what}: ${timeout ? `no answer within ${this.options.timeoutMs} ms` : `unreachable (${describe(err)})`}`,
          {
            errorClass: timeout ? `${prefix}.timeout` : `${prefix}.unreachable`,
            cause: err,
          },
        );
      }
      const parsed = parseJson(text);
      const c = classifyHttpStatus(res.status, res.headers.get('retry-after'));
      if (!c) return { status: res.status, body: parsed };
      const problem = (parsed ?? {}) as RemoteProblem;
      const message = `${system} ${what} answered ${res.status}${problem.code ? ` ${problem.code}` : ''}: ${problemText(problem, text)}`;
      if (c.kind === 'transient') {
        throw new TransientError(message, {
          errorClass: `${prefix}.http.${res.status}`,
          ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}),
        });
      }
      const errorClass =
        this.options.permanentErrorClass?.(res.status, problem) ??
        (res.status === 422 || res.status === 400 ? `${prefix}.validation` : `${prefix}.http.${res.status}`);
      throw new PermanentError(message, { errorClass });
    });
  }

  shutdown(): void {
    this.circuit.shutdown();
  }
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

function problemText(p: RemoteProblem, raw: string): string {
  const fields = (p.errors ?? []).map((e) => `${e.field ?? '(body)'}: ${e.message ?? 'invalid'}`);
  const head = p.detail ?? p.title ?? (raw.slice(0, 200) || 'no body');
  return fields.length > 0 ? `${head} (${fields.join('; ')})` : head;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(err);
}
