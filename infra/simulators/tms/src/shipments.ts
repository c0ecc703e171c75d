import { ApiError, pageByUpdatedAt, randomId, SequenceIds, type Page, type TimerSet, type WebhookDispatcher } from '@odx/sim-wms/kit';
import { CARRIERS, findService, type Carrier, type CarrierService } from './carriers.js';
import type { CompiledTmsOptions } from './options.js';
import { formatCents, priceService, type PriceRequest } from './price-service.js';
import type { BookingRequest, RateQuote, RateRequest, Shipment, ShipmentAddress, TrackingEvent, TrackingStatus } from './shipment.js';

export interface RateResponse {
  requestId: string;
  rates: RateQuote[];
  /** Why a carrier or service gave no quote. */
  messages: Array<{ carrier: string; service: string; code: string; text: string }>;
}

interface StoredQuote {
  quote: RateQuote;
  request: PriceRequest;
  carrier: Carrier;
  service: CarrierService;
  expiresAt: number;
}

interface Timeline {
  /** Milestones reached along MILESTONES. */
  reached: number;
  handle: NodeJS.Timeout | undefined;
  delayed: boolean;
  stopped: boolean;
}

const MILESTONES: readonly Exclude<TrackingStatus, 'exception'>[] = ['picked_up', 'in_transit', 'out_for_delivery', 'delivered'];
/** Exceptions after which the carrier does not go on. */
const TERMINAL_EXCEPTIONS = new Set(['LOST', 'REFUSED']);

export interface ShipmentsDeps {
  options: CompiledTmsOptions;
  webhooks: WebhookDispatcher;
  timers: TimerSet;
  /** The simulator's base URL, for label links. */
  baseUrl: () => string;
  random: () => number;
}

/** Quotes, bookings and the tracking timeline of the simulated carriers. */
export class Shipments {
  readonly #deps: ShipmentsDeps;
  readonly #quotes = new Map<string, StoredQuote>();
  readonly #shipments = new Map<string, Shipment>();
  readonly #byReference = new Map<string, string>();
  readonly #timelines = new Map<string, Timeline>();
  readonly #ids = new SequenceIds('SHP-');
  readonly #labels = new SequenceIds('LBL-');
  readonly #events = new SequenceIds('EVT-', 8);
  #trackingSerial = 1;

  constructor(deps: ShipmentsDeps) {
    this.#deps = deps;
  }

