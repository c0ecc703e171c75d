/**
 * Exact decimal arithmetic for the Avro `decimal` logical type: decimal
 * strings <-> unscaled BigInt <-> two's-complement big-endian bytes.
 * No floating point anywhere.
 */

/** Precision (total significant digits) and scale (digits after the point). */
export interface DecimalSpec {
  readonly precision: number;
  readonly scale: number;
}

/** A value cannot be represented as the declared decimal. */
export class DecimalError extends Error {
  override readonly name = 'DecimalError';
  constructor(
    message: string,
    readonly value: unknown,
    readonly spec: DecimalSpec,
  ) {
    super(message);
  }
}

const DECIMAL_PATTERN = /^([+-]?)(\d+)(?:\.(\d+))?$/;
/** 2^47: the signed range of 6 bytes. */
const SIX_BYTES = 1n << 47n;

/**
 * Parses a plain decimal string ("12.34", "-0.0001", "7") into its unscaled
 * integer at `spec.scale`. Rejects exponents, blanks, digits beyond the
 * scale (unless they are zeros) and values needing more than
 * `spec.precision` digits.
 */
export function parseDecimal(value: unknown, spec: DecimalSpec): bigint {
  if (typeof value !== 'string') {
    const label = `decimal(${spec.precision},${spec.scale})`;
    throw new DecimalError(
      `${label}: expected a decimal string such as "12.3400", got ${typeof value === 'number' ? `the number ${value} (pass a string to keep it exact)` : typeof value}`,
      value,
      spec,
    );
  }
  const label = `decimal(${spec.precision},${spec.scale})`;
  const match = DECIMAL_PATTERN.exec(value);
  if (!match) {
    throw new DecimalError(
      `${label}: "${value}" is not a plain decimal string (digits, optional sign and point; no exponent)`,
      value,
      spec,
    );
  }
  const sign = match[1] === '-' ? -1n : 1n;
  const intPart = match[2] ?? '0';
  let fraction = match[3] ?? '';
  if (fraction.length > spec.scale) {
    const extra = fraction.slice(spec.scale);
    if (/[^0]/.test(extra)) {
      throw new DecimalError(
        `${label}: "${value}" has ${fraction.length} digits after the point; at most ${spec.scale} fit without rounding`,
        value,
        spec,
      );
    }
    fraction = fraction.slice(0, spec.scale);
  }
  const unscaled = sign * BigInt(intPart + fraction.padEnd(spec.scale, '0'));
  assertFits(unscaled, spec, value);
  return unscaled;
}

/** Throws unless `unscaled` has at most `spec.precision` digits. */
export function assertFits(unscaled: bigint, spec: DecimalSpec, value: unknown = unscaled): void {
  // Below 10^15 every precision >= 15 holds it; skip the string conversion.
  if (spec.precision >= 15 && unscaled > -1_000_000_000_000_000n && unscaled < 1_000_000_000_000_000n) return;
  const digits = (unscaled < 0n ? -unscaled : unscaled).toString().length;
  if (digits > spec.precision) {
    const maxInt = spec.precision - spec.scale;
    throw new DecimalError(
      `decimal(${spec.precision},${spec.scale}): ${JSON.stringify(String(value))} needs ${digits} digits; precision is ${spec.precision} (at most ${maxInt} before the point)`,
      value,
      spec,
    );
  }
}

/** Formats an unscaled integer with exactly `scale` digits after the point. */
export function formatDecimal(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${body}` : body;
}

/** Minimal two's-complement big-endian encoding (Java BigInteger.toByteArray). */
export function toTwosComplement(n: bigint): Buffer {
  // Fast path (almost every amount): fits in 6 bytes, so Number arithmetic is exact.
  if (n >= -SIX_BYTES && n < SIX_BYTES) {
    const v = Number(n);
    let bytes = 1;
    while (v < -(2 ** (8 * bytes - 1)) || v >= 2 ** (8 * bytes - 1)) bytes++;
    const buf = Buffer.allocUnsafe(bytes);
    buf.writeIntBE(v, 0, bytes);
    return buf;
  }
  let bytes = 1;
  // Smallest byte count whose signed range holds n.
  while (n < -(1n << BigInt(8 * bytes - 1)) || n >= 1n << BigInt(8 * bytes - 1)) bytes++;
  const unsigned = n < 0n ? (1n << BigInt(8 * bytes)) + n : n;
  return Buffer.from(unsigned.toString(16).padStart(2 * bytes, '0'), 'hex');
}

/** Reads a two's-complement big-endian integer; an empty buffer is 0. */
export function fromTwosComplement(buf: Uint8Array): bigint {
  if (buf.length === 0) return 0n;
  if (buf.length <= 6) return BigInt(Buffer.from(buf.buffer, buf.byteOffset, buf.length).readIntBE(0, buf.length));
  const unsigned = BigInt(`0x${Buffer.from(buf).toString('hex')}`);
  const first = buf[0] ?? 0;
  return first & 0x80 ? unsigned - (1n << BigInt(8 * buf.length)) : unsigned;
}
