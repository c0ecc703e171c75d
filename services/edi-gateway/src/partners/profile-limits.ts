/**
 * Caps on a partner profile file: its bytes before it is read, its nesting on the text and on yaml's CST before
 * anything is composed, its aliases before they are expanded. A hostile or broken file is refused in time linear
 * in its size, with an error naming the cap and its setting.
 */
export interface ProfileLimits {
  /** Bytes in one profile file (the samples are about 1 KB). @default 262144 */
  maxBytes: number;
  /** Mappings and sequences within each other (the schema needs 4). @default 16 */
  maxDepth: number;
  /**
   * Aliases (`*name`) in a profile, each counted; also yaml's maxAliasCount on their expansion (an alias counts
   * once per alias inside what it names, so a billion-laughs file reaches it at once). @default 20
   */
  maxAliases: number;
}

export const DEFAULT_PROFILE_LIMITS: Readonly<ProfileLimits> = { maxBytes: 256 * 1024, maxDepth: 16, maxAliases: 20 };

/** The environment variable that sets each cap (named in the error a file over it gets). */
export const PROFILE_LIMIT_SETTINGS: Readonly<Record<keyof ProfileLimits, string>> = {
  maxBytes: 'EDI_PARTNER_MAX_BYTES',
  maxDepth: 'EDI_PARTNER_MAX_DEPTH',
  maxAliases: 'EDI_PARTNER_MAX_ALIASES',
};

/** The smallest depth a valid profile needs (mappings.shipTo.<code>.<field>). */
export const MIN_PROFILE_DEPTH = 4;
/**
 * The deepest nesting the setting allows: the yaml library composes flow collections recursively (1,000 levels
 * overflowed the stack), so the cap must stay well below that.
 */
export const MAX_PROFILE_DEPTH_SETTING = 128;

/** A cap a profile went over: which, its limit, and the setting that raises it. */
export interface ProfileCapExceeded {
  cap: keyof ProfileLimits;
  limit: number;
  setting: string;
}

/** The facts of a cap `cap` at `limit`. */
export function capExceeded(cap: keyof ProfileLimits, limits: ProfileLimits): ProfileCapExceeded {
  return { cap, limit: limits[cap], setting: PROFILE_LIMIT_SETTINGS[cap] };
}

const CAP_UNITS: Readonly<Record<keyof ProfileLimits, string>> = {
  maxBytes: 'bytes a profile may have',
  maxDepth: 'levels of mappings and sequences within each other',
  maxAliases: 'aliases (*name), expansions counted',
};

/** What a file over a cap is told: what was found, the cap, and the setting that raises it. */
export function capMessage(exceeded: ProfileCapExceeded, found: string): string {
  return `${found}, over the cap of ${exceeded.limit} ${CAP_UNITS[exceeded.cap]} (setting ${exceeded.setting})`;
}