  /** Quotes every carrier service that can carry the packages, cheapest first. */
  quote(request: RateRequest): RateResponse {
    this.#pruneQuotes();
    const priceRequest: PriceRequest = { shipFrom: request.shipFrom, shipTo: request.shipTo, packages: request.packages, shipDate: request.shipDate ?? today() };
    const rates: RateQuote[] = [];
    const messages: RateResponse['messages'] = [];
    const expiresAt = Date.now() + this.#deps.options.quoteTtlMs;
    for (const carrier of CARRIERS) {
      for (const service of carrier.services) {
        if (request.serviceLevel !== undefined && service.level !== request.serviceLevel) continue;
        const priced = priceService(carrier, service, priceRequest);
        if (!priced.ok) {
          messages.push({ carrier: carrier.code, service: service.code, code: priced.code, text: priced.text });
          continue;
        }
        const quote: RateQuote = {
          quoteId: randomId('qt'),
          carrier: { code: carrier.code, name: carrier.name, scac: carrier.scac },
          service: { code: service.code, name: service.name, level: service.level },
          price: { amount: formatCents(priced.cents), currency: this.#deps.options.currency },
          transitDays: priced.transitDays,
          estimatedDeliveryDate: priced.estimatedDeliveryDate,
          billableWeightKg: priced.billableWeightKg,
          expiresAt: new Date(expiresAt).toISOString(),
        };
        this.#quotes.set(quote.quoteId, { quote, request: priceRequest, carrier, service, expiresAt });
        rates.push(quote);
      }
    }
    rates.sort((a, b) => Number(a.price.amount) - Number(b.price.amount) || a.transitDays - b.transitDays);
    return { requestId: randomId('rr'), rates, messages };
  }

  /** Books once per reference; a repeat returns the first booking (`created: false`). */
  book(request: BookingRequest): { shipment: Shipment; created: boolean } {
    const existing = this.findByReference(request.reference);
    if (existing !== undefined) return { shipment: existing, created: false };

    const { carrier, service, priceRequest, quoteId } = this.#resolveService(request);
    const priced = priceService(carrier, service, priceRequest);
    if (!priced.ok) throw new ApiError(422, 'not_serviceable', priced.text, [{ field: 'service', message: priced.text, code: priced.code }]);

    const now = new Date();
    const master = this.#trackingNumber(carrier);
    const shipFrom: ShipmentAddress = request.shipFrom ?? priceRequest.shipFrom;
    const shipTo: ShipmentAddress = request.shipTo ?? priceRequest.shipTo;
    const labelRef = this.#labels.next();
    const shipment: Shipment = {
      id: this.#ids.next(),
      reference: request.reference,
      orderRef: request.orderRef ?? null,
      status: 'booked',
      carrier: { code: carrier.code, name: carrier.name, scac: carrier.scac },
      service: { code: service.code, name: service.name, level: service.level },
      quoteId,
      trackingNumber: master,
      packages: priceRequest.packages.map((p, i) => ({
        packageNumber: i + 1,
        packageId: 'packageId' in p && typeof p.packageId === 'string' ? p.packageId : null,
        trackingNumber: carrier.mode === 'ltl' || i === 0 ? master : this.#trackingNumber(carrier),
        weightKg: p.weightKg,
        dimensions: { lengthCm: p.lengthCm, widthCm: p.widthCm, heightCm: p.heightCm },
      })),
      label: { reference: labelRef, url: `${this.#deps.baseUrl()}/v1/labels/${labelRef}.pdf`, format: 'PDF' },
      cost: { amount: formatCents(priced.cents), currency: this.#deps.options.currency },
      transitDays: priced.transitDays,
      shipFrom,
      shipTo,
      estimatedPickupAt: new Date(now.getTime() + this.#deps.options.tracking.pickupMs).toISOString(),
      estimatedDeliveryAt: `${priced.estimatedDeliveryDate}T17:00:00.000Z`,
      events: [],
      version: 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      voidedAt: null,
    };
    this.#shipments.set(shipment.id, shipment);
    this.#byReference.set(shipment.reference, shipment.id);
    this.#timelines.set(shipment.id, { reached: 0, handle: undefined, delayed: false, stopped: false });
    this.#schedule(shipment);
    return { shipment, created: true };
  }

  get(id: string): Shipment | undefined {
    return this.#shipments.get(id);
  }

  findByReference(reference: string): Shipment | undefined {
    const id = this.#byReference.get(reference);
    return id === undefined ? undefined : this.#shipments.get(id);
  }

  list(filter: { reference?: string | undefined; limit: number }): Shipment[] {
    if (filter.reference !== undefined) {
      const found = this.findByReference(filter.reference);
      return found === undefined ? [] : [found];
    }
    return [...this.#shipments.values()].slice(-filter.limit);
  }

  /**
   * `GET /v1/shipments`: the shipments matching the filters, ordered by
   * (updatedAt, id), one page at a time; `updatedSince` keeps those whose last
   * change (booking, tracking event, void) is at or after it.
   */
  page(filter: { reference?: string | undefined; orderRef?: string | undefined; updatedSince?: string | undefined; limit: number; pageToken?: string | undefined }): Page<Shipment> {
    const found = filter.reference === undefined ? undefined : this.findByReference(filter.reference);
    const candidates = filter.reference === undefined ? this.#shipments.values() : found === undefined ? [] : [found];
    const matching = [...candidates].filter((s) => filter.orderRef === undefined || s.orderRef === filter.orderRef);
    return pageByUpdatedAt(matching, filter);
  }

  /** Voids a booking the carrier has not collected yet (idempotent); 409 afterwards. */
  void(id: string): Shipment {
    const shipment = this.#require(id);
    if (shipment.status === 'voided') return shipment;
    if (shipment.status !== 'booked') {
      throw new ApiError(409, 'already_collected', `Shipment ${id} is ${shipment.status}; only booked shipments can be voided`);
    }
    this.#stop(shipment.id);
    shipment.status = 'voided';
    shipment.voidedAt = new Date().toISOString();
    this.#touch(shipment);
    return shipment;
  }

  /** Emits the next milestone now (admin). */
  advance(id: string): Shipment {
    const shipment = this.#require(id);
    const timeline = this.#timelines.get(id)!;
    if (shipment.status === 'voided' || timeline.stopped || timeline.reached >= MILESTONES.length) {
      throw new ApiError(409, 'no_next_step', `Shipment ${id} is ${shipment.status}`);
    }
    this.#deps.timers.cancel(timeline.handle);
    this.#milestone(shipment, timeline);
    return shipment;
  }

  /** Reports an exception now (admin); LOST and REFUSED end the timeline. */
  raiseException(id: string, code: string, description: string): Shipment {
    const shipment = this.#require(id);
    if (shipment.status === 'voided' || shipment.status === 'delivered') {
      throw new ApiError(409, 'no_next_step', `Shipment ${id} is ${shipment.status}`);
    }
    if (TERMINAL_EXCEPTIONS.has(code)) this.#stop(id);
    this.#record(shipment, 'exception', description, code);
    return shipment;
  }

  reset(): void {
    for (const id of this.#timelines.keys()) this.#stop(id);
    this.#timelines.clear();
    this.#quotes.clear();
    this.#shipments.clear();
    this.#byReference.clear();
    this.#ids.reset();
    this.#labels.reset();
    this.#events.reset();
    this.#trackingSerial = 1;
  }

  #resolveService(request: BookingRequest): { carrier: Carrier; service: CarrierService; priceRequest: PriceRequest; quoteId: string | null } {
    if (request.quoteId !== undefined) {
      const stored = this.#quotes.get(request.quoteId);
      if (stored === undefined) {
        throw new ApiError(422, 'unknown_quote', `No quote ${request.quoteId}`, [{ field: 'quoteId', message: 'unknown quote', code: 'unknown_quote' }]);
      }
      if (stored.expiresAt <= Date.now()) {
        throw new ApiError(422, 'quote_expired', `Quote ${request.quoteId} expired at ${stored.quote.expiresAt}; ask for new rates`, [
          { field: 'quoteId', message: 'quote expired', code: 'quote_expired' },
        ]);
      }
      return { carrier: stored.carrier, service: stored.service, priceRequest: { ...stored.request, shipDate: request.shipDate ?? stored.request.shipDate }, quoteId: request.quoteId };
    }
    const found = findService(request.carrier!, request.service!);
    if (found === undefined) {
      throw new ApiError(422, 'unknown_service', `No service ${request.service} at carrier ${request.carrier}`, [
        { field: 'service', message: `unknown; known: ${CARRIERS.flatMap((c) => c.services.map((s) => `${c.code}/${s.code}`)).join(', ')}`, code: 'unknown_service' },
      ]);
    }
    return {
      ...found,
      priceRequest: { shipFrom: request.shipFrom!, shipTo: request.shipTo!, packages: request.packages!, shipDate: request.shipDate ?? today() },
      quoteId: null,
    };
  }

  #schedule(shipment: Shipment): void {
    const timeline = this.#timelines.get(shipment.id);
    const { autoAdvance, tracking } = this.#deps.options;
    if (!autoAdvance || timeline === undefined || timeline.stopped || timeline.reached >= MILESTONES.length) return;
    const delays = [tracking.pickupMs, tracking.inTransitMs, tracking.outForDeliveryMs, tracking.deliveredMs];
    timeline.handle = this.#deps.timers.after(delays[timeline.reached] ?? 0, () => {
      timeline.handle = undefined;
      // A shipment in transit may be delayed once before it goes out for delivery.
      if (MILESTONES[timeline.reached] === 'out_for_delivery' && !timeline.delayed && this.#deps.random() < this.#deps.options.exceptionRate) {
        timeline.delayed = true;
        this.#record(shipment, 'exception', 'Shipment delayed in the carrier network', 'DELAYED');
        this.#schedule(shipment);
        return;
      }
      this.#milestone(shipment, timeline);
    });
  }

  #milestone(shipment: Shipment, timeline: Timeline): void {
    const status = MILESTONES[timeline.reached];
    if (status === undefined) return;
    timeline.reached += 1;
    const descriptions: Record<typeof status, string> = {
      picked_up: 'Picked up by the carrier',
      in_transit: 'Departed carrier facility',
      out_for_delivery: 'Out for delivery',
      delivered: 'Delivered',
    };
    this.#record(shipment, status, descriptions[status], null);
    this.#schedule(shipment);
  }

