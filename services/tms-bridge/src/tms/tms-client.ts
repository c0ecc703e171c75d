import { PermanentError, RestClient, TransientError, type Circuit, type CircuitBreakerOptions } from '@odx/runtime';
import { parseShipmentPage, type ShipmentPage } from './shipment-page.js';
import {
  rateResponseSchema,
  tmsShipmentSchema,
  type BookingRequest,
  type RateRequest,
  type RateResponse,
  type TmsShipment,
} from './tms-types.js';

export interface TmsClientOptions {
  url: string;
  /** Sent as a bearer token when set. */
  apiKey: string | null;
  /** Per-request timeout. */
  timeoutMs: number;
  circuit: Omit<CircuitBreakerOptions, 'timeoutMs'>;
}

/**
 * The TMS REST API. Every call goes through one circuit; 5xx, 408, 429,
 * timeouts and connection errors are TransientError (with the remote's
 * Retry-After), other 4xx PermanentError carrying the TMS's own message.
 */
export class TmsClient {
  private readonly rest: RestClient;

  constructor(o: TmsClientOptions) {
    this.rest = new RestClient({
      system: 'TMS',
      errorClassPrefix: 'tms',
      ...o,
      permanentErrorClass: (status, problem) =>
        problem.code === 'quote_expired' || problem.code === 'unknown_quote'
          ? `tms.${problem.code}`
          : status === 409 && problem.code === 'already_collected'
            ? 'tms.already-collected'
            : undefined,
    });
  }

  get circuit(): Circuit {
    return this.rest.circuit;
  }

  async rates(request: RateRequest): Promise<RateResponse> {
    const { body } = await this.rest.call('POST', '/v1/rates', request);
    const parsed = rateResponseSchema.safeParse(body);
    if (!parsed.success)
      throw new PermanentError(`TMS answered rates we cannot read: ${issues(parsed.error)}`, { errorClass: 'tms.bad-response' });
    return parsed.data;
  }

  /** Books (idempotent by `reference` on the TMS); `created` is false when the TMS replayed an earlier booking. */
  async book(request: BookingRequest): Promise<{ shipment: TmsShipment; created: boolean }> {
    const { status, body } = await this.rest.call('POST', '/v1/shipments', request, { 'idempotency-key': request.reference });
    return { shipment: parseShipment(body), created: status === 201 };
  }

  /** The booking made under this client reference, or null: how a lost booking answer is recovered. */
  async findByReference(reference: string): Promise<TmsShipment | null> {
    const { body } = await this.rest.call('GET', `/v1/shipments?reference=${encodeURIComponent(reference)}`);
    const items = (body as { items?: unknown[] } | null)?.items;
    if (!Array.isArray(items)) throw new PermanentError('TMS answered a shipment list without items', { errorClass: 'tms.bad-response' });
    return items.length === 0 ? null : parseShipment(items[0]);
  }

  /** One page of shipments, ordered by (updatedAt, id): those changed at or after `updatedSince`, of one `orderRef`, or with one `reference`. */
  async listShipments(q: {
    updatedSince?: Date;
    orderRef?: string;
    reference?: string;
    limit: number;
    pageToken?: string | null;
  }): Promise<ShipmentPage> {
    const query = new URLSearchParams({ limit: String(q.limit) });
    if (q.updatedSince) query.set('updatedSince', q.updatedSince.toISOString());
    if (q.orderRef !== undefined) query.set('orderRef', q.orderRef);
    if (q.reference !== undefined) query.set('reference', q.reference);
    if (q.pageToken) query.set('pageToken', q.pageToken);
    return parseShipmentPage((await this.rest.call('GET', `/v1/shipments?${query.toString()}`)).body);
  }

  /** Voids a booking not yet collected (idempotent on the TMS); `tms.already-collected` once the carrier has it. */
  async voidShipment(id: string): Promise<TmsShipment> {
    const { body } = await this.rest.call('POST', `/v1/shipments/${encodeURIComponent(id)}/void`, {});
    return parseShipment(body);
  }

  shutdown(): void {
    this.rest.shutdown();
  }
}

/** True for failures after which a booking may have been made without us hearing of it. */
export function answerMayBeLost(err: unknown): boolean {
  if (!(err instanceof TransientError)) return false;
  return err.errorClass === 'tms.timeout' || err.errorClass === 'tms.unreachable' || /^tms\.http\.5\d\d$/.test(err.errorClass ?? '');
}

function parseShipment(body: unknown): TmsShipment {
  const parsed = tmsShipmentSchema.safeParse(body);
  if (!parsed.success)
    throw new PermanentError(`TMS answered a shipment we cannot read: ${issues(parsed.error)}`, { errorClass: 'tms.bad-response' });
  return parsed.data;
}

function issues(e: { issues: Array<{ path: PropertyKey[]; message: string }> }): string {
  return e.issues
    .slice(0, 3)
    .map((i) => `${i.path.map(String).join('.')}: ${i.message}`)
    .join('; ');
}
