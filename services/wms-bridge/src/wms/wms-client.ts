import { Circuit, PermanentError, TransientError, classifyHttpStatus, type CircuitBreakerOptions } from '@odx/runtime';
import { inventoryListSchema, outboundOrderSchema, type CreateOutboundOrderRequest, type WmsOutboundOrder, type WmsStockRow } from './wms-types.js';

export interface WmsClientOptions {
  url: string;
  /** Sent as a bearer token when set. */
  apiKey: string | null;
  /** Per-request timeout. */
  timeoutMs: number;
  circuit: Omit<CircuitBreakerOptions, 'timeoutMs'>;
}

/** A WMS problem+json body (RFC 9457) as far as the bridge reads it. */
interface WmsProblem {
  code?: string;
  detail?: string;
  title?: string;
  errors?: Array<{ field?: string; message?: string }>;
}

/**
 * The WMS REST API. Every call goes through one circuit; 5xx, 408, 429,
 * timeouts and connection errors are TransientError (with the remote's
 * Retry-After), other 4xx PermanentError carrying the WMS's own message.
 */
export class WmsClient {
  readonly circuit: Circuit;

  constructor(private readonly o: WmsClientOptions) {
    // The breaker's own timeout sits above the request's, so a slow WMS fails as
    // a classified `wms.timeout` rather than an anonymous breaker timeout.
    this.circuit = new Circuit('wms', { ...o.circuit, timeoutMs: o.timeoutMs + 1_000 });
  }

  /** Creates the outbound order, or returns the one the WMS already has for `externalRef`. */
  async createOrder(request: CreateOutboundOrderRequest, idempotencyKey: string): Promise<{ order: WmsOutboundOrder; created: boolean }> {
    const { status, body } = await this.call('POST', '/v1/outbound-orders', request, { 'idempotency-key': idempotencyKey });
    return { order: parseOrder(body), created: status === 201 };
  }

  /** The order with this external reference, or null. */
  async findByExternalRef(externalRef: string): Promise<WmsOutboundOrder | null> {
    const { body } = await this.call('GET', `/v1/outbound-orders?externalRef=${encodeURIComponent(externalRef)}`);
    const items = (body as { items?: unknown[] } | null)?.items;
    if (!Array.isArray(items)) throw new PermanentError('WMS answered an order list without items', { errorClass: 'wms.bad-response' });
    return items.length === 0 ? null : parseOrder(items[0]);
  }

  async getOrder(id: string): Promise<WmsOutboundOrder | null> {
    try {
      return parseOrder((await this.call('GET', `/v1/outbound-orders/${encodeURIComponent(id)}`)).body);
    } catch (err) {
      if (err instanceof PermanentError && err.errorClass === 'wms.http.404') return null;
      throw err;
    }
  }

  /** Cancels an order not yet shipped (idempotent on the WMS); `wms.already-shipped` once shipped. */
  async cancelOrder(id: string, reason: string | null): Promise<WmsOutboundOrder> {
    const { body } = await this.call('POST', `/v1/outbound-orders/${encodeURIComponent(id)}/cancel`, reason ? { reason } : {});
    return parseOrder(body);
  }

  /** Stock of every SKU the WMS holds in one (WMS) warehouse. */
  async inventory(warehouse: string): Promise<WmsStockRow[]> {
    const { body } = await this.call('GET', `/v1/inventory?warehouse=${encodeURIComponent(warehouse)}`);
    const parsed = inventoryListSchema.safeParse(body);
    if (!parsed.success) {
      throw new PermanentError(`WMS answered inventory we cannot read: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { errorClass: 'wms.bad-response' });
    }
    return parsed.data.items;
  }

  shutdown(): void {
    this.circuit.shutdown();
  }

  private call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    return this.circuit.fire(async () => {
      const what = `${method} ${path.split('?')[0]}`;
      let res: Response;
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
      } catch (err) {
        const timeout = (err as { name?: string }).name === 'TimeoutError';
        throw new TransientError(`WMS ${what}: ${timeout ? `no answer within ${this.o.timeoutMs} ms` : `unreachable (${describe(err)})`}`, {
          errorClass: timeout ? 'wms.timeout' : 'wms.unreachable', cause: err,
        });
      }
      const text = await res.text().catch(() => '');
      const parsed = parseJson(text);
      const c = classifyHttpStatus(res.status, res.headers.get('retry-after'));
      if (!c) return { status: res.status, body: parsed };
      const problem = (parsed ?? {}) as WmsProblem;
      const message = `WMS ${what} answered ${res.status}${problem.code ? ` ${problem.code}` : ''}: ${problemText(problem, text)}`;
      if (c.kind === 'transient') {
        throw new TransientError(message, { errorClass: `wms.http.${res.status}`, ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}) });
      }
      const errorClass = res.status === 409 && problem.code === 'already_shipped' ? 'wms.already-shipped'
        : res.status === 422 || res.status === 400 ? 'wms.validation' : `wms.http.${res.status}`;
      throw new PermanentError(message, { errorClass });
    });
  }
}

function parseOrder(body: unknown): WmsOutboundOrder {
  const parsed = outboundOrderSchema.safeParse(body);
  if (!parsed.success) {
    throw new PermanentError(`WMS answered an order we cannot read: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, { errorClass: 'wms.bad-response' });
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return null;
  }
}

function problemText(p: WmsProblem, raw: string): string {
  const fields = (p.errors ?? []).map((e) => `${e.field ?? '(body)'}: ${e.message ?? 'invalid'}`);
  const head = p.detail ?? p.title ?? (raw.slice(0, 200) || 'no body');
  return fields.length > 0 ? `${head} (${fields.join('; ')})` : head;
}

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}