  #record(shipment: Shipment, status: TrackingStatus, description: string, exceptionCode: string | null): void {
    const atOrigin = status === 'picked_up';
    const atHub = status === 'in_transit' || status === 'exception';
    const place = atOrigin ? shipment.shipFrom : shipment.shipTo;
    const event: TrackingEvent = {
      eventId: this.#events.next(),
      status,
      occurredAt: new Date().toISOString(),
      description,
      location: {
        facility: atHub ? `${shipment.carrier.code}-HUB-${shipment.shipTo.countryCode}` : null,
        city: atHub ? null : (place.city ?? null),
        postalCode: atHub ? null : place.postalCode,
        countryCode: atHub ? shipment.shipTo.countryCode : place.countryCode,
      },
      exceptionCode,
    };
    shipment.events.push(event);
    shipment.status = status;
    this.#touch(shipment);
    this.#deps.webhooks.publish(`tracking.${status}`, {
      shipmentId: shipment.id,
      reference: shipment.reference,
      orderRef: shipment.orderRef,
      trackingNumber: shipment.trackingNumber,
      carrier: shipment.carrier,
      service: shipment.service,
      status,
      event,
      estimatedDeliveryAt: shipment.estimatedDeliveryAt,
      packages: shipment.packages.map((p) => ({ packageNumber: p.packageNumber, packageId: p.packageId, trackingNumber: p.trackingNumber })),
      version: shipment.version,
    });
  }

  #stop(id: string): void {
    const timeline = this.#timelines.get(id);
    if (timeline === undefined) return;
    this.#deps.timers.cancel(timeline.handle);
    timeline.handle = undefined;
    timeline.stopped = true;
  }

  #require(id: string): Shipment {
    const shipment = this.#shipments.get(id);
    if (shipment === undefined) throw new ApiError(404, 'not_found', `No shipment ${id}`);
    return shipment;
  }

  #touch(shipment: Shipment): void {
    shipment.version += 1;
    shipment.updatedAt = new Date().toISOString();
  }

  #trackingNumber(carrier: Carrier): string {
    const n = this.#trackingSerial++;
    switch (carrier.code) {
      case 'UPS':
        return `1ZODX0${String(n).padStart(12, '0')}`;
      case 'DHL':
        return String(3_000_000_000 + n);
      case 'DPD':
        return `0${String(5_000_000_000_000 + n)}`;
      default:
        return `${carrier.code}${String(100_000_000 + n)}`;
    }
  }

  #pruneQuotes(): void {
    if (this.#quotes.size < 10_000) return;
    const now = Date.now();
    for (const [id, q] of this.#quotes) if (q.expiresAt <= now) this.#quotes.delete(id);
    // Bounded memory under a flood of rate requests: the oldest quotes go first.
    for (const id of this.#quotes.keys()) {
      if (this.#quotes.size <= 50_000) break;
      this.#quotes.delete(id);
    }
  }
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}
