import { capExceeded, capMessage, type ProfileCapExceeded, type ProfileLimits } from './profile-limits.js';

/** A profile file that does not load; names the file and each field at fault, and the cap it went over if any. */
export class PartnerProfileError extends Error {
  readonly kind = 'permanent' as const;
  constructor(
    readonly file: string,
    readonly problems: ReadonlyArray<{ field: string; message: string }>,
    /** Set when the file went over a cap (size, nesting, aliases): which, its limit and its setting. */
    readonly cap: ProfileCapExceeded | null = null,
  ) {
    super(`invalid partner profile ${file}:\n${problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n')}`);
    this.name = 'PartnerProfileError';
  }

  /** A problem with the file as a whole (it does not parse, or it goes over a cap). */
  static ofFile(file: string, message: string, cap: ProfileCapExceeded | null = null): PartnerProfileError {
    return new PartnerProfileError(file, [{ field: '(file)', message }], cap);
  }

  /** A file over the cap `cap` of `limits`; `found` says what went over ("300000 bytes", "nested deeper"). */
  static overCap(file: string, cap: keyof ProfileLimits, limits: ProfileLimits, found: string): PartnerProfileError {
    const exceeded = capExceeded(cap, limits);
    return PartnerProfileError.ofFile(file, capMessage(exceeded, found), exceeded);
  }
}
