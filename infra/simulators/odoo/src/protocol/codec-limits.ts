/**
 * Caps on what one request may hold, checked before the body is parsed so a hostile one is refused in time
 * linear in its size. Each is an option of startOdooSimulator and an ODOO_SIM_* environment variable, and the
 * error a request over one gets names it.
 */
export interface CodecLimits {
  /** <array>/<struct> within each other in an XML-RPC call (Odoo's own callers nest a few levels). @default 100 */
  maxXmlRpcDepth: number;
  /** Objects/arrays within each other in a JSON-RPC or JSON-2 body. @default 64 */
  maxJsonDepth: number;
}

export const DEFAULT_CODEC_LIMITS: Readonly<CodecLimits> = { maxXmlRpcDepth: 100, maxJsonDepth: 64 };

/** The environment variable of each cap. */
export const CODEC_LIMIT_SETTINGS: Readonly<Record<keyof CodecLimits | 'maxBodyBytes', string>> = {
  maxXmlRpcDepth: 'ODOO_SIM_MAX_XMLRPC_DEPTH',
  maxJsonDepth: 'ODOO_SIM_MAX_JSON_DEPTH',
  maxBodyBytes: 'ODOO_SIM_MAX_BODY_BYTES',
};

/**
 * The largest depth the settings accept: the codecs and the ORM walk values recursively, so the caps stay far
 * below the stack's limit (1,000 levels are read in well under a millisecond each).
 */
export const MAX_DEPTH_SETTING = 1_000;
