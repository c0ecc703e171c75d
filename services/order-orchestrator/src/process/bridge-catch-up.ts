// Asks a bridge to reconcile one order now: POST <bridge>/v1/catch-up
// {"orderRef": "<ODX order id>"} (the runtime's catch-up route). The bridge
// then publishes whatever stages its system reached that ODX never heard of,
// with the webhook path's event ids, so nothing is published twice.
import { CATCH_UP_PATH, type Logger } from '@odx/runtime';

export interface BridgeEndpoint {
  /** Base URL, e.g. http://127.0.0.1:8091; null: no bridge to ask. */
  url: string | null;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token: string | null;
}

export type CatchUpOutcome = 'caught-up' | 'not-found' | 'busy' | 'failed' | 'no-bridge';

export class BridgeCatchUp {
  constructor(
    private readonly bridges: Record<'wms' | 'tms', BridgeEndpoint>,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
    private readonly onOutcome?: (bridge: 'wms' | 'tms', outcome: CatchUpOutcome) => void,
  ) {}

  /** Never throws: a catch-up that fails is logged; the step's retry timer goes on regardless. */
  async request(bridge: 'wms' | 'tms', orderRef: string): Promise<{ outcome: CatchUpOutcome; eventsPublished?: number }> {
    const result = await this.ask(bridge, orderRef);
    this.onOutcome?.(bridge, result.outcome);
    return result;
  }

  private async ask(bridge: 'wms' | 'tms', orderRef: string): Promise<{ outcome: CatchUpOutcome; eventsPublished?: number }> {
    const b = this.bridges[bridge];
    if (!b.url) return { outcome: 'no-bridge' };
    try {
      const res = await fetch(`${b.url}${CATCH_UP_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(b.token ? { authorization: `Bearer ${b.token}` } : {}) },
        body: JSON.stringify({ orderRef }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const body: unknown = await res.json().catch(() => null);
      if (res.status === 200) {
        const published =
          typeof body === 'object' && body !== null && 'eventsPublished' in body && typeof body.eventsPublished === 'number'
            ? body.eventsPublished
            : 0;
        this.logger.info('bridge caught up a late order', { bridge, order_id: orderRef, events_published: published });
        return { outcome: 'caught-up', eventsPublished: published };
      }
      if (res.status === 404) {
        this.logger.info('bridge has no record of the order in its system', { bridge, order_id: orderRef });
        return { outcome: 'not-found' };
      }
      if (res.status === 409) return { outcome: 'busy' };
      this.logger.warn('bridge catch-up failed', { bridge, order_id: orderRef, status: res.status });
      return { outcome: 'failed' };
    } catch (err) {
      this.logger.warn('bridge catch-up could not be asked', { bridge, order_id: orderRef, err });
      return { outcome: 'failed' };
    }
  }
}
