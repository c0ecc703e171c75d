// The accounting clerk of `npm start` and of the restart soak: once an order's
// delivery is done in Odoo (every picking done, which the write-back of the
// warehouse's ShipmentDispatched does), it invoices the delivered quantities,
// posts the invoice and registers the payment, the way a clerk works the
// "to invoice" list. Each order is settled once; a failed attempt is retried
// on the next round (OdooShop.invoiceAndSettle resumes half-done work).
import type { OdooShop } from './odoo-shop.js';

export interface Settlement {
  orderId: number;
  invoiceIds: number[];
}

export interface SettlementFailure {
  orderId: number;
  attempts: number;
  error: string;
  /** No further attempt will be made. */
  gaveUp: boolean;
}

export interface SettleRound {
  settled: Settlement[];
  failed: SettlementFailure[];
}

export interface AccountantOptions {
  /** Attempts per order before it is given up. @default 3 */
  maxAttempts?: number;
  /** Orders settled at the same time (each is a few sequential RPCs). @default 1 */
  concurrency?: number;
}

export class Accountant {
  private readonly done = new Map<number, number[]>();
  private readonly attempts = new Map<number, number>();
  private readonly givenUp = new Map<number, string>();
  private readonly maxAttempts: number;
  private readonly concurrency: number;

  constructor(
    private readonly shop: OdooShop,
    options: AccountantOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  /** Orders settled so far (invoiced, posted and paid in Odoo). */
  get settledCount(): number {
    return this.done.size;
  }

  isSettled(orderId: number): boolean {
    return this.done.has(orderId);
  }

  /** Orders given up after `maxAttempts` failures, with the last error. */
  get failures(): ReadonlyMap<number, string> {
    return this.givenUp;
  }

  /** Invoices, posts and pays every order among `ids` whose delivery is done and which is not settled yet. */
  async settleDelivered(ids: readonly number[]): Promise<SettleRound> {
    const open = ids.filter((id) => !this.done.has(id) && !this.givenUp.has(id));
    const round: SettleRound = { settled: [], failed: [] };
    const delivered = await this.shop.deliveredOrders(open);
    const settleOne = async (orderId: number): Promise<void> => {
      try {
        const invoiceIds = await this.shop.invoiceAndSettle(orderId);
        this.done.set(orderId, invoiceIds);
        round.settled.push({ orderId, invoiceIds });
      } catch (err) {
        const attempts = (this.attempts.get(orderId) ?? 0) + 1;
        this.attempts.set(orderId, attempts);
        const error = err instanceof Error ? err.message : String(err);
        const gaveUp = attempts >= this.maxAttempts;
        if (gaveUp) this.givenUp.set(orderId, error);
        round.failed.push({ orderId, attempts, error, gaveUp });
      }
    };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < delivered.length) await settleOne(delivered[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, delivered.length) }, worker));
    return round;
  }
}
