// X12 numbers (R: "12.5", "-.25"; N2: implied two decimals) <-> canonical decimal strings with a fixed scale.

const X12_DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/;

/** "12.5" -> unscaled bigint at `scale` ("12.5", 4 -> 125000n); null when not a number or too precise. */
export function parseX12Decimal(value: string, scale: number): bigint | null {
  if (!X12_DECIMAL.test(value)) return null;
  const negative = value.startsWith('-');
  const [int = '', frac = ''] = value.replace('-', '').split('.');
  if (frac.length > scale) {
    if (/[^0]/.test(frac.slice(scale))) return null;
  }
  const digits = `${int || '0'}${frac.slice(0, scale).padEnd(scale, '0')}`;
  const n = BigInt(digits);
  return negative ? -n : n;
}

/** Unscaled bigint -> canonical string with exactly `scale` digits ("12.3400"). */
export function formatScaled(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${body}` : body;
}

/** Canonical decimal string -> X12 R value without needless zeros ("12.3400" -> "12.34", "3.0000" -> "3"). */
export function toX12Decimal(canonical: string): string {
  if (!canonical.includes('.')) return canonical;
  const trimmed = canonical.replace(/0+$/, '').replace(/\.$/, '');
  return trimmed === '-0' || trimmed === '' ? '0' : trimmed;
}

/** Canonical amount -> X12 N2 (implied two decimals, rounded half up): "1234.5000" -> "123450". */
export function toX12N2(canonical: string): string {
  const [int = '0', frac = ''] = canonical.replace('-', '').split('.');
  let cents = BigInt(`${int}${frac.padEnd(2, '0').slice(0, 2)}`);
  if (Number(frac.padEnd(3, '0')[2]) >= 5) cents += 1n;
  return `${canonical.startsWith('-') && cents !== 0n ? '-' : ''}${cents.toString()}`;
}

/** Product of two scaled values, rounded half away from zero to `scale`. */
export function multiplyScaled(a: bigint, aScale: number, b: bigint, bScale: number, scale: number): bigint {
  const raw = a * b;
  const drop = aScale + bScale - scale;
  if (drop <= 0) return raw * 10n ** BigInt(-drop);
  const div = 10n ** BigInt(drop);
  const q = raw / div;
  const r = raw % div;
  const absR = r < 0n ? -r : r;
  if (absR * 2n >= div) return raw < 0n ? q - 1n : q + 1n;
  return q;
}
