import { formatDecimal, parseDecimal } from '@odx/schemas';

const QTY = { precision: 14, scale: 4 } as const;
const PRICE = { precision: 18, scale: 6 } as const;
/** Largest amount in units of 1/10^4 a line or an order may reach: Order.amountTotal is decimal(18,4). */
export const MAX_AMOUNT_UNITS = 10n ** 18n - 1n;

/** A line's subtotal in units of 1/10^4, from quantity (scale 4) x unit price (scale 6), rounded half up. */
export function lineSubtotalUnits(l: { quantity: string; unitPrice: string }): bigint {
  const product = parseDecimal(l.quantity, QTY) * parseDecimal(l.unitPrice, PRICE); // scale 10
  return (product + 500_000n) / 1_000_000n;
}

export function formatAmount(units: bigint): string {
  return formatDecimal(units, 4);
}
