import {
  startCatchUp,
  type CatchUpRunner,
  type ChangeFeed,
  type ChangePage,
  type CompiledCatchUpOptions,
  type ServiceRuntime,
} from '@odx/runtime';
import { mapTrackingWebhook, type TrackingContext } from '../mapping/map-tracking.js';
import type { ListedShipment } from '../tms/shipment-page.js';
import type { TmsClient } from '../tms/tms-client.js';
import { trackingWebhooksOf } from '../tracking/tracking-history.js';
import type { TrackingPublisher } from '../tracking/tracking-publisher.js';

/** Names the feed in metrics (`feed="tms-shipments"`) and, after the consumer group, the cursor document. */
export const TMS_SHIPMENT_FEED = 'tms-shipments';

/**
 * The TMS's shipments as a change feed. Each listed shipment's tracking
 * history is published, oldest first, through the same TrackingPublisher as
 * the webhooks: same events, same ids (from the TMS tracking event ids both
 * paths see), and an event already published is not published again.
 */
export class TmsShipmentFeed implements ChangeFeed<ListedShipment> {
  constructor(
    private readonly client: TmsClient,
    private readonly publisher: TrackingPublisher,
    private readonly mapping: TrackingContext,
  ) {}

  list(q: { updatedSince: Date; limit: number; pageToken: string | null }): Promise<ChangePage<ListedShipment>> {
    return this.client.listShipments(q);
  }

  positionOf(shipment: ListedShipment): { updatedAt: string; id: string } {
    return { updatedAt: shipment.updatedAt, id: shipment.id };
  }

  async catchUp(shipment: ListedShipment): Promise<number> {
    let published = 0;
    // One after the other: the milestones of a shipment land in the order the carrier reported them.
    for (const webhook of trackingWebhooksOf(shipment)) {
      if ((await this.publisher.publish(mapTrackingWebhook(webhook, this.mapping))) !== 'stale') published++;
    }
    return published;
  }
}

/** The TMS shipments of one ODX order (by the order reference booked with them, else `ref` as the shipment's own reference). */
export async function tmsShipmentsOf(ref: string, client: TmsClient): Promise<ListedShipment[]> {
  const found: ListedShipment[] = [];
  let pageToken: string | null = null;
  do {
    const page = await client.listShipments({ orderRef: ref, limit: 100, pageToken });
    found.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken !== null);
  return found.length > 0 ? found : (await client.listShipments({ reference: ref, limit: 1 })).items;
}

export interface TmsCatchUpDeps {
  rt: Pick<ServiceRuntime, 'db' | 'http' | 'logger' | 'metrics' | 'lifecycle'>;
  client: TmsClient;
  publisher: TrackingPublisher;
  mapping: TrackingContext;
  /** The bridge's consumer group: names the cursor (`<group>:tms-shipments`), so two deployments keep their own. */
  groupId: string;
  options: CompiledCatchUpOptions;
}

/**
 * Catch-up for lost TMS tracking webhooks: the runner over the TMS shipment
 * feed, its cursor in MongoDB, `POST /v1/catch-up` (all changes, or one
 * order), and the schedule (a run at start, then every interval). Stopped by
 * the runtime's shutdown.
 */
export function startTmsCatchUp(d: TmsCatchUpDeps): CatchUpRunner<ListedShipment> {
  return startCatchUp({
    rt: d.rt,
    feed: TMS_SHIPMENT_FEED,
    groupId: d.groupId,
    source: new TmsShipmentFeed(d.client, d.publisher, d.mapping),
    options: d.options,
    system: 'TMS',
    recordsOfOrder: (orderRef) => tmsShipmentsOf(orderRef, d.client),
  });
}
