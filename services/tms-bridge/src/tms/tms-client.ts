import { Circuit, PermanentError, TransientError, classifyHttpStatus, type CircuitBreakerOptions } from '@odx/runtime';
import { rateResponseSchema, tmsShipmentSchema, type BookingRequest, type RateRequest, type RateResponse, type TmsShipment } from './tms-types.js';

export interface TmsClientOptions {
  url: string;
  /** Sent as a bearer token when set. */
  apiKey: string | null;
  /** Per-request timeout. */
  timeoutMs: number;
  circuit: Omit<CircuitBreakerOptions, 'timeoutMs'>;
}

interface TmsProblem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: Array<{ field?: string; message?: string }>;
}

/**
 * The TMS REST API. Every call goes through one circuit; 5xx, 408, 429,
 * timeouts and connection errors are TransientError (with the remote's
 * Retry-After), other 4xx PermanentError carrying the TMS's own message.
 */
export class TmsClient {
  readonly circuit: Circuit;

  constructor(private readonly o: TmsClientOptions) {
    this.circuit = new Circuit('tms', { ...o.circuit, timeoutMs: o.timeoutMs + 1_000 });
  }

  async rates(request: RateRequest): Promise<RateResponse> {
    const { body } = await this.call('POST', '/v1/rates', request);
    const parsed = rateResponseSchema.safeParse(body);
    if (!parsed.success) throw new PermanentError(`TMS answered rates we cannot read: ${issues(parsed.error)}`, { errorClass: 'tms.bad-response' });
    return parsed.data;
  }

  /** Books (idempotent by `reference` on the TMS); `created` is false when the TMS replayed an earlier booking. */
  async book(request: BookingRequest): Promise<{ shipment: TmsShipment; created: boolean }> {
    const { status, body } = await this.call('POST', '/v1/shipments', request, { 'idempotency-key': request.reference });
    return { shipment: parseShipment(body), created: status === 201 };
  }

  /** The booking made under this client reference, or null: how a lost booking answer is recovered. */
  async findByReference(reference: string): Promise<TmsShipment | null> {
    const { body } = await this.call('GET', `/v1/shipments?reference=${encodeURIComponent(reference)}`);
    const items = (body as { items?: unknown[] } | null)?.items;
    if (!Array.isArray(items)) throw new PermanentError('TMS answered a shipment list without items', { errorClass: 'tms.bad-response' });
    return items.length === 0 ? null : parseShipment(items[0]);
  }

  /** Voids a booking not yet collected (idempotent on the TMS); `tms.already-collected` once the carrier has it. */
  async voidShipment(id: string): Promise<TmsShipment> {
    const { body } = await this.call('POST', `/v1/shipments/${encodeURIComponent(id)}/void`, {});
    return parseShipment(body);
  }

  shutdown(): void {
    this.circuit.shutdown();
  }

  private call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    return this.circuit.fire(async () => {
      const what = `${method} ${path.split('?')[0]}`;
      let res: Response;
      let text: string;
      try {
        res = await fetch(`${this.o.url}${path}`, {
          method,
          headers: {
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(this.o.apiKey ? { authorization: `Bearer ${this.o.apiKey}` } : {}),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        text = await res.text();
      } catch (err) {
        const timeout = (err as { name?: string }).name === 'TimeoutError';
        throw new TransientError(`TMS ${what}: ${timeout ? `no answer within ${this.o.timeoutMs} ms` : `unreachable (${describe(err)})`}`, {
          errorClass: timeout ? 'tms.timeout' : 'tms.unreachable', cause: err,
        });
      }
      const parsed = parseJson(text);
      const c = classifyHttpStatus(res.status, res.headers.get('retry-after'));
      if (!c) return { status: res.status, body: parsed };
      const problem = (parsed ?? {}) as TmsProblem;
      const message = `TMS ${what} answered ${res.status}${problem.code ? ` ${problem.code}` : ''}: ${problemText(problem, text)}`;
      if (c.kind === 'transient') {
        throw new TransientError(message, { errorClass: `tms.http.${res.status}`, ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}) });
      }
      const errorClass = problem.code === 'quote_expired' || problem.code === 'unknown_quote' ? `tms.${problem.code}`
        : res.status === 409 && problem.code === 'already_collected' ? 'tms.already-collected'
        : res.status === 422 || res.status === 400 ? 'tms.validation' : `tms.http.${res.status}`;
      throw new PermanentError(message, { errorClass });
    });
  }
}

/** True for failures after which a booking may have been made without us hearing of it. */
export function answerMayBeLost(err: unknown): boolean {
  if (!(err instanceof TransientError)) return false;
  return err.errorClass === 'tms.timeout' || err.errorClass === 'tms.unreachable' || /^tms\.http\.5\d\d$/.test(err.errorClass ?? '');
}

function parseShipment(body: unknown): TmsShipment {
  const parsed = tmsShipmentSchema.safeParse(body);
  if (!parsed.success) throw new PermanentError(`TMS answered a shipment we cannot read: ${issues(parsed.error)}`, { errorClass: 'tms.bad-response' });
  return parsed.data;
}

function issues(e: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return e.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.')}: ${i.message}`).join('; ');
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

function problemText(p: TmsProblem, raw: string): string {
  const fields = (p.errors ?? []).map((e) => `${e.field ?? '(body)'}: ${e.message ?? 'invalid'}`);
  const head = p.detail ?? p.title ?? (raw.slice(0, 200) || 'no body');
  return fields.length > 0 ? `${head} (${fields.join('; ')})` : head;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
