import {
  startCatchUp,
  type CatchUpRunner,
  type ChangeFeed,
  type ChangePage,
  type CompiledCatchUpOptions,
  type ServiceRuntime,
} from '@odx/runtime';
import { reachedStage } from '../mapping/reached-stage.js';
import type { OrderRecords } from '../orders/order-records.js';
import type { StagePublisher } from '../stages/stage-publisher.js';
import type { ListedOrder } from '../wms/order-page.js';
import type { WmsClient } from '../wms/wms-client.js';

/** Names the feed in metrics (`feed="wms-orders"`) and, after the consumer group, the cursor document. */
export const WMS_ORDER_FEED = 'wms-orders';

/**
 * The WMS's outbound orders as a change feed. Each listed order publishes the
 * stage events its snapshot shows and nobody published yet, through the same
 * StagePublisher as the webhooks: same events, same ids, and a stage already
 * published (by a webhook or an earlier run) is not published again.
 */
export class WmsOrderFeed implements ChangeFeed<ListedOrder> {
  constructor(
    private readonly client: WmsClient,
    private readonly publisher: StagePublisher,
  ) {}

  list(q: { updatedSince: Date; limit: number; pageToken: string | null }): Promise<ChangePage<ListedOrder>> {
    return this.client.listOrders(q);
  }

  positionOf(order: ListedOrder): { updatedAt: string; id: string } {
    return { updatedAt: order.updatedAt, id: order.id };
  }

  async catchUp(order: ListedOrder): Promise<number> {
    const reached = reachedStage(order);
    return reached === null ? 0 : (await this.publisher.publishMissing(order, reached)).length;
  }
}

/**
 * The WMS orders of one ODX order, read now: the external references the
 * bridge released it under (`<orderId>`, `<orderId>~<warehouse>`,
 * `<orderId>#<shipmentId>`), and the order id itself in case the bridge's
 * record of the release is gone.
 */
export async function wmsOrdersOf(orderRef: string, client: WmsClient, records: OrderRecords): Promise<ListedOrder[]> {
  const refs = new Set([orderRef, ...((await records.refsOf(orderRef)) ?? [])]);
  const found: ListedOrder[] = [];
  for (const externalRef of refs) found.push(...(await client.listOrders({ externalRef, limit: 1 })).items);
  return found;
}

export interface WmsCatchUpDeps {
  rt: Pick<ServiceRuntime, 'db' | 'http' | 'logger' | 'metrics' | 'lifecycle'>;
  client: WmsClient;
  publisher: StagePublisher;
  records: OrderRecords;
  /** The bridge's consumer group: names the cursor (`<group>:wms-orders`), so two deployments keep their own. */
  groupId: string;
  options: CompiledCatchUpOptions;
}

/**
 * Catch-up for lost WMS webhooks: the runner over the WMS order feed, its
 * cursor in MongoDB, `POST /v1/catch-up` (all changes, or one order), and the
 * schedule (a run at start, then every interval). Stopped by the runtime's
 * shutdown.
 */
export function startWmsCatchUp(d: WmsCatchUpDeps): CatchUpRunner<ListedOrder> {
  return startCatchUp({
    rt: d.rt,
    feed: WMS_ORDER_FEED,
    groupId: d.groupId,
    source: new WmsOrderFeed(d.client, d.publisher),
    options: d.options,
    system: 'WMS',
    recordsOfOrder: (orderRef) => wmsOrdersOf(orderRef, d.client, d.records),
  });
}
