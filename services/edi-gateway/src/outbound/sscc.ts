import { createHash } from 'node:crypto';

/** GS1 mod-10 check digit of `digits` (the 17 leading digits of an SSCC). */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]);
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function isValidSscc(sscc: string): boolean {
  return /^\d{18}$/.test(sscc) && gs1CheckDigit(sscc.slice(0, 17)) === sscc[17];
}

/**
 * A package's SSCC-18: the one the warehouse printed (the ASN must match the
 * label on the carton, so an 18-digit SSCC is sent as printed even if its check
 * digit is off; callers may warn), else one derived
 * from our GS1 company prefix and the package id (extension digit 0; the serial
 * is a stable hash of the package id, so a resend carries the same SSCC).
 */
export function ssccFor(packageId: string, printed: string | null, companyPrefix: string | null): string | null {
  if (printed && /^\d{18}$/.test(printed)) return printed;
  if (!companyPrefix) return null;
  const serialLength = 16 - companyPrefix.length;
  const hash = BigInt(`0x${createHash('sha256').update(packageId).digest('hex').slice(0, 15)}`);
  const serial = (hash % 10n ** BigInt(serialLength)).toString().padStart(serialLength, '0');
  const body = `0${companyPrefix}${serial}`;
  return body + gs1CheckDigit(body);
}
