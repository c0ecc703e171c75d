import { PermanentError } from '@odx/runtime';
import { DecimalError, formatDecimal, parseDecimal, type DecimalSpec } from '@odx/schemas';

/**
 * Money and quantities as the events carry them: decimal strings, compared
 * exactly as integers of ten-thousandths (the events' decimal(18,4) amounts
 * and decimal(14,4) quantities). No floating point.
 */
export const POLICY_DECIMAL: DecimalSpec = { precision: 18, scale: 4 };

/** A caller passed something that is not a decimal string; a bug upstream, never worth retrying. */
export class PolicyInputError extends PermanentError {
  constructor(message: string, cause?: unknown) {
    super(message, { errorClass: 'policy.invalid-input', cause });
    this.name = 'PolicyInputError';
  }
}

/** `value` in ten-thousandths; throws PolicyInputError naming `what`. */
export function toUnits(value: string, what: string): bigint {
  try {
    return parseDecimal(value, POLICY_DECIMAL);
  } catch (err) {
    const reason = err instanceof DecimalError ? err.message : String(err);
    throw new PolicyInputError(`${what}: ${reason}`, err);
  }
}

/** Ten-thousandths as a decimal string with at least two decimals ("3220.00", "0.125"). */
export function formatUnits(units: bigint): string {
  const full = formatDecimal(units, POLICY_DECIMAL.scale);
  return full.replace(/(\.\d{2}\d*?)0+$/, '$1');
}

/** Whether `value` is a decimal string the policy can compare (for config validation). */
export function decimalProblem(value: string): string | null {
  try {
    parseDecimal(value, POLICY_DECIMAL);
    return null;
  } catch (err) {
    return err instanceof DecimalError ? err.message.replace(/^decimal\(18,4\): /, '') : String(err);
  }
}
