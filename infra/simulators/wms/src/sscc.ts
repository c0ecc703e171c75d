/**
 * GS1 check digit (mod 10, weights 3 and 1 from the rightmost data digit),
 * as used by GTIN, GLN and SSCC.
 */
export function gs1CheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new Error(`GS1 data must be digits, got "${digits}"`);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[digits.length - 1 - i]);
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * An SSCC-18: extension digit, GS1 company prefix, serial reference (17
 * digits together), then the check digit.
 */
export function makeSscc(companyPrefix: string, serial: number, extensionDigit = 0): string {
  if (!/^\d{6,12}$/.test(companyPrefix)) throw new Error(`GS1 company prefix must be 6 to 12 digits, got "${companyPrefix}"`);
  const serialWidth = 16 - companyPrefix.length;
  const serialText = String(serial % 10 ** serialWidth).padStart(serialWidth, '0');
  const body = `${extensionDigit}${companyPrefix}${serialText}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/** True for 18 digits whose last one is the GS1 check digit of the first 17. */
export function isValidSscc(sscc: string): boolean {
  return /^\d{18}$/.test(sscc) && gs1CheckDigit(sscc.slice(0, 17)) === Number(sscc[17]);
}
