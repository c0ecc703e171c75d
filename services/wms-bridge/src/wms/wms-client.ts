import { PermanentError, RestClient, type Circuit, type CircuitBreakerOptions } from '@odx/runtime';
import { parseOrderPage, type OrderPage } from './order-page.js';
import {
  inboundOrderSchema,
  inventoryListSchema,
  outboundOrderSchema,
  type CreateInboundOrderRequest,
  type CreateOutboundOrderRequest,
  type WmsInboundOrder,
  type WmsOutboundOrder,
  type WmsStockRow,
} from './wms-types.js';

export interface WmsClientOptions {
  url: string;
  /** Sent as a bearer token when set. */
  apiKey: string | null;
  /** Per-request timeout. */
  timeoutMs: number;
  circuit: Omit<CircuitBreakerOptions, 'timeoutMs'>;
}

/**
 * The WMS REST API. Every call goes through one circuit; 5xx, 408, 429,
 * timeouts and connection errors are TransientError (with the remote's
 * Retry-After), other 4xx PermanentError carrying the WMS's own message.
 */
export class WmsClient {
  private readonly rest: RestClient;

  constructor(o: WmsClientOptions) {
    this.rest = new RestClient({
      system: 'WMS',
      errorClassPrefix: 'wms',
      ...o,
      permanentErrorClass: (status, problem) => (status === 409 && problem.code === 'already_shipped' ? 'wms.already-shipped' : undefined),
    });
  }

  get circuit(): Circuit {
    return this.rest.circuit;
  }

  /** Creates the outbound order, or returns the one the WMS already has for `externalRef`. */
  async createOrder(request: CreateOutboundOrderRequest, idempotencyKey: string): Promise<{ order: WmsOutboundOrder; created: boolean }> {
    const { status, body } = await this.rest.call('POST', '/v1/outbound-orders', request, { 'idempotency-key': idempotencyKey });
    return { order: parseOrder(body), created: status === 201 };
  }

  /** Creates the inbound order (an expected receipt), or returns the one the WMS already has for `externalRef`. */
  async createInboundOrder(
    request: CreateInboundOrderRequest,
    idempotencyKey: string,
  ): Promise<{ order: WmsInboundOrder; created: boolean }> {
    const { status, body } = await this.rest.call('POST', '/v1/inbound-orders', request, { 'idempotency-key': idempotencyKey });
    const parsed = inboundOrderSchema.safeParse(body);
    if (!parsed.success) {
      throw new PermanentError(`WMS answered an inbound order we cannot read: ${parsed.error.issues[0]?.message ?? 'invalid'}`, {
        errorClass: 'wms.bad-response',
      });
    }
    return { order: parsed.data, created: status === 201 };
  }

  /** The order with this external reference, or null. */
  async findByExternalRef(externalRef: string): Promise<WmsOutboundOrder | null> {
    const { body } = await this.rest.call('GET', `/v1/outbound-orders?externalRef=${encodeURIComponent(externalRef)}`);
    const items = (body as { items?: unknown[] } | null)?.items;
    if (!Array.isArray(items)) throw new PermanentError('WMS answered an order list without items', { errorClass: 'wms.bad-response' });
    return items.length === 0 ? null : parseOrder(items[0]);
  }

  /** One page of orders, ordered by (updatedAt, id): those changed at or after `updatedSince`, or the one with `externalRef`. */
  async listOrders(q: { updatedSince?: Date; externalRef?: string; limit: number; pageToken?: string | null }): Promise<OrderPage> {
    const query = new URLSearchParams({ limit: String(q.limit) });
    if (q.updatedSince) query.set('updatedSince', q.updatedSince.toISOString());
    if (q.externalRef !== undefined) query.set('externalRef', q.externalRef);
    if (q.pageToken) query.set('pageToken', q.pageToken);
    return parseOrderPage((await this.rest.call('GET', `/v1/outbound-orders?${query.toString()}`)).body);
  }

  async getOrder(id: string): Promise<WmsOutboundOrder | null> {
    try {
      return parseOrder((await this.rest.call('GET', `/v1/outbound-orders/${encodeURIComponent(id)}`)).body);
    } catch (err) {
      if (err instanceof PermanentError && err.errorClass === 'wms.http.404') return null;
      throw err;
    }
  }

  /** Cancels an order not yet shipped (idempotent on the WMS); `wms.already-shipped` once shipped. */
  async cancelOrder(id: string, reason: string | null): Promise<WmsOutboundOrder> {
    const { body } = await this.rest.call('POST', `/v1/outbound-orders/${encodeURIComponent(id)}/cancel`, reason ? { reason } : {});
    return parseOrder(body);
  }

  /** Stock of every SKU the WMS holds in one (WMS) warehouse. */
  async inventory(warehouse: string): Promise<WmsStockRow[]> {
    const { body } = await this.rest.call('GET', `/v1/inventory?warehouse=${encodeURIComponent(warehouse)}`);
    const parsed = inventoryListSchema.safeParse(body);
    if (!parsed.success) {
      throw new PermanentError(
        `WMS answered inventory we cannot read: ${parsed.error.issues
          .slice(0, 3)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
        { errorClass: 'wms.bad-response' },
      );
    }
    return parsed.data.items;
  }

  shutdown(): void {
    this.rest.shutdown();
  }
}

function parseOrder(body: unknown): WmsOutboundOrder {
  const parsed = outboundOrderSchema.safeParse(body);
  if (!parsed.success) {
    throw new PermanentError(
      `WMS answered an order we cannot read: ${parsed.error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ')}`,
      { errorClass: 'wms.bad-response' },
    );
  }
  return parsed.data;
}
