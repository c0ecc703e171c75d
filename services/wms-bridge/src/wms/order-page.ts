import { PermanentError } from '@odx/runtime';
import { z } from 'zod';
import { outboundOrderSchema } from './wms-types.js';

/** An order as the WMS lists it: with the time of its last change, the catch-up cursor's position. */
export const listedOrderSchema = outboundOrderSchema.extend({ updatedAt: z.iso.datetime({ offset: true }) });
export type ListedOrder = z.output<typeof listedOrderSchema>;

/** `GET /v1/outbound-orders`: a page ordered by (updatedAt, id). */
export const orderPageSchema = z.object({
  items: z.array(listedOrderSchema).max(1_000),
  nextPageToken: z.string().min(1).max(2_000).nullish(),
});
export interface OrderPage {
  items: ListedOrder[];
  nextPageToken: string | null;
}

/** Reads an order page; anything else is a permanent `wms.bad-response` naming what is wrong. */
export function parseOrderPage(body: unknown): OrderPage {
  if (body === null || typeof body !== 'object') {
    throw new PermanentError('WMS answered GET /v1/outbound-orders with a body that is not a JSON object (truncated, or not JSON)', {
      errorClass: 'wms.bad-response',
    });
  }
  const parsed = orderPageSchema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`)
      .join('; ');
    throw new PermanentError(`WMS answered an order page we cannot read: ${issues}`, { errorClass: 'wms.bad-response' });
  }
  return { items: parsed.data.items, nextPageToken: parsed.data.nextPageToken ?? null };
}
