import type { ProgressStage } from './order-stages.js';

/** What of a WMS order's snapshot says how far it got. */
export interface StageFacts {
  status: 'received' | 'picked' | 'packed' | 'shipped' | 'cancelled';
  pickedAt?: string | null | undefined;
  packedAt?: string | null | undefined;
  shippedAt?: string | null | undefined;
}

/**
 * The furthest progress stage a WMS order snapshot shows, or null before
 * picking. A cancelled order counts as far as its timestamps say it got
 * (cancelled after packing: its picked and packed webhooks were due). Pure.
 */
export function reachedStage(order: StageFacts): ProgressStage | null {
  switch (order.status) {
    case 'received':
      return null;
    case 'cancelled':
      return order.shippedAt ? 'shipped' : order.packedAt ? 'packed' : order.pickedAt ? 'picked' : null;
    default:
      return order.status;
  }
}
