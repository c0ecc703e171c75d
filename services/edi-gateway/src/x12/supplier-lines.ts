import type { PartnerProfile } from '../partners/partner-profile.js';
import type { PurchaseOrderFacts, SupplierLine } from '../model/supplier-documents.js';
import { validDate } from './read-interchange.js';
import type { BadElement } from './segment-error.js';
import { AK4 } from './x12-codes.js';
import { formatScaled, parseX12Decimal } from './x12-numbers.js';

/** CCYYMMDD -> midnight UTC. */
export function toDate(ccyymmdd: string): Date {
  return new Date(Date.UTC(Number(ccyymmdd.slice(0, 4)), Number(ccyymmdd.slice(4, 6)) - 1, Number(ccyymmdd.slice(6, 8))));
}

/** A mandatory (or, with `optional`, a given) date element: its AK4 when bad. */
export function checkDate(value: string, position: number, optional = false): BadElement | null {
  if (!value) return optional ? null : [position, AK4.mandatoryMissing, ''];
  return validDate(value) ? null : [position, AK4.invalidDate, value];
}

/**
 * A quantity element: mandatory unless `optional`, a plain decimal of at most 4 places, above zero
 * (or at least zero with `zeroAllowed`). Returns the canonical decimal(14,4) or the AK4.
 */
export function readQuantity(
  value: string,
  position: number,
  o: { optional?: boolean; zeroAllowed?: boolean } = {},
): { value: string | null } | { bad: BadElement } {
  if (!value) return o.optional ? { value: null } : { bad: [position, AK4.mandatoryMissing, ''] };
  const q = parseX12Decimal(value, 4);
  if (q === null || q >= 10n ** 14n) return { bad: [position, AK4.invalidCharacter, value] };
  if (q < 0n || (q === 0n && !o.zeroAllowed)) return { bad: [position, AK4.invalidCode, value] };
  return { value: formatScaled(q, 4) };
}

/** A price element (decimal(18,6), at least zero); null when empty and optional. */
export function readPrice(value: string, position: number, optional = true): { value: string | null } | { bad: BadElement } {
  if (!value) return optional ? { value: null } : { bad: [position, AK4.mandatoryMissing, ''] };
  const p = parseX12Decimal(value, 6);
  if (p === null || p < 0n || p >= 10n ** 18n) return { bad: [position, AK4.invalidCharacter, value] };
  return { value: formatScaled(p, 6) };
}

/** A unit of measure element (two characters, element 355). */
export function checkUnit(value: string, position: number): BadElement | null {
  if (!value) return [position, AK4.mandatoryMissing, ''];
  return /^[A-Z0-9]{2}$/.test(value) ? null : [position, AK4.invalidCode, value];
}

/** A line number element (PO101, LIN01, IT101): 1 to 6 digits. */
export function readLineNumber(value: string, position: number, optional = false): { value: number | null } | { bad: BadElement } {
  if (!value) return optional ? { value: null } : { bad: [position, AK4.mandatoryMissing, ''] };
  return /^\d{1,6}$/.test(value) && Number(value) > 0 ? { value: Number(value) } : { bad: [position, AK4.invalidCode, value] };
}

/** A supplier's line matched to our PO: by line number, else by a product id the PO line or the profile knows. */
export function matchLine(
  o: {
    lineNumber: number | null;
    productIds: Record<string, string>;
    quantity: string;
    partnerUom: string;
    unitPrice: string | null;
  },
  po: PurchaseOrderFacts,
  profile: PartnerProfile,
): SupplierLine {
  const ids = Object.values(o.productIds);
  const ordered =
    (o.lineNumber !== null ? po.lines.find((l) => l.lineNumber === o.lineNumber) : undefined) ??
    (o.lineNumber === null
      ? po.lines.find((l) => ids.includes(l.sku) || (l.vendorProductCode !== null && ids.includes(l.vendorProductCode)))
      : undefined) ??
    null;
  const mapped = ids.map((id) => profile.mappings.items.get(id)).find((s) => s !== undefined);
  return {
    ...o,
    ordered,
    sku: ordered?.sku ?? mapped ?? null,
    uom: profile.mappings.uom.get(o.partnerUom) ?? o.partnerUom,
  };
}
