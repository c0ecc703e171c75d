import { jsonDepthExceeds } from '@odx/runtime/http';
import { CODEC_LIMIT_SETTINGS } from './codec-limits.js';

/** A JSON-RPC request body read: its envelope, or the 400 text Odoo answers (werkzeug's wording). */
export type EnvelopeReading = { ok: true; envelope: Record<string, unknown> } | { ok: false; status: 400; message: string };

/**
 * Reads a JSON-RPC body. Nesting deeper than `maxDepth` is refused before parsing, in one linear pass (the code
 * that walks a parsed value recurses); then JSON that does not parse, and a body that is not an object.
 */
export function readJsonRpcEnvelope(text: string, maxDepth: number): EnvelopeReading {
  if (jsonDepthExceeds(text, maxDepth)) {
    return {
      ok: false,
      status: 400,
      message: `Invalid JSON data: nested deeper than ${maxDepth} levels (the cap; setting ${CODEC_LIMIT_SETTINGS.maxJsonDepth})`,
    };
  }
  let envelope: unknown;
  try {
    envelope = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, message: 'Invalid JSON data' };
  }
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope))
    return { ok: false, status: 400, message: 'Invalid JSON-RPC data' };
  return { ok: true, envelope: envelope as Record<string, unknown> };
}
